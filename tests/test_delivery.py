"""Getting digests through Telegram: retries with backoff, flood waits, gone and migrated chats."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SEED_ID, T0

from bot.config import Config
from bot.delivery import TelegramSender
from bot.digest.runner import Digest, Outcome
from bot.simulation.harness import SimulatedBot, buttons

CHAT = 1001
GROUP = -4242
SUPERGROUP = -1004242


class Sleeps:
    """A stand-in for `asyncio.sleep` that records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    """Recorded waits of the sender under test."""
    return Sleeps()


@pytest.fixture
def sender(sim: SimulatedBot, sleeps: Sleeps) -> TelegramSender:
    """A sender on the simulated bot's real `Bot`: 3 attempts, backoff 0.5 s, 1 s, no waiting."""
    return TelegramSender(sim.application.bot, attempts=3, backoff=0.5, sleep=sleeps)


def send_attempts(sim: SimulatedBot, chat_id: int) -> list[int]:
    """The HTTP status of every sendMessage the bot tried in a chat."""
    return [
        r.status
        for r in sim.api.requests
        if r.method == "sendMessage" and r.params.get("chat_id") == chat_id
    ]


class TestRetries:
    """5xx answers and timeouts are retried with exponential backoff, a bounded number of times."""

    async def test_server_errors_then_success(
        self, sim: SimulatedBot, sender: TelegramSender, sleeps: Sleeps
    ) -> None:
        sim.api.fail("sendMessage", chat_id=CHAT, times=2)
        result = await sender.send(CHAT, "<b>Hello</b>")
        assert result.outcome is Outcome.DELIVERED
        assert sleeps.waits == [0.5, 1.0]
        assert send_attempts(sim, CHAT) == [500, 500, 200]
        assert [m.visible_text for m in sim.api.messages_to(CHAT)] == ["Hello"]

    async def test_server_errors_exhaust_the_attempts(
        self, sim: SimulatedBot, sender: TelegramSender, sleeps: Sleeps
    ) -> None:
        sim.api.fail("sendMessage", chat_id=CHAT, times=3, status=502, description="Bad Gateway")
        result = await sender.send(CHAT, "Hello")
        assert result.outcome is Outcome.FAILED
        assert sleeps.waits == [0.5, 1.0]  # no wait after the last attempt
        assert send_attempts(sim, CHAT) == [502, 502, 502]
        assert sim.api.messages_to(CHAT) == []

    async def test_timeout_is_retried(
        self, sim: SimulatedBot, sender: TelegramSender, sleeps: Sleeps
    ) -> None:
        sim.api.fail("sendMessage", chat_id=CHAT, timeout=True)
        result = await sender.send(CHAT, "Hello")
        assert result.outcome is Outcome.DELIVERED
        assert sleeps.waits == [0.5]
        assert len(sim.api.messages_to(CHAT)) == 1

    async def test_refused_message_is_not_retried(
        self, sim: SimulatedBot, sender: TelegramSender, sleeps: Sleeps
    ) -> None:
        result = await sender.send(CHAT, "<x>not Telegram HTML</x>")
        assert result.outcome is Outcome.FAILED
        assert "parse entities" in result.reason
        assert sleeps.waits == []
        assert send_attempts(sim, CHAT) == [400]

    async def test_flood_wait_without_limiter_waits_retry_after(
        self, sim: SimulatedBot, sender: TelegramSender, sleeps: Sleeps
    ) -> None:
        sim.api.fail("sendMessage", chat_id=CHAT, retry_after=7)
        result = await sender.send(CHAT, "Hello")
        assert result.outcome is Outcome.DELIVERED
        assert sleeps.waits == [7.0]
        assert send_attempts(sim, CHAT) == [429, 200]

    async def test_failed_digest_records_nothing(
        self,
        sim: SimulatedBot,
        instant_retries: Callable[[SimulatedBot], list[float]],
    ) -> None:
        waits = instant_retries(sim)
        sim.api.fail("sendMessage", chat_id=CHAT, times=3)
        result = await sim.services.runner.deliver(CHAT)
        assert result is not None and result.outcome is Outcome.FAILED
        assert waits == [0.5, 1.0]
        assert sim.services.store.delivered_ids(CHAT) == set()
        # The briefing is still waiting for this chat.
        retry = await sim.services.runner.deliver(CHAT)
        assert retry is not None and retry.outcome is Outcome.DELIVERED
        assert sim.services.store.delivered_ids(CHAT) == {SEED_ID}


class TestUnreachableChats:
    """A chat that blocked the bot or no longer exists is reported gone, without retries."""

    async def test_blocked(self, sim: SimulatedBot, sender: TelegramSender, sleeps: Sleeps) -> None:
        sim.api.block(CHAT)
        result = await sender.send(CHAT, "Hello")
        assert result.outcome is Outcome.GONE
        assert "blocked" in result.reason
        assert sleeps.waits == []
        assert send_attempts(sim, CHAT) == [403]

    async def test_chat_not_found(
        self, sim: SimulatedBot, sender: TelegramSender, sleeps: Sleeps
    ) -> None:
        sim.api.forget_chat(CHAT)
        result = await sender.send(CHAT, "Hello")
        assert result.outcome is Outcome.GONE
        assert "chat not found" in result.reason.lower()
        assert send_attempts(sim, CHAT) == [400]

    async def test_migrated_group_gets_it_under_the_new_id(
        self, sim: SimulatedBot, sender: TelegramSender
    ) -> None:
        sim.api.register_chat(GROUP, "group", "Old group")
        sim.api.migrate(GROUP, SUPERGROUP)
        result = await sender.send(GROUP, "Hello")
        assert result.outcome is Outcome.MIGRATED
        assert result.new_chat_id == SUPERGROUP
        assert sim.api.messages_to(GROUP) == []
        assert [m.visible_text for m in sim.api.messages_to(SUPERGROUP)] == ["Hello"]


class TestSendDigest:
    """A digest in several parts: buttons under the last part; a migration carries on."""

    async def test_parts_in_order_with_buttons_on_the_last(
        self, sim: SimulatedBot, sender: TelegramSender
    ) -> None:
        items = sim.services.library.newest()
        result = await sender.send_digest(Digest(CHAT, ["<b>Part one</b>", "Part two"], items))
        assert result.outcome is Outcome.DELIVERED
        first, second = sim.api.messages_to(CHAT)
        assert (first.visible_text, second.visible_text) == ("Part one", "Part two")
        assert buttons(first) == []
        assert [data for _, data in buttons(second)] == [f"o:{SEED_ID}"]

    async def test_migration_after_first_part(
        self, sim: SimulatedBot, sender: TelegramSender
    ) -> None:
        items = sim.services.library.newest()
        sim.api.register_chat(GROUP, "group", "Old group")
        sim.api.migrate(GROUP, SUPERGROUP)
        result = await sender.send_digest(Digest(GROUP, ["One", "Two"], items))
        assert result.outcome is Outcome.MIGRATED and result.new_chat_id == SUPERGROUP
        assert [m.visible_text for m in sim.api.messages_to(SUPERGROUP)] == ["One", "Two"]
        # Only the first part went to the old id (and bounced); the second went straight over.
        assert send_attempts(sim, GROUP) == [400]

    async def test_refused_part_stops_the_digest(
        self, sim: SimulatedBot, sender: TelegramSender
    ) -> None:
        result = await sender.send_digest(Digest(CHAT, ["One", "<x>Two</x>", "Three"], []))
        assert result.outcome is Outcome.FAILED
        assert [m.visible_text for m in sim.api.messages_to(CHAT)] == ["One"]
        assert send_attempts(sim, CHAT) == [200, 400]


class TestRateLimiter:
    """With the production rate limiter, a 429 is waited out and the digest still arrives."""

    async def test_flood_wait_is_retried_by_the_limiter(
        self, config: Config, tmp_path: Path
    ) -> None:
        async with SimulatedBot(
            config, storage_path=tmp_path / "limited.sqlite3", start=T0, rate_limit=True
        ) as bot:
            sleeps = Sleeps()
            bot.services.runner.sender = TelegramSender(bot.application.bot, sleep=sleeps)
            bot.api.fail("sendMessage", chat_id=CHAT, retry_after=1)
            started = time.monotonic()
            result = await bot.services.runner.deliver(CHAT)
            waited = time.monotonic() - started
            assert result is not None and result.outcome is Outcome.DELIVERED
            assert send_attempts(bot, CHAT) == [429, 200]
            assert waited >= 1.0  # the limiter itself waited retry_after
            assert sleeps.waits == []  # ...so the sender had nothing left to wait for
            assert bot.services.store.delivered_ids(CHAT) == {SEED_ID}
            assert len(bot.api.messages_to(CHAT)) == 1


class TestPaidBroadcast:
    """With `digest.paid_broadcast`, digests go out as paid broadcasts; answers never do."""

    @staticmethod
    def paid_flags(bot: SimulatedBot, chat_id: int) -> list[object]:
        return [
            r.params.get("allow_paid_broadcast")
            for r in bot.api.requests
            if r.method == "sendMessage" and r.params.get("chat_id") == chat_id
        ]

    @pytest.mark.parametrize("paid", [True, False])
    async def test_digest_paid_reply_free(self, config: Config, tmp_path: Path, paid: bool) -> None:
        digest = config.digest.model_copy(update={"paid_broadcast": paid})
        paid_config = config.model_copy(update={"digest": digest})
        async with SimulatedBot(
            paid_config, storage_path=tmp_path / "paid.sqlite3", start=T0, rate_limit=True
        ) as bot:
            await bot.say("/help", chat_id=CHAT)
            result = await bot.services.runner.deliver(CHAT + 1)
            assert result is not None and result.outcome is Outcome.DELIVERED
            assert self.paid_flags(bot, CHAT) == [None]
            assert self.paid_flags(bot, CHAT + 1) == ([True] if paid else [None])
