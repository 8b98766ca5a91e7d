"""Logging set-up: one format, quiet HTTP client logs, and the bot token redacted everywhere.

httpx logs every request URL, and Bot API URLs contain the token; python-telegram-bot's
`InvalidToken` message and reprs contain it too. The redaction filter sits on the handler, so it
sees every record from every logger, and it rewrites messages, arguments and formatted
tracebacks alike.

Records are handed to a thread through a queue: redacting, formatting and writing a line cost
tens of microseconds, which the event loop would otherwise spend on every command it answers.
The message is fixed from its arguments when logged; all the rest happens in that thread,
which writes out whatever is queued when logging shuts down (at exit) or `drain_logs` is called.
"""

from __future__ import annotations

import logging
import logging.handlers
import queue
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


class _Queued(logging.handlers.QueueHandler):
    """Hands records to a thread that filters, formats and writes them with `target`."""

    def __init__(self, target: logging.Handler) -> None:
        super().__init__(queue.SimpleQueue())
        self.target = target
        self._listener: logging.handlers.QueueListener | None = None
        self._start()

    def _start(self) -> None:
        self._listener = logging.handlers.QueueListener(
            self.queue, self.target, respect_handler_level=True
        )
        self._listener.start()

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        """Fix the message now, while its arguments are as they were logged."""
        record.msg = record.getMessage()
        record.args = None
        return record

    def drain(self) -> None:
        """Wait until every record queued so far is written."""
        if self._listener is not None:
            self._listener.stop()
            self._start()

    def close(self) -> None:
        """Write what is queued and stop the thread (logging's shutdown at exit calls this)."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()
        super().close()


def drain_logs() -> None:
    """Wait until every record logged so far has been written."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, _Queued):
            handler.drain()


def setup_logging(level: int = logging.INFO, secrets: Iterable[str] = ()) -> logging.Handler:
    """Log to stderr through the redacting filter, from a thread; return the writing handler.

    Filters added to the returned handler see every record, in the logging thread.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        if isinstance(old, _Queued):
            old.close()
    root.addHandler(_Queued(handler))
    root.setLevel(level)
    # httpx logs each request URL at INFO, and those URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return handler
