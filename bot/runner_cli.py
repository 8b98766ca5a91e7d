"""`briefbot run`: the bot on Telegram, by long polling or webhook, until SIGINT or SIGTERM.

Several processes may run with one PostgreSQL database in webhook mode (replicas); each
registers itself (`bot.replicas`) and takes its share of the digests and of the rate budget.
Long polling admits one process per bot: a second one gets 409 Conflict and stops.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import Conflict, InvalidToken

from bot.application import build_application, create_services
from bot.config import TOKEN_ENV, Config, ConfigError
from bot.context import BotContext
from bot.exits import EXIT_CONFIG as EXIT_TOKEN
from bot.exits import EXIT_ERRORS, EXIT_OK, EXIT_UNREACHABLE
from bot.logs import redact, setup_logging
from bot.ops.server import OpsPortError
from bot.replicas import JOIN_DELAY, leave, new_replica, schedule_heartbeat
from bot.startup_check import TokenRejected, Unreachable, check_bot_api
from bot.storage import database_url

log = logging.getLogger(__name__)

REJECTED = f"briefbot: Telegram rejected the bot token; check {TOKEN_ENV}."
CONFLICT = (
    "briefbot: another process is polling for this bot's updates (409 Conflict);"
    " run replicas in webhook mode"
)


class _DropInvalidTokenTraceback(logging.Filter):
    """python-telegram-bot logs its own traceback for a rejected token; we print one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, InvalidToken | Conflict)


async def _stop_on_conflict(update: object, context: BotContext) -> None:
    """Polling while another process polls only trades 409s with it: stop instead."""
    # The very first poll can fail before the application counts as running, when stopping
    # does nothing; the next one, a second later, stops it.
    if isinstance(context.error, Conflict):
        context.application.stop_running()


def run_bot(config: Config, *, port: int | None = None) -> int:
    """Run until stopped; exit code 0 on a clean stop, 2 for a missing or rejected token.

    2 also when another process polls for the same bot (409 Conflict). `port` overrides the
    webhook's port, so replicas on one host each listen on their own.

    3 if the state database cannot be used (`StorageError`, reported by the command line), and
    4 if the Bot API cannot be reached within ``telegram.startup_timeout`` seconds.
    """
    try:
        token = config.require_token()
    except ConfigError as exc:
        print(f"briefbot: {exc}", file=sys.stderr)
        return EXIT_TOKEN
    webhook = config.telegram.webhook
    if webhook is not None and port is not None:
        webhook = webhook.model_copy(update={"port": port})
    secret = webhook.secret_token.get_secret_value() if webhook and webhook.secret_token else None
    url = database_url(config)
    db_password = (urlsplit(url).password or "") if url else ""
    handler = setup_logging(logging.INFO, secrets=[token, secret or "", db_password])
    handler.addFilter(_DropInvalidTokenTraceback())
    # The briefings load in the background once the bot is up; their errors are logged then.
    services = create_services(config, load=False)
    mode = "polling" if webhook is None else f"webhook :{webhook.port}"
    services.replica = new_replica(webhook.port if webhook else None, services.started_at, mode)
    services.runner.replica_id = services.replica.record.replica_id
    if url is not None:
        services.runner.hold_until = services.started_at + JOIN_DELAY
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
    schedule_heartbeat(application, shared=url is not None)
    application.add_error_handler(_stop_on_conflict)

    async def _leave(_: object) -> None:
        leave(services)

    application.post_stop = _leave
    try:
        if webhook is None:
            application.run_polling(allowed_updates=Update.ALL_TYPES)
            if any(isinstance(error, Conflict) for error in services.handler_errors):
                print(CONFLICT, file=sys.stderr)
                return EXIT_TOKEN
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
