"""Prototype (not used by the bot): a rate limiter that bounds what Telegram sees.

Used by `bench_fanout.py --limiter window` to compare with the bot's `AIORateLimiter`.

Why: `AIORateLimiter` spaces the *start* of requests (1 every 1/28 s), but Telegram counts
requests when they *arrive*. Anything that delays a started request before its bytes leave (a busy
event loop, a new connection, GIL contention) lets later requests catch up, so the arrivals
bunch: a one-second window at Telegram can hold more than the 29 the limiter promises. Worse, after
a 429 `AIORateLimiter` pauses requests *after* they took their slot, so every slot handed out
during the pause fires at once when it ends, which draws the next 429s.

How: Telegram's view of a request is some moment between when we start it and when its answer
arrives. `SlidingWindow` counts each request from its start until one `span` after its answer, and
lets a request start only while fewer than `limit` are counted. So any `span`-long window at
Telegram holds at most `limit` requests, whatever the delays; under load, throughput is about
`limit / (span + latency)`. Starts are also spaced by `min_interval` (1/30 s), so the window fills
evenly instead of in bursts that then make later requests wait most of a second. A 429 moves a
"not before" time that every request waits for *before* it takes a slot.

Limits of the prototype: no `allow_paid_broadcast` handling, and per-group windows are never
forgotten.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)


class SlidingWindow:
    """At most `limit` requests whose lifetime (start .. answer) touches any `span` seconds."""

    def __init__(self, limit: int, span: float, min_interval: float = 0.0) -> None:
        self.limit = limit
        self.span = span
        self.min_interval = min_interval
        self.last_start = float("-inf")
        self.in_flight = 0
        self.finished: collections.deque[float] = collections.deque()
        self._lock = asyncio.Lock()  # first come, first served
        self._released = asyncio.Event()

    async def acquire(self, not_before: Callable[[], float]) -> None:
        """Wait for a free slot, until `not_before()` and `min_interval` after the last start."""
        loop = asyncio.get_running_loop()
        async with self._lock:
            while True:
                now = loop.time()
                start_at = max(not_before(), self.last_start + self.min_interval)
                if now < start_at:
                    await asyncio.sleep(start_at - now)
                    continue
                while self.finished and self.finished[0] <= now - self.span:
                    self.finished.popleft()
                if self.in_flight + len(self.finished) < self.limit:
                    self.in_flight += 1
                    self.last_start = now
                    return
                if self.finished:
                    await asyncio.sleep(self.finished[0] + self.span - now)
                else:
                    self._released.clear()
                    await self._released.wait()

    def release(self) -> None:
        """The request got its answer (or failed): count it for one more `span`."""
        self.in_flight -= 1
        self.finished.append(asyncio.get_running_loop().time())
        self._released.set()


class WindowRateLimiter(BaseRateLimiter[int]):
    """Telegram's limits as sliding windows over request lifetimes; retries 429 answers."""

    def __init__(
        self,
        per_second: int = 29,
        group_per_minute: int = 20,
        max_retries: int = 3,
        min_interval: float = 1 / 30,
    ) -> None:
        self.overall = SlidingWindow(per_second, 1.0, min_interval)
        self.group_per_minute = group_per_minute
        self.groups: dict[int | str, SlidingWindow] = {}
        self.max_retries = max_retries
        self.resume_at = 0.0

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Run `callback` once the windows allow it; after a 429, wait and try again."""
        chat_id = data.get("chat_id")
        if chat_id is None:
            return await callback(*args, **kwargs)
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)
        is_group = (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str)
        retries = rate_limit_args or self.max_retries
        for attempt in range(retries + 1):
            windows = [self.overall]
            if is_group:
                group = self.groups.setdefault(chat_id, SlidingWindow(self.group_per_minute, 60.0))
                windows.insert(0, group)
            taken: list[SlidingWindow] = []
            try:
                for window in windows:
                    await window.acquire(lambda: self.resume_at)
                    taken.append(window)
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == retries:
                    raise
                wait = exc.retry_after
                seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
                now = asyncio.get_running_loop().time()
                self.resume_at = max(self.resume_at, now + seconds + 0.1)
                log.info("429 from Telegram: every send waits %.1f s", seconds)
            finally:
                for window in taken:
                    window.release()
        raise AssertionError("unreachable")
