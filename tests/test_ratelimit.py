"""The rate limiter as Telegram sees it: windows, lanes, group limits and flood waits.

Most tests run the limiter on virtual time against a stand-in for Telegram that notes when each
request arrives; one runs the real bot, with its real limiter, for a fraction of a second.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Awaitable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED_ID, T0
from telegram.error import RetryAfter

from bot.config import Config
from bot.ratelimit import Lane, LaneRateLimiter
from bot.simulation.harness import SimulatedBot

GROUP = -100_777


class VirtualTime:
    """A clock and a `sleep` for the limiter; `run` moves time on whenever every task waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        """The virtual time, in seconds."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of virtual time."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), next(self._order), future))
        await future

    async def run(self, *coroutines: Coroutine[Any, Any, Any]) -> list[Any]:
        """Run the coroutines to the end; return their results (or exceptions)."""
        tasks = [asyncio.ensure_future(c) for c in coroutines]
        while True:
            await self.settle()
            if all(task.done() for task in tasks):
                return [task.exception() or task.result() for task in tasks]
            self.wake_next()

    async def run_until(self, moment: float) -> None:
        """Move time on to `moment`, letting everything due until then happen."""
        while True:
            await self.settle()
            self._drop_cancelled()
            if not self._sleepers or self._sleepers[0][0] > moment:
                self.now = max(self.now, moment)
                await self.settle()
                return
            self.wake_next()

    def wake_next(self) -> None:
        """Jump to the earliest sleeper and wake it."""
        self._drop_cancelled()
        assert self._sleepers, "every task waits, and nothing will wake them"
        when, _, future = heapq.heappop(self._sleepers)
        self.now = max(self.now, when)
        future.set_result(None)

    def _drop_cancelled(self) -> None:
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)

    @staticmethod
    async def settle() -> None:
        """Let every task that can run, run (no time passes)."""
        for _ in range(30):
            await asyncio.sleep(0)


@dataclass
class Arrival:
    """A request as Telegram received it."""

    at: float
    chat_id: int
    label: str


@dataclass
class FakeTelegram:
    """Receives requests half-way through a round trip; can answer the next ones with 429."""

    time: VirtualTime
    round_trip: float = 0.02
    refuse: int = 0
    retry_after: int = 5
    arrivals: list[Arrival] = field(default_factory=list)
    refusals: list[float] = field(default_factory=list)

    async def send(self, chat_id: int, label: str) -> bool:
        """One sendMessage."""
        await self.time.sleep(self.round_trip / 2)
        if self.refuse:
            self.refuse -= 1
            self.refusals.append(self.time.now)
            await self.time.sleep(self.round_trip / 2)
            raise RetryAfter(self.retry_after)
        self.arrivals.append(Arrival(self.time.now, chat_id, label))
        await self.time.sleep(self.round_trip / 2)
        return True

    def labels(self) -> list[str]:
        """What arrived, in order."""
        return [a.label for a in self.arrivals]


@pytest.fixture
def vt() -> VirtualTime:
    """Virtual time for the limiter under test."""
    return VirtualTime()


@pytest.fixture
def telegram(vt: VirtualTime) -> FakeTelegram:
    """The stand-in for Telegram, on virtual time."""
    return FakeTelegram(vt)


@pytest.fixture
async def limiter(vt: VirtualTime) -> Any:
    """The production limiter on virtual time."""
    limiter = LaneRateLimiter(clock=vt.clock, sleep=vt.sleep)
    await limiter.initialize()
    yield limiter
    await limiter.shutdown()


def send(
    limiter: LaneRateLimiter,
    telegram: FakeTelegram,
    chat_id: int,
    label: str,
    lane: Lane | None = None,
) -> Awaitable[Any]:
    """A sendMessage through the limiter, as python-telegram-bot's `ExtBot` hands it over."""
    return limiter.process_request(
        telegram.send,
        (),
        {"chat_id": chat_id, "label": label},
        "sendMessage",
        {"chat_id": chat_id, "text": label},
        lane,
    )


def most_in_window(stamps: list[float], span: float) -> int:
    """The most stamps in any half-open window [t, t + span)."""
    ordered = sorted(stamps)
    best = start = 0
    for end, stamp in enumerate(ordered):
        while ordered[start] <= stamp - span:
            start += 1
        best = max(best, end - start + 1)
    return best


class TestOverallWindow:
    """A fan-out uses Telegram's ~30/s and never more, wherever the requests are delayed."""

    async def test_no_second_holds_more_than_30(
        self, vt: VirtualTime, telegram: FakeTelegram, limiter: LaneRateLimiter
    ) -> None:
        telegram.round_trip = 0.3  # slow answers: arrivals could bunch if starts were counted
        sends = [send(limiter, telegram, 1000 + i, f"d{i}", Lane.DIGEST) for i in range(300)]
        await vt.run(*sends)
        stamps = [a.at for a in telegram.arrivals]
        assert len(stamps) == 300
        assert most_in_window(stamps, 1.0) == 30
        # ...and it uses the budget: 30 per 1 s window plus one round trip.
        assert stamps[-1] - stamps[0] < 300 / 30 * 1.3 + 1

    async def test_steady_rate_is_close_to_30(
        self, vt: VirtualTime, telegram: FakeTelegram, limiter: LaneRateLimiter
    ) -> None:
        await vt.run(*(send(limiter, telegram, 1000 + i, "d", Lane.DIGEST) for i in range(600)))
        stamps = [a.at for a in telegram.arrivals]
        later = [s for s in stamps if s >= stamps[0] + 1.0]
        rate = (len(later) - 1) / (later[-1] - later[0])
        assert 29.0 <= rate <= 30.0

    async def test_requests_without_a_chat_are_not_counted(
        self, vt: VirtualTime, telegram: FakeTelegram, limiter: LaneRateLimiter
    ) -> None:
        async def get_me() -> bool:
            telegram.arrivals.append(Arrival(vt.now, 0, "getMe"))
            return True

        digests = [send(limiter, telegram, 1000 + i, "d", Lane.DIGEST) for i in range(60)]
        calls = [limiter.process_request(get_me, (), {}, "getMe", {}, None) for _ in range(40)]
        await vt.run(*digests, *calls)
        assert [a.at for a in telegram.arrivals if a.label == "getMe"] == [0.0] * 40


class TestLanes:
    """Answers to commands go out before any digest that waits, however many there are."""

    async def test_reply_behind_100_digests_goes_next(
        self, vt: VirtualTime, telegram: FakeTelegram, limiter: LaneRateLimiter
    ) -> None:
        digests = [
            asyncio.ensure_future(send(limiter, telegram, 1000 + i, f"d{i}", Lane.DIGEST))
            for i in range(130)
        ]
        await vt.run_until(0.5)
        assert limiter.overall.waiting(Lane.DIGEST) >= 100
        before = len(telegram.arrivals)
        asked_at = vt.now
        await vt.run(send(limiter, telegram, 42, "reply"), *digests)
        labels = telegram.labels()
        # At most the one digest already on its way when the reply was asked arrives before it.
        assert "reply" in labels[before : before + 2]
        reply = next(a for a in telegram.arrivals if a.label == "reply")
        assert reply.at - asked_at < 0.1
        assert sorted(labels) == sorted(["reply", *(f"d{i}" for i in range(130))])

    async def test_replies_never_starve(
        self, vt: VirtualTime, telegram: FakeTelegram, limiter: LaneRateLimiter
    ) -> None:
        fanout = [send(limiter, telegram, 1000 + i, "d", Lane.DIGEST) for i in range(400)]
        waits: list[float] = []

        async def user(i: int) -> None:
            await vt.sleep(0.37 * i)
            asked = vt.now
            await send(limiter, telegram, 50 + i, f"r{i}")
            waits.append(vt.now - asked)

        await vt.run(*fanout, *(user(i) for i in range(30)))
        assert len(waits) == 30
        # In the queue behind the digests, the last answer would wait ~13 s. An answer waits for
        # the next slot to free up: within ~1/30 s, or once a second one round trip more.
        assert sorted(waits)[len(waits) // 2] < 0.05
        assert max(waits) < 0.1
        assert most_in_window([a.at for a in telegram.arrivals], 1.0) <= 30

    async def test_digests_use_what_replies_leave(
        self, vt: VirtualTime, telegram: FakeTelegram, limiter: LaneRateLimiter
    ) -> None:
        replies = [send(limiter, telegram, 50 + i, "r") for i in range(20)]
        digests = [send(limiter, telegram, 1000 + i, "d", Lane.DIGEST) for i in range(20)]
        await vt.run(*digests, *replies)
        labels = telegram.labels()
        # The first digest found the way free; the others wait their spacing, the replies don't.
        assert labels == ["d"] + ["r"] * 20 + ["d"] * 19


class TestGroupsAndChats:
    """20 messages a minute in a group; about one digest message a second in any chat."""

    async def test_20_per_minute_in_a_group(
        self, vt: VirtualTime, telegram: FakeTelegram, limiter: LaneRateLimiter
    ) -> None:
        await vt.run(*(send(limiter, telegram, GROUP, f"g{i}", Lane.DIGEST) for i in range(45)))
        stamps = [a.at for a in telegram.arrivals]
        assert len(stamps) == 45
        assert most_in_window(stamps, 60.0) == 20
        assert stamps[20] - stamps[0] >= 60.0

    async def test_a_busy_group_does_not_hold_up_other_chats(
        self, vt: VirtualTime, telegram: FakeTelegram, limiter: LaneRateLimiter
    ) -> None:
        group = [send(limiter, telegram, GROUP, "g", Lane.DIGEST) for _ in range(25)]
        others = [send(limiter, telegram, 1000 + i, "p", Lane.DIGEST) for i in range(25)]
        await vt.run(*group, *others)
        private = [a.at for a in telegram.arrivals if a.label == "p"]
        assert max(private) < 3.0

    async def test_digest_parts_in_one_chat_after_a_burst_of_3(
        self, vt: VirtualTime, telegram: FakeTelegram, limiter: LaneRateLimiter
    ) -> None:
        async def digest() -> None:
            for i in range(6):
                await send(limiter, telegram, 1001, f"part{i}", Lane.DIGEST)

        await vt.run(digest())
        assert telegram.labels() == [f"part{i}" for i in range(6)]
        first = telegram.arrivals[0].at
        assert [round(a.at - first) for a in telegram.arrivals] == [0, 0, 0, 1, 2, 3]

    async def test_replies_follow_the_user(
        self, vt: VirtualTime, telegram: FakeTelegram, limiter: LaneRateLimiter
    ) -> None:
        async def user() -> None:
            for i in range(10):
                await send(limiter, telegram, 1001, f"r{i}")
                await vt.sleep(0.1)

        await vt.run(user())
        stamps = [a.at for a in telegram.arrivals]
        assert stamps[-1] - stamps[0] < 2.0  # ten answers in a second, not one a second
        # A digest right after them waits for the chat's pace, but not for all ten answers.
        await vt.run(send(limiter, telegram, 1001, "digest", Lane.DIGEST))
        assert 0.5 < telegram.arrivals[-1].at - stamps[-1] < 1.2


class TestFloodWait:
    """A 429 stops every request for the time Telegram asks, then the refused one is retried."""

    async def test_429_pauses_everything_then_retries(
        self, vt: VirtualTime, telegram: FakeTelegram, limiter: LaneRateLimiter
    ) -> None:
        telegram.refuse, telegram.retry_after = 1, 5
        results = await vt.run(
            *(send(limiter, telegram, 1000 + i, f"d{i}", Lane.DIGEST) for i in range(60))
        )
        assert results == [True] * 60
        (refused_at,) = telegram.refusals
        quiet = [a for a in telegram.arrivals if refused_at < a.at < refused_at + 5]
        # Only requests that had started before the 429 came back may arrive in the pause.
        assert len(quiet) <= 2
        assert sorted(telegram.labels()) == sorted(f"d{i}" for i in range(60))  # none twice
        assert most_in_window([a.at for a in telegram.arrivals], 1.0) <= 30

    async def test_gives_up_after_the_retries(
        self, vt: VirtualTime, telegram: FakeTelegram, limiter: LaneRateLimiter
    ) -> None:
        telegram.refuse, telegram.retry_after = 10, 2
        (result,) = await vt.run(send(limiter, telegram, 1001, "d", Lane.DIGEST))
        assert isinstance(result, RetryAfter)
        assert len(telegram.refusals) == limiter.max_retries + 1
        gaps = [b - a for a, b in itertools.pairwise(telegram.refusals)]
        assert all(gap >= 2.0 for gap in gaps)
        assert telegram.arrivals == []


def send_paid(limiter: LaneRateLimiter, telegram: FakeTelegram, chat_id: int) -> Awaitable[Any]:
    """A digest sent as a paid broadcast."""
    data = {"chat_id": chat_id, "text": "p", "allow_paid_broadcast": True}
    return limiter.process_request(
        telegram.send, (), {"chat_id": chat_id, "label": "paid"}, "sendMessage", data, Lane.DIGEST
    )


class TestPaidBroadcast:
    """Paid broadcasts have a budget of their own, far above 30/s; replies keep the free one."""

    @pytest.fixture
    async def paid(self, vt: VirtualTime) -> Any:
        limiter = LaneRateLimiter(paid_per_second=100, clock=vt.clock, sleep=vt.sleep)
        await limiter.initialize()
        yield limiter
        await limiter.shutdown()

    async def test_paced_at_the_paid_rate(
        self, vt: VirtualTime, telegram: FakeTelegram, paid: LaneRateLimiter
    ) -> None:
        await vt.run(*(send_paid(paid, telegram, 1000 + i) for i in range(500)))
        stamps = [a.at for a in telegram.arrivals]
        assert len(stamps) == 500
        assert most_in_window(stamps, 1.0) == 100
        # 100 per window of 1 s plus a round trip: about 5 s, where 30/s would take 16.
        assert stamps[-1] - stamps[0] < 500 / 100 * 1.1

    async def test_replies_keep_the_free_budget_alongside(
        self, vt: VirtualTime, telegram: FakeTelegram, paid: LaneRateLimiter
    ) -> None:
        digests = [send_paid(paid, telegram, 1000 + i) for i in range(300)]
        replies = [send(paid, telegram, 5000 + i, "reply") for i in range(60)]
        await vt.run(*digests, *replies)
        free = [a.at for a in telegram.arrivals if a.label == "reply"]
        paid_stamps = [a.at for a in telegram.arrivals if a.label == "paid"]
        assert len(free) == 60 and len(paid_stamps) == 300
        assert most_in_window(free, 1.0) == 30
        assert most_in_window(paid_stamps, 1.0) == 100
        assert min(free) == 0.01  # the first reply did not wait behind the broadcast

    async def test_one_chat_still_gets_about_one_a_second(
        self, vt: VirtualTime, telegram: FakeTelegram, paid: LaneRateLimiter
    ) -> None:
        await vt.run(*(send_paid(paid, telegram, 1001) for _ in range(6)))
        stamps = [a.at for a in telegram.arrivals]
        assert most_in_window(stamps, 1.0) <= 3
        assert stamps[-1] - stamps[0] >= 3.0

    async def test_a_429_is_reported_and_pauses_paid_requests_too(
        self, vt: VirtualTime, telegram: FakeTelegram
    ) -> None:
        waits: list[float] = []
        limiter = LaneRateLimiter(on_flood_wait=waits.append, clock=vt.clock, sleep=vt.sleep)
        telegram.refuse, telegram.retry_after = 1, 3
        results = await vt.run(*(send_paid(limiter, telegram, 1000 + i) for i in range(20)))
        await limiter.shutdown()
        assert results == [True] * 20
        assert waits == [3.0]
        (refused_at,) = telegram.refusals
        late = [a.at for a in telegram.arrivals if a.at > refused_at]
        assert late and min(late) >= refused_at + 3


class TestInTheBot:
    """In the real bot, a command's answer overtakes a digest waiting for the same slot."""

    async def test_answer_overtakes_a_waiting_digest(self, config: Config, tmp_path: Path) -> None:
        async with SimulatedBot(
            config, storage_path=tmp_path / "lanes.sqlite3", start=T0, rate_limit=True
        ) as bot:
            limiter = bot.application.bot.rate_limiter
            assert isinstance(limiter, LaneRateLimiter)
            # Hold everything back for a moment, as after a 429, so both requests queue up.
            limiter.overall.pause_until(time.monotonic() + 0.2)
            started = time.monotonic()
            digest = asyncio.ensure_future(bot.services.runner.deliver(2001))
            for _ in range(1000):
                if limiter.overall.waiting(Lane.DIGEST):
                    break
                await asyncio.sleep(0)
            assert limiter.overall.waiting(Lane.DIGEST) == 1
            answer = await bot.say("/help", chat_id=2002)
            await digest
            assert time.monotonic() - started >= 0.2
            assert [m.chat_id for m in bot.api.sent] == [2002, 2001]
            assert answer and bot.services.store.delivered_ids(2001) == {SEED_ID}
