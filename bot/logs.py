"""Logging set-up: one format, quiet HTTP client logs, and the bot token redacted everywhere.

httpx logs every request URL, and Bot API URLs contain the token; python-telegram-bot's
`InvalidToken` message and reprs contain it too. The redaction filter sits on the handler, so it
sees every record from every logger, and it rewrites messages, arguments and formatted
tracebacks alike.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

# Bot API tokens look like 123456789:AA...; URLs carry them as /bot<token>/.
TOKEN_PATTERN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{30,}")
REDACTED = "<redacted-token>"
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every bot token (known secrets and anything shaped like a token) replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return TOKEN_PATTERN.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record so that no token reaches a log line."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drops it."""
        record.msg = redact(record.getMessage(), self.secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


def setup_logging(level: int = logging.INFO, secrets: Iterable[str] = ()) -> logging.Handler:
    """Log to stderr through the redacting filter; return the handler."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs each request URL at INFO, and those URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return handler
