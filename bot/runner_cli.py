"""`briefbot run`: the bot on Telegram, by long polling or webhook, until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import sys

from telegram import Update
from telegram.error import InvalidToken

from bot.application import build_application, create_services
from bot.config import TOKEN_ENV, Config, ConfigError
from bot.exits import EXIT_CONFIG as EXIT_TOKEN
from bot.exits import EXIT_ERRORS, EXIT_OK, EXIT_UNREACHABLE
from bot.logs import redact, setup_logging
from bot.ops.server import OpsPortError
from bot.startup_check import TokenRejected, Unreachable, check_bot_api

log = logging.getLogger(__name__)

REJECTED = f"briefbot: Telegram rejected the bot token; check {TOKEN_ENV}."


class _DropInvalidTokenTraceback(logging.Filter):
    """python-telegram-bot logs its own traceback for a rejected token; we print one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, InvalidToken)


def run_bot(config: Config) -> int:
    """Run until stopped; exit code 0 on a clean stop, 2 for a missing or rejected token.

    3 if the state database cannot be used (`StorageError`, reported by the command line), and
    4 if the Bot API cannot be reached within ``telegram.startup_timeout`` seconds.
    """
    try:
        token = config.require_token()
    except ConfigError as exc:
        print(f"briefbot: {exc}", file=sys.stderr)
        return EXIT_TOKEN
    webhook = config.telegram.webhook
    secret = webhook.secret_token.get_secret_value() if webhook and webhook.secret_token else None
    handler = setup_logging(logging.INFO, secrets=[token, secret or ""])
    handler.addFilter(_DropInvalidTokenTraceback())
    # The briefings load in the background once the bot is up; their errors are logged then.
    services = create_services(config, load=False)
    try:
        asyncio.run(check_bot_api(token, config.telegram.base_url, config.telegram.startup_timeout))
    except TokenRejected:
        services.store.close()
        print(REJECTED, file=sys.stderr)
        return EXIT_TOKEN
    except Unreachable as exc:
        services.store.close()
        print(f"briefbot: {redact(str(exc), [token])}", file=sys.stderr)
        return EXIT_UNREACHABLE
    application = build_application(services, token)
    try:
        if webhook is None:
            application.run_polling(allowed_updates=Update.ALL_TYPES)
        else:
            application.run_webhook(
                listen=webhook.listen,
                port=webhook.port,
                url_path=webhook.path,
                webhook_url=webhook.url,
                secret_token=secret,
                allowed_updates=Update.ALL_TYPES,
            )
    except InvalidToken:
        print(REJECTED, file=sys.stderr)
        return EXIT_TOKEN
    except OpsPortError as exc:  # a configuration problem, like the token's
        print(f"briefbot: {exc}", file=sys.stderr)
        return EXIT_TOKEN
    except Exception as exc:
        print(f"briefbot: stopped by an error: {redact(str(exc), [token])}", file=sys.stderr)
        return EXIT_ERRORS
    return EXIT_OK
