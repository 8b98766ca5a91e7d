"""Getting messages through Telegram: rate limits, retries and chats that are gone.

Pacing is python-telegram-bot's `AIORateLimiter`, which also retries 429 answers after the wait
Telegram asks for. It retries nothing else, so 5xx answers and timeouts get a few retries here
with exponential backoff; a chat that blocked the bot or no longer exists is reported as gone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter

from bot.digest.runner import Digest, Outcome, SendResult
from bot.handlers.keyboards import digest_keyboard

log = logging.getLogger(__name__)

# Telegram allows about 30 messages/s overall. The limiter's bucket holds one message and refills
# 28 times a second, so no one-second window ever sees more than 29 even with network jitter.
OVERALL_PER_SECOND = 28
# 20 messages a minute per group: a burst of 5 (one long answer), then one every 4 s, so no
# minute ever sees more than 20.
GROUP_BURST = 5
GROUP_REFILL_SECONDS = 4.0
RATE_LIMIT_RETRIES = 3
GONE_MARKERS = ("chat not found", "bot was kicked", "user is deactivated", "chat_write_forbidden")


class SharedRateLimiter(AIORateLimiter):
    """`AIORateLimiter` whose overall rate can change: replicas split the bot's budget."""

    overall_per_second: float = OVERALL_PER_SECOND

    def set_overall_rate(self, per_second: float) -> None:
        """Send at most `per_second` messages a second from now on (requests waiting finish)."""
        base = self._base_limiter
        if per_second == self.overall_per_second or base is None:
            return
        self.overall_per_second = per_second
        # Changed in place: a new limiter would start with a full bucket while the requests
        # queued on the old one still drain at the old rate, together briefly over the budget.
        base._leak()
        base.time_period = base.max_rate / per_second
        base._rate_per_sec = per_second


def build_rate_limiter() -> SharedRateLimiter:
    """The limiter every request to Telegram goes through."""
    return SharedRateLimiter(
        overall_max_rate=1,
        overall_time_period=1 / OVERALL_PER_SECOND,
        group_max_rate=GROUP_BURST,
        group_time_period=GROUP_BURST * GROUP_REFILL_SECONDS,
        max_retries=RATE_LIMIT_RETRIES,
    )


class TelegramSender:
    """Sends digests with bounded retries; implements `bot.digest.runner.Sender`."""

    def __init__(
        self,
        bot: Bot,
        *,
        attempts: int = 4,
        backoff: float = 1.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.attempts = attempts
        self.backoff = backoff
        self._sleep = sleep

    async def send_digest(self, digest: Digest) -> SendResult:
        """Send every part of a digest; the keyboard goes with the last part."""
        chat_id = digest.chat_id
        migrated: int | None = None
        keyboard = digest_keyboard(digest.items)
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
                await self.bot.send_message(chat_id, text, reply_markup=markup)
            except ChatMigrated as exc:
                log.info("chat %s moved to %s", chat_id, exc.new_chat_id)
                chat_id = migrated_to = int(exc.new_chat_id)
                continue
            except RetryAfter as exc:
                # The limiter already waited and retried; Telegram still says wait.
                wait = exc.retry_after
                seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
                log.warning("chat %s: flood wait %.0f s (attempt %d)", chat_id, seconds, attempt)
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
