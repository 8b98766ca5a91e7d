"""Getting messages through Telegram: rate limits, retries and chats that are gone.

Pacing is `bot.ratelimit.LaneRateLimiter`, which also retries 429 answers after the wait Telegram
asks for. Digests go in its digest lane, so answers to commands never wait behind them. It
retries nothing else, so 5xx answers and timeouts get a few retries here with exponential
backoff; a chat that blocked the bot or no longer exists is reported as gone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from telegram.ext import ExtBot

from bot.digest.runner import Digest, Outcome, SendResult
from bot.handlers.keyboards import digest_keyboard, digest_link_keyboard
from bot.i18n import translator
from bot.ratelimit import PAID_PER_SECOND, Lane, LaneRateLimiter

log = logging.getLogger(__name__)

GONE_MARKERS = (
    "chat not found",
    "bot was kicked",
    "user is deactivated",
    "chat_write_forbidden",
    "need administrator rights",  # a channel where the bot lost the right to post
)


def build_rate_limiter(
    paid_per_second: int = PAID_PER_SECOND, *, on_flood_wait: Callable[[float], None] | None = None
) -> LaneRateLimiter:
    """The limiter every request to Telegram goes through; `on_flood_wait` hears of each 429."""
    return LaneRateLimiter(paid_per_second=paid_per_second, on_flood_wait=on_flood_wait)


class TelegramSender:
    """Sends digests with bounded retries; implements `bot.digest.runner.Sender`.

    With `paid`, digests go out as paid broadcasts (``allow_paid_broadcast``), beyond the free
    30/s; answers to commands never do.
    """

    def __init__(
        self,
        bot: ExtBot[Any],
        *,
        attempts: int = 4,
        backoff: float = 1.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        paid: bool = False,
        on_flood_wait: Callable[[float], None] | None = None,
    ) -> None:
        self.bot = bot
        self.paid = paid
        self._on_flood_wait = on_flood_wait
        # PTB refuses rate_limit_args on a bot without a limiter (the simulator runs without),
        # and another limiter would read them its own way.
        self._lane = Lane.DIGEST if isinstance(bot.rate_limiter, LaneRateLimiter) else None
        self.attempts = attempts
        self.backoff = backoff
        self._sleep = sleep

    async def send_digest(self, digest: Digest) -> SendResult:
        """Send every part of a digest; the keyboard goes with the last part."""
        chat_id = digest.chat_id
        migrated: int | None = None
        tr = translator(digest.language)
        if digest.channel:
            keyboard = digest_link_keyboard(digest.items, self.bot.username, tr)
        else:
            keyboard = digest_keyboard(digest.items, tr)
        for i, part in enumerate(digest.parts):
            markup = keyboard if i == len(digest.parts) - 1 else None
            result = await self.send(chat_id, part, markup)
            if result.outcome is Outcome.MIGRATED:
                chat_id = migrated = result.new_chat_id or chat_id
            elif result.outcome is not Outcome.DELIVERED:
                return result
        if migrated is not None:
            return SendResult(Outcome.MIGRATED, new_chat_id=migrated)
        return SendResult(Outcome.DELIVERED)

    async def send(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> SendResult:
        """Send one HTML message, retrying what Telegram says is worth retrying."""
        migrated_to: int | None = None
        for attempt in range(1, self.attempts + 1):
            try:
                await self.bot.send_message(
                    chat_id,
                    text,
                    reply_markup=markup,
                    allow_paid_broadcast=self.paid or None,
                    rate_limit_args=self._lane,
                )
            except ChatMigrated as exc:
                log.info("chat %s moved to %s", chat_id, exc.new_chat_id)
                chat_id = migrated_to = int(exc.new_chat_id)
                continue
            except RetryAfter as exc:
                # The limiter already waited and retried; Telegram still says wait.
                wait = exc.retry_after
                seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
                log.warning("chat %s: flood wait %.0f s (attempt %d)", chat_id, seconds, attempt)
                if self._on_flood_wait is not None:
                    self._on_flood_wait(seconds)
                if attempt == self.attempts:
                    return SendResult(Outcome.FAILED, reason=f"flood wait {seconds:.0f} s")
                await self._sleep(seconds)
                continue
            except Forbidden as exc:
                return SendResult(Outcome.GONE, reason=exc.message)
            except BadRequest as exc:
                if any(marker in exc.message.lower() for marker in GONE_MARKERS):
                    return SendResult(Outcome.GONE, reason=exc.message)
                log.error("chat %s: Telegram refused the message: %s", chat_id, exc.message)
                return SendResult(Outcome.FAILED, reason=exc.message)
            except NetworkError as exc:  # 5xx answers and timeouts (TimedOut subclasses it)
                if attempt == self.attempts:
                    log.warning("chat %s: giving up after %d attempts: %s", chat_id, attempt, exc)
                    return SendResult(Outcome.FAILED, reason=str(exc))
                delay = self.backoff * 2 ** (attempt - 1)
                log.info("chat %s: %s; retrying in %.1f s", chat_id, exc, delay)
                await self._sleep(delay)
                continue
            if migrated_to is not None:
                return SendResult(Outcome.MIGRATED, new_chat_id=migrated_to)
            return SendResult(Outcome.DELIVERED)
        return SendResult(Outcome.FAILED, reason="attempts exhausted")
