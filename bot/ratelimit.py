"""Pacing requests to Telegram: a shared budget in sliding windows, with answers ahead of digests.

Telegram counts a message when it *arrives*, which is some moment between when we start the
request and when its answer comes back. So the limiter counts each request in a window from its
start until one window length after its answer, and lets a request start only while the window
holds fewer than its limit. Any one-second stretch at Telegram then sees at most the limit,
whatever the network or a busy event loop does to the requests in between; under load the rate is
about `limit / (1 s + round trip)`.

Two lanes share the overall budget. Replies to users go first; a digest (a request made with
`rate_limit_args=Lane.DIGEST`) gets a slot only while no reply is waiting for one, so a command's
answer never queues behind a fan-out. Digests take what is left of the budget, and their starts
are spaced ~1/30 s apart (a wake-up up to half an interval late is made up by the next one). The
window then fills evenly, so during a fan-out a slot frees up every ~33 ms (and once a second
after a gap of about one round trip and one interval more), rather than in bursts after which an
answer would wait most of a second. Replies are not spaced: one goes as soon as the window has
room, and the next digest waits one interval more.

Per chat: a group or channel gets at most 20 messages in any minute (counted like the overall
window); any chat gets about one digest message a second after a burst of 3. Replies use up
that burst but do not wait for the pace: they follow the pace at which the user writes, which is
what Telegram's "short bursts tolerated" allows for, and a user typing fast must not find the bot
slower than one second per answer.

A 429 answer pauses every request until its `retry_after` has passed (plus a margin), then the
request is tried again, up to `max_retries` times; the error is raised after that. Requests
without a chat (getMe, answerCallbackQuery, ...) skip the overall window but still respect a
pause. Paid broadcasts (`allow_paid_broadcast`, up to 1000/s for Stars) skip the overall window
too and are counted in a window of their own at `paid_per_second`; per-chat pacing and a group's
20 a minute still apply to them.

Time comes from an injected `clock` (seconds, monotonic) and `sleep`, so tests can run the
limiter on virtual time.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import enum
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
Result = bool | dict[str, Any] | list[dict[str, Any]]

OVERALL_PER_SECOND = 30
PAID_PER_SECOND = 1000
# The window is the limit; spacing digests keeps them from bunching, so that a slot frees up every
# ~1/30 s and an answer never waits long for one.
MIN_INTERVAL = 1 / 30
GROUP_PER_MINUTE = 20
CHAT_BURST = 3
CHAT_INTERVAL = 1.0
MAX_RETRIES = 3
# Added to Telegram's retry_after, which is rounded to whole seconds and counted from its clock.
RETRY_MARGIN = 0.1
# Per-chat state is dropped once idle; checked when this many chats have state.
PRUNE_AT = 1024


class Lane(enum.Enum):
    """Which queue a request waits in for the overall budget; pass as `rate_limit_args`."""

    REPLY = "reply"
    DIGEST = "digest"


class SlidingWindow:
    """At most `limit` requests whose lifetime (start .. answer) touches any `span` seconds.

    Shared by the lanes: `acquire(lane)` hands out slots to waiting replies first, then to digests,
    each lane first come, first served; digests also start `min_interval` apart.
    """

    def __init__(
        self,
        limit: int,
        span: float,
        *,
        min_interval: float = 0.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.limit = limit
        self.span = span
        self.min_interval = min_interval
        self.in_flight = 0
        self.finished: collections.deque[float] = collections.deque()
        # When the next digest may start by the spacing rule.
        self.next_start = float("-inf")
        self.not_before = float("-inf")
        self._clock = clock
        self._sleep = sleep
        self._replies: collections.deque[asyncio.Future[None]] = collections.deque()
        self._digests: collections.deque[asyncio.Future[None]] = collections.deque()
        self._timer: asyncio.Task[None] | None = None
        self._timer_at = float("inf")

    def waiting(self, lane: Lane) -> int:
        """How many requests of a lane wait for a slot."""
        return len(self._replies if lane is Lane.REPLY else self._digests)

    async def acquire(self, lane: Lane = Lane.REPLY) -> None:
        """Wait until this request may start; it then counts until `release()`."""
        ahead = self._replies or (lane is Lane.DIGEST and self._digests)
        if not ahead and self._ready_at(self._clock(), lane) is None:
            self._take(lane)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._replies if lane is Lane.REPLY else self._digests
        queue.append(future)
        self._pump()
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # granted as the waiter was cancelled: give the slot back
            else:
                with contextlib.suppress(ValueError):
                    queue.remove(future)
            raise

    def release(self) -> None:
        """The request got its answer (or failed): it counts for one more `span`."""
        self.in_flight -= 1
        self.finished.append(self._clock())
        self._pump()

    def pause_until(self, moment: float) -> None:
        """No request starts before `moment` (clock seconds)."""
        self.not_before = max(self.not_before, moment)

    def _ready_at(self, now: float, lane: Lane) -> float | None:
        """None if a request may start now; else when to look again (inf: at the next release)."""
        # A timer set for `moment` may read the clock a hair before it (rounding, or asyncio's
        # clock resolution): what falls due within a microsecond counts as due.
        now += 1e-6
        later = self.not_before
        if lane is Lane.DIGEST:
            later = max(later, self.next_start)
        if later > now:
            return later
        span_ago = now - self.span
        finished = self.finished
        while finished and finished[0] <= span_ago:
            finished.popleft()
        if self.in_flight + len(finished) < self.limit:
            return None
        return finished[0] + self.span if finished else float("inf")

    def _take(self, lane: Lane) -> None:
        self.in_flight += 1
        interval = self.min_interval
        if lane is Lane.DIGEST:
            # On schedule one interval after the last; after a quiet spell, half an interval on,
            # so that a late wake-up is made up without two digests ever starting together.
            self.next_start = max(self.next_start + interval, self._clock() + interval / 2)
        else:
            # The reply took the next digest's place: the window stays evenly filled.
            self.next_start = max(self.next_start, self._clock()) + interval

    def _pump(self) -> None:
        """Hand out every slot that is free now; set a timer for the next one."""
        while True:
            lane = Lane.REPLY if self._replies else Lane.DIGEST
            queue = self._replies or self._digests
            while queue and queue[0].done():  # cancelled while waiting
                queue.popleft()
            if not queue:
                if not self._replies and not self._digests:
                    return
                continue
            ready_at = self._ready_at(self._clock(), lane)
            if ready_at is not None:
                self._wake_at(ready_at)
                return
            self._take(lane)
            queue.popleft().set_result(None)

    def _wake_at(self, moment: float) -> None:
        if moment == float("inf") or (self._timer is not None and self._timer_at <= moment):
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = moment
        self._timer = asyncio.ensure_future(self._wake(moment - self._clock()))

    async def _wake(self, delay: float) -> None:
        await self._sleep(max(delay, 0.0))
        self._timer, self._timer_at = None, float("inf")
        self._pump()

    def close(self) -> None:
        """Stop the timer (waiters are the callers' tasks; they end with them)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer, self._timer_at = None, float("inf")


class ChatPace:
    """About one message a second in a chat after a burst: a reservation per message (GCRA)."""

    def __init__(self, burst: int, interval: float) -> None:
        self.interval = interval
        self.tolerance = (burst - 1) * interval
        self.theoretical_arrival: dict[int | str, float] = {}
        self._prune_at = PRUNE_AT

    def reserve(self, chat: int | str, now: float, *, waits: bool = True) -> float:
        """Count one message for `chat`; return how long it should wait before it starts.

        A message that goes without waiting (`waits=False`) uses up the burst but runs up no
        debt beyond it: the next one that waits, waits at most one interval.
        """
        if len(self.theoretical_arrival) >= self._prune_at:
            # A chat whose next message could go now has nothing left to remember.
            self.theoretical_arrival = {
                k: t for k, t in self.theoretical_arrival.items() if t > now
            }
            self._prune_at = max(PRUNE_AT, 2 * len(self.theoretical_arrival))
        due = max(self.theoretical_arrival.get(chat, now), now)
        if not waits:
            due = min(due, now + self.tolerance)
        self.theoretical_arrival[chat] = due + self.interval
        return max(due - self.tolerance - now, 0.0)


class LaneRateLimiter(BaseRateLimiter[Lane]):
    """Telegram's limits as sliding windows over request lifetimes, replies ahead of digests."""

    def __init__(
        self,
        *,
        overall_per_second: int = OVERALL_PER_SECOND,
        min_interval: float = MIN_INTERVAL,
        group_per_minute: int = GROUP_PER_MINUTE,
        chat_burst: int = CHAT_BURST,
        chat_interval: float = CHAT_INTERVAL,
        max_retries: int = MAX_RETRIES,
        paid_per_second: int = PAID_PER_SECOND,
        on_flood_wait: Callable[[float], None] | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self.overall = SlidingWindow(
            overall_per_second, 1.0, min_interval=min_interval, clock=clock, sleep=sleep
        )
        self.paid = SlidingWindow(paid_per_second, 1.0, clock=clock, sleep=sleep)
        self._on_flood_wait = on_flood_wait
        self.group_per_minute = group_per_minute
        self.groups: dict[int | str, SlidingWindow] = {}
        self._prune_groups_at = PRUNE_AT
        self.chats = ChatPace(chat_burst, chat_interval)
        self.max_retries = max_retries
        self._full = (overall_per_second, min_interval, paid_per_second)

    def set_share(self, replicas: int) -> None:
        """Take a 1/`replicas` share of the bot's budget, as each of that many processes does.

        Telegram's limits are per bot: replicas of one bot split them. Requests already waiting
        are served at the new pace.
        """
        replicas = max(1, replicas)
        overall, min_interval, paid = self._full
        self.overall.limit = max(1, overall // replicas)
        self.overall.min_interval = min_interval * replicas
        self.paid.limit = max(1, paid // replicas)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Stop the timers."""
        self.overall.close()
        self.paid.close()
        for window in self.groups.values():
            window.close()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Lane | None,
    ) -> Result:
        """Run `callback` once the limits allow it; after a 429, pause everything and retry."""
        lane = rate_limit_args if isinstance(rate_limit_args, Lane) else Lane.REPLY
        chat_id: Any = data.get("chat_id")
        if chat_id is not None and not isinstance(chat_id, int):
            with contextlib.suppress(TypeError, ValueError):
                chat_id = int(chat_id)
        budget: SlidingWindow | None = None
        if chat_id is not None:
            budget = self.paid if data.get("allow_paid_broadcast", False) else self.overall
        # String ids only name channels and supergroups; negative ids are groups and channels.
        group = (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str)
        if chat_id is not None:
            digest = lane is Lane.DIGEST
            wait = self.chats.reserve(chat_id, self._clock(), waits=digest)
            if wait > 0 and digest:
                await self._sleep(wait)
        for attempt in range(self.max_retries + 1):
            try:
                return await self._run(callback, args, kwargs, lane, chat_id, group, budget)
            except RetryAfter as exc:
                if attempt == self.max_retries:
                    raise
                wait_for = exc.retry_after
                seconds = (
                    wait_for.total_seconds()
                    if isinstance(wait_for, dt.timedelta)
                    else float(wait_for)
                )
                self.overall.pause_until(self._clock() + seconds + RETRY_MARGIN)
                self.paid.pause_until(self._clock() + seconds + RETRY_MARGIN)
                if self._on_flood_wait is not None:
                    self._on_flood_wait(seconds)
                log.info("%s: 429 from Telegram; every request waits %.1f s", endpoint, seconds)
        raise AssertionError("unreachable")

    async def _run(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        lane: Lane,
        chat_id: Any,
        group: bool,
        budget: SlidingWindow | None,
    ) -> Result:
        if group:
            return await self._run_in_group(callback, args, kwargs, lane, chat_id, budget)
        if budget is None:
            await self._after_pause()
            return await callback(*args, **kwargs)
        await budget.acquire(lane)
        try:
            return await callback(*args, **kwargs)
        finally:
            budget.release()

    async def _run_in_group(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        lane: Lane,
        chat_id: int | str,
        budget: SlidingWindow | None,
    ) -> Result:
        window = self.groups.get(chat_id)
        if window is None:
            self._prune_groups()
            window = self.groups[chat_id] = SlidingWindow(
                self.group_per_minute, 60.0, clock=self._clock, sleep=self._sleep
            )
        await window.acquire(lane)
        try:
            if budget is not None:
                await budget.acquire(lane)
            else:
                await self._after_pause()
            try:
                return await callback(*args, **kwargs)
            finally:
                if budget is not None:
                    budget.release()
        finally:
            window.release()

    async def _after_pause(self) -> None:
        wait = self.overall.not_before - self._clock()
        if wait > 0:
            await self._sleep(wait)

    def _prune_groups(self) -> None:
        if len(self.groups) < self._prune_groups_at:
            return
        now = self._clock()
        for key, window in list(self.groups.items()):
            idle = not window.in_flight and not window.waiting(Lane.REPLY)
            idle = idle and not window.waiting(Lane.DIGEST)
            if idle and (not window.finished or window.finished[-1] <= now - window.span):
                window.close()
                del self.groups[key]
        # Chats that stay busy are kept; look again only once there are twice as many.
        self._prune_groups_at = max(PRUNE_AT, 2 * len(self.groups))
