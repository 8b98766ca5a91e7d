"""Before `briefbot run` starts: is the Bot API there? Retried with backoff for a bounded time.

Without this check an unreachable server (a refused connection, a web server that is not the Bot
API, one that never answers) ends in pages of traceback from the HTTP stack. Here each attempt
is one ``getMe``; the outcome is either "reachable", "the token was rejected" or a one-line
cause that names the server's address without the token.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from telegram import Bot
from telegram.error import InvalidToken, TelegramError, TimedOut
from telegram.request import HTTPXRequest

# The longest a single attempt may wait for an answer; the whole check is bounded separately.
MAX_ATTEMPT_TIMEOUT = 10.0
# An attempt needs a moment even when the overall budget is nearly spent.
MIN_ATTEMPT_TIMEOUT = 1.0
FIRST_DELAY = 1.0
# PTB's message for an error status it could not parse starts "Not Found (404)".
_STATUS = re.compile(r"^[^.]*?\(\d{3}\)")


def _seconds(value: float) -> str:
    return f"{round(value, 1):g} s"


class TokenRejected(Exception):
    """The Bot API answered, and it does not know this token."""


@dataclass
class Unreachable(Exception):
    """The Bot API could not be reached within the time allowed."""

    base_url: str
    cause: str
    attempts: int
    seconds: float

    def __str__(self) -> str:
        times = "time" if self.attempts == 1 else "times"
        return (
            f"cannot reach the Telegram Bot API at {self.base_url}…: {self.cause}"
            f" (tried {self.attempts} {times} over {_seconds(self.seconds)})"
        )


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def describe(exc: TelegramError, wait: float) -> str:
    """Why one attempt failed, in words an operator can act on (never with the token)."""
    causes = list(_chain(exc))
    if any(isinstance(c, json.JSONDecodeError) for c in causes):
        status = _STATUS.match(exc.message)
        return "the server's answer is not Bot API JSON" + (f", HTTP {status[0]}" if status else "")
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connection refused"
    if any(isinstance(c, socket.gaierror) for c in causes):
        return "unknown host name"
    if isinstance(exc, TimedOut):
        return f"no answer within {_seconds(wait)}"
    if len(causes) == 1:  # an answer, but an error status (PTB made the exception itself)
        return f"the server answered: {exc.message}"
    innermost = causes[-1]
    return str(innermost) or type(innermost).__name__


class _Mute(logging.Filter):
    """Drops the HTTP stack's own records (tracebacks of each failed attempt included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith(("telegram", "httpx", "httpcore"))


@contextmanager
def _muted() -> Iterator[None]:
    handlers = logging.getLogger().handlers
    mute = _Mute()
    for handler in handlers:
        handler.addFilter(mute)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(mute)


async def _attempt(token: str, base_url: str, wait: float) -> None:
    request = HTTPXRequest(
        connect_timeout=wait, read_timeout=wait, write_timeout=wait, pool_timeout=wait
    )
    bot = Bot(token, base_url=base_url, request=request)
    try:
        await bot.get_me()
    finally:
        await request.shutdown()


async def check_bot_api(token: str, base_url: str, budget: float) -> None:
    """Return once ``getMe`` succeeds; raise `TokenRejected` or `Unreachable` otherwise.

    Attempts are spaced 1, 2, 4, … seconds apart until `budget` seconds have passed.
    """
    started = time.monotonic()
    deadline = started + budget
    delay, attempts = FIRST_DELAY, 0
    with _muted():
        while True:
            left = deadline - time.monotonic()
            wait = min(MAX_ATTEMPT_TIMEOUT, max(MIN_ATTEMPT_TIMEOUT, left))
            attempts += 1
            try:
                await _attempt(token, base_url, wait)
                return
            except InvalidToken as exc:
                if not any(isinstance(c, json.JSONDecodeError) for c in _chain(exc)):
                    raise TokenRejected from None
                cause = describe(exc, wait)
            except TelegramError as exc:
                cause = describe(exc, wait)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Unreachable(base_url, cause, attempts, time.monotonic() - started)
            await asyncio.sleep(min(delay, remaining))
            delay *= 2
