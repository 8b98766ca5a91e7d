"""`briefbot run`: the bot on Telegram, by long polling or webhook, until SIGINT or SIGTERM."""

from __future__ import annotations

import logging
import sys

from telegram import Update
from telegram.error import InvalidToken

from bot.application import build_application, create_services
from bot.config import TOKEN_ENV, Config, ConfigError
from bot.logs import redact, setup_logging

log = logging.getLogger(__name__)

EXIT_OK, EXIT_TOKEN = 0, 2


class _DropInvalidTokenTraceback(logging.Filter):
    """python-telegram-bot logs its own traceback for a rejected token; we print one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, InvalidToken)


def run_bot(config: Config) -> int:
    """Run until stopped; exit code 0 on a clean stop, 2 for a missing or rejected token."""
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
        print(f"briefbot: Telegram rejected the bot token; check {TOKEN_ENV}.", file=sys.stderr)
        return EXIT_TOKEN
    except Exception as exc:
        print(f"briefbot: stopped by an error: {redact(str(exc), [token])}", file=sys.stderr)
        return 1
    return EXIT_OK
