"""Scheduled digests end to end: the real bot on the fake Bot API, driven by a hand-moved clock."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import SEED_ID, T0, make_config

from bot.config import Config
from bot.digest.runner import Digest, Outcome, SendResult
from bot.simulation.fake_api import SentMessage
from bot.simulation.harness import SimulatedBot, buttons

UTC = dt.UTC
DAY = dt.timedelta(days=1)
EIGHT = dt.datetime(2026, 11, 25, 8, tzinfo=UTC)  # the default "0 8 * * *" in UTC
CHAT = 1001
OTHER = 1002
GROUP = -4242
SUPERGROUP = -1004242
SEED_TITLE = "Ukraine’s allies rally"

InstantRetries = Callable[[SimulatedBot], list[float]]


@asynccontextmanager
async def running(config: Config, at: dt.datetime) -> AsyncIterator[SimulatedBot]:
    """Start the bot on `config`'s storage with its clock at `at`; stop it on leaving."""
    async with SimulatedBot(config, storage_path=config.storage.path, start=at) as bot:
        yield bot
        assert not bot.errors, f"handlers raised: {bot.errors!r}"


def digests(sent: list[SentMessage], chat_id: int | None = None) -> list[str]:
    """The visible text of the digests among `sent` (to `chat_id` if given)."""
    return [
        m.visible_text
        for m in sent
        if m.visible_text.startswith("Your digest") and chat_id in (None, m.chat_id)
    ]


def send_attempts(bot: SimulatedBot, chat_id: int) -> int:
    """How many times the bot has tried to send a message to a chat."""
    return sum(
        1
        for r in bot.api.requests
        if r.method == "sendMessage" and r.params.get("chat_id") == chat_id
    )


async def subscribe(bot: SimulatedBot, *chats: int) -> None:
    """Each private chat subscribes on the default schedule."""
    for chat_id in chats:
        reply = await bot.say("/subscribe", chat_id=chat_id)
        assert "Subscribed" in reply[0].visible_text


class TestScheduledDigest:
    """A subscriber gets one digest per slot with what it has not seen, and nothing otherwise."""

    async def test_one_digest_at_eight_not_before(self, sim: SimulatedBot) -> None:
        await subscribe(sim, CHAT)
        sent, stats = await sim.advance(dt.timedelta(minutes=59, seconds=59))
        assert sent == [] and stats.due == 0
        sent, stats = await sim.advance(dt.timedelta(seconds=1))
        assert len(sent) == 1 and stats.sent == 1
        (digest,) = sent
        assert digest.chat_id == CHAT
        assert digest.date == int(EIGHT.timestamp())
        text = digest.visible_text
        assert text.startswith("Your digest · 1 new briefing")
        assert SEED_TITLE in text and "15 March 2025" in text
        assert "· British Prime Minister Keir Starmer is hosting a virtual meeting" in text
        assert f"/summary {SEED_ID}" in text
        assert [data for _, data in buttons(digest)] == [f"o:{SEED_ID}"]

    async def test_digest_button_opens_the_summary(self, sim: SimulatedBot) -> None:
        await subscribe(sim, CHAT)
        (digest,), _ = await sim.travel_to(EIGHT)
        opened = await sim.press(digest, f"o:{SEED_ID}")
        assert any(SEED_TITLE in m.visible_text and "Key points" in m.visible_text for m in opened)

    async def test_nothing_new_next_day_sends_nothing(self, sim: SimulatedBot) -> None:
        await subscribe(sim, CHAT)
        await sim.travel_to(EIGHT)
        sent, stats = await sim.advance(DAY)
        assert sent == []
        assert stats.empty == 1
        record = sim.services.store.chat(CHAT)
        assert record is not None and record.next_due == EIGHT + 2 * DAY

    async def test_new_briefing_reaches_every_subscriber_in_next_digest(
        self, sim: SimulatedBot, write_briefing: Callable[..., Path]
    ) -> None:
        await subscribe(sim, CHAT, OTHER)
        sent, _ = await sim.travel_to(EIGHT)
        assert len(digests(sent, CHAT)) == len(digests(sent, OTHER)) == 1
        write_briefing("fresh-news", "2026-11-25", title="Fresh news from the front")
        sim.reload()
        sent, _ = await sim.advance(DAY - dt.timedelta(seconds=1))
        assert sent == []  # not pushed before the next slot
        sent, _ = await sim.advance(dt.timedelta(seconds=1))
        for chat_id in (CHAT, OTHER):
            (text,) = digests(sent, chat_id)
            assert text.startswith("Your digest · 1 new briefing")
            assert "Fresh news from the front" in text and "/summary fresh-news" in text
            assert SEED_TITLE not in text

    async def test_newest_first_at_most_max_items_with_more(
        self,
        briefings_dir: Path,
        tmp_path: Path,
        write_briefing: Callable[..., Path],
    ) -> None:
        for briefing_id, day in (("older", 20), ("middle", 22), ("newest", 24)):
            write_briefing(briefing_id, f"2026-11-{day}", title=f"The {briefing_id} one")
        config = make_config(briefings_dir, tmp_path / "s.sqlite3", digest={"max_items": 2})
        async with running(config, T0) as bot:
            await subscribe(bot, CHAT)
            sent, _ = await bot.travel_to(EIGHT)
            (first,) = digests(sent)
            assert first.startswith("Your digest · 2 new briefings")
            assert first.index("The newest one") < first.index("The middle one")
            assert "The older one" not in first and SEED_TITLE not in first
            assert "…and 2 more in the next digest" in first
            sent, _ = await bot.advance(DAY)
            (second,) = digests(sent)
            assert second.index("The older one") < second.index(SEED_TITLE)
            assert "more in the next digest" not in second
            sent, _ = await bot.advance(DAY)
            assert sent == []

    async def test_broken_file_keeps_its_last_good_version(
        self,
        sim: SimulatedBot,
        write_briefing: Callable[..., Path],
    ) -> None:
        path = write_briefing("kept", "2026-11-24", title="Kept title")
        sim.reload()
        path.write_text("title: [this is not closed\n", encoding="utf-8")
        sim.reload()
        assert sim.services.library.errors
        await subscribe(sim, CHAT)
        sent, _ = await sim.travel_to(EIGHT)
        (text,) = digests(sent)
        assert "Kept title" in text

    async def test_removed_briefing_is_not_offered(
        self,
        sim: SimulatedBot,
        write_briefing: Callable[..., Path],
    ) -> None:
        path = write_briefing("withdrawn", "2026-11-24", title="Withdrawn story")
        sim.reload()
        path.unlink()
        sim.reload()
        await subscribe(sim, CHAT)
        sent, _ = await sim.travel_to(EIGHT)
        (text,) = digests(sent)
        assert "Withdrawn story" not in text and SEED_TITLE in text

    async def test_unsubscribed_chat_gets_nothing(self, sim: SimulatedBot) -> None:
        await subscribe(sim, CHAT)
        await sim.say("/unsubscribe", chat_id=CHAT)
        sent, _ = await sim.travel_to(EIGHT + DAY)
        assert sent == []

    async def test_chat_time_and_zone(self, sim: SimulatedBot) -> None:
        await sim.say("/timezone America/New_York", chat_id=CHAT)
        await sim.say("/subscribe 06:45", chat_id=CHAT)
        sent, _ = await sim.travel_to(dt.datetime(2026, 11, 25, 11, 44, tzinfo=UTC))
        assert sent == []
        sent, _ = await sim.advance(dt.timedelta(minutes=1))  # 06:45 EST
        assert len(digests(sent, CHAT)) == 1


class TestDaylightSaving:
    """A daily digest keeps its local time through clock changes: one a day, none skipped."""

    @pytest.mark.parametrize(
        ("zone", "change", "at", "on_the_day"),
        [
            ("Europe/Berlin", dt.date(2026, 3, 29), "02:30", "03:00"),  # 02:30 does not exist
            ("Europe/Berlin", dt.date(2026, 10, 25), "02:30", "02:30"),  # 02:30 happens twice
            ("America/New_York", dt.date(2026, 3, 8), "02:30", "03:00"),
            ("America/New_York", dt.date(2026, 11, 1), "01:30", "01:30"),
            ("America/New_York", dt.date(2026, 3, 8), "08:00", "08:00"),
        ],
    )
    async def test_one_digest_a_day_at_local_time(
        self,
        config: Config,
        write_briefing: Callable[..., Path],
        zone: str,
        change: dt.date,
        at: str,
        on_the_day: str,
    ) -> None:
        tz = ZoneInfo(zone)
        days = [change + dt.timedelta(days=n) for n in range(-2, 3)]
        start = dt.datetime.combine(days[0], dt.time(), tzinfo=tz)
        async with running(config, start) as bot:
            await bot.say(f"/timezone {zone}", chat_id=CHAT)
            await bot.say(f"/subscribe {at}", chat_id=CHAT)
            for n, day in enumerate(days):
                write_briefing(f"news-{n}", "2026-01-01")  # something new every day
                bot.reload()
                midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
                sent, _ = await bot.travel_to(midnight)
                assert len(digests(sent, CHAT)) == 1, day
                local = dt.datetime.fromtimestamp(sent[0].date, tz)
                assert local.date() == day
                assert local.strftime("%H:%M") == (on_the_day if day == change else at)


class TestRestart:
    """After a crash or restart, nothing recorded is resent and missed digests follow the grace."""

    async def test_state_and_schedule_survive_restart(self, config: Config) -> None:
        async with running(config, T0) as bot:
            await bot.say("/timezone Europe/Berlin", chat_id=CHAT)
            await bot.say("/subscribe 09:30", chat_id=CHAT)  # 08:30 UTC
            before = bot.services.store.chat(CHAT)
            settings = (await bot.say("/settings", chat_id=CHAT))[0].visible_text
        async with running(config, T0 + dt.timedelta(minutes=10)) as bot:
            assert bot.services.store.chat(CHAT) == before
            assert (await bot.say("/settings", chat_id=CHAT))[0].visible_text == settings
            sent, _ = await bot.travel_to(bot.clock.now())  # the first tick after start-up
            assert sent == []  # a first start sends nothing early
            sent, _ = await bot.travel_to(dt.datetime(2026, 11, 25, 8, 30, tzinfo=UTC))
            assert len(digests(sent, CHAT)) == 1
        async with running(config, dt.datetime(2026, 11, 25, 8, 31, tzinfo=UTC)) as bot:
            sent, _ = await bot.travel_to(bot.clock.now())
            assert sent == []
            sent, stats = await bot.advance(DAY)
            assert sent == [] and stats.empty == 1

    async def test_crash_after_recording_does_not_resend(
        self, config: Config, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        async with running(config, T0) as bot:
            await subscribe(bot, CHAT)

            def crash(*args: object) -> None:
                raise RuntimeError("simulated crash before the next time was saved")

            monkeypatch.setattr(bot.services.store, "set_next_due", crash)
            bot.clock.set(EIGHT)
            await bot.services.runner.run_due()
            assert len(digests(bot.api.messages_to(CHAT))) == 1
            assert bot.services.store.delivered_ids(CHAT) == {SEED_ID}
            record = bot.services.store.chat(CHAT)
            assert record is not None and record.next_due == EIGHT  # still due on disk
        async with running(config, EIGHT + dt.timedelta(minutes=5)) as bot:
            sent, _ = await bot.travel_to(bot.clock.now())
            assert sent == []
            record = bot.services.store.chat(CHAT)
            assert record is not None and record.next_due == EIGHT + DAY
            sent, _ = await bot.advance(DAY)
            assert sent == []

    @pytest.mark.parametrize("late", [dt.timedelta(minutes=1), dt.timedelta(hours=1)])
    async def test_missed_within_grace_is_sent_once_at_start(
        self, config: Config, late: dt.timedelta
    ) -> None:
        async with running(config, T0) as bot:
            await subscribe(bot, CHAT)
        async with running(config, EIGHT + late) as bot:
            sent, _ = await bot.travel_to(bot.clock.now())
            assert len(digests(sent, CHAT)) == 1
            sent, _ = await bot.travel_to(bot.clock.now())
            assert sent == []
            sent, _ = await bot.advance(DAY)
            assert sent == []  # nothing new, and no second copy

    async def test_missed_beyond_grace_waits_for_next_slot(self, config: Config) -> None:
        async with running(config, T0) as bot:
            await subscribe(bot, CHAT)
        async with running(config, EIGHT + dt.timedelta(hours=1, seconds=1)) as bot:
            sent, stats = await bot.travel_to(bot.clock.now())
            assert sent == [] and stats.skipped == 1
            record = bot.services.store.chat(CHAT)
            assert record is not None and record.next_due == EIGHT + DAY
            sent, _ = await bot.travel_to(EIGHT + DAY - dt.timedelta(seconds=1))
            assert sent == []
            sent, _ = await bot.advance(dt.timedelta(seconds=1))
            assert len(digests(sent, CHAT)) == 1

    async def test_down_for_days_sends_one_digest(self, config: Config) -> None:
        async with running(config, T0) as bot:
            await subscribe(bot, CHAT)
        async with running(config, EIGHT + 3 * DAY + dt.timedelta(minutes=10)) as bot:
            sent, stats = await bot.travel_to(bot.clock.now())
            assert len(sent) == 1 and stats.sent == 1
            record = bot.services.store.chat(CHAT)
            assert record is not None and record.next_due == EIGHT + 4 * DAY

    async def test_failed_send_is_retried_at_the_next_run(
        self, config: Config, instant_retries: InstantRetries
    ) -> None:
        async with running(config, T0) as bot:
            instant_retries(bot)
            await subscribe(bot, CHAT, OTHER)
            bot.api.fail("sendMessage", chat_id=OTHER, times=3)  # every attempt gets a 500
            sent, stats = await bot.travel_to(EIGHT)
            assert len(digests(sent, CHAT)) == 1 and digests(sent, OTHER) == []
            assert (stats.sent, stats.failed) == (1, 1)
            assert bot.services.store.delivered_ids(OTHER) == set()
        async with running(config, EIGHT + DAY - dt.timedelta(minutes=1)) as bot:
            sent, _ = await bot.advance(dt.timedelta(minutes=1))
            assert digests(sent, CHAT) == []
            (text,) = digests(sent, OTHER)
            assert SEED_TITLE in text


class TestUnreachableChats:
    """Blocked or vanished chats are paused until they speak; migrated groups move over."""

    @pytest.mark.parametrize(
        ("status", "description"),
        [(403, "Forbidden: bot was blocked by the user"), (400, "Bad Request: chat not found")],
    )
    async def test_gone_chat_is_paused_until_it_speaks(
        self, sim: SimulatedBot, status: int, description: str
    ) -> None:
        await subscribe(sim, CHAT)
        sim.api.fail("sendMessage", chat_id=CHAT, status=status, description=description)
        sent, stats = await sim.travel_to(EIGHT)
        assert sent == [] and stats.gone == 1
        record = sim.services.store.chat(CHAT)
        assert record is not None and not record.active and record.subscribed
        tries = send_attempts(sim, CHAT)
        sent, stats = await sim.travel_to(EIGHT + DAY)  # its next slot, to the second
        assert sent == [] and stats.due == 0
        assert send_attempts(sim, CHAT) == tries  # not even tried
        await sim.travel_to(EIGHT + DAY + dt.timedelta(hours=4))  # beyond that slot's grace
        reply = await sim.say("/help", chat_id=CHAT)
        assert reply  # the chat is reachable again
        record = sim.services.store.chat(CHAT)
        assert record is not None and record.active
        sent, _ = await sim.travel_to(EIGHT + 2 * DAY)
        (text,) = digests(sent, CHAT)
        assert SEED_TITLE in text

    async def test_migrated_group_keeps_subscription_and_ledger(
        self, sim: SimulatedBot, write_briefing: Callable[..., Path]
    ) -> None:
        sim.api.set_chat_admins(GROUP, [5001])
        reply = await sim.say("/subscribe", chat_id=GROUP, chat_type="group")
        assert "Subscribed" in reply[0].visible_text
        sim.api.migrate(GROUP, SUPERGROUP)
        sent, _ = await sim.travel_to(EIGHT)
        assert len(digests(sent, SUPERGROUP)) == 1
        store = sim.services.store
        assert store.chat(GROUP) is None
        record = store.chat(SUPERGROUP)
        assert record is not None and record.subscribed and record.next_due == EIGHT + DAY
        assert store.delivered_ids(SUPERGROUP) == {SEED_ID}
        write_briefing("after-move", "2026-11-25", title="After the move")
        sim.reload()
        sent, _ = await sim.advance(DAY)
        (text,) = digests(sent, SUPERGROUP)
        assert "After the move" in text and SEED_TITLE not in text
        assert digests(sent, GROUP) == []


class _HeldSender:
    """A sender that holds every digest until released, as a slow network would."""

    def __init__(self) -> None:
        self.sent: list[Digest] = []
        self.release = asyncio.Event()

    async def send_digest(self, digest: Digest) -> SendResult:
        self.sent.append(digest)
        await self.release.wait()
        return SendResult(Outcome.DELIVERED)


class TestConcurrentSends:
    """Two digests for one chat at once (a tick and /digest) never carry the same briefing."""

    async def test_overlapping_deliveries_send_once(self, sim: SimulatedBot) -> None:
        held = _HeldSender()
        sim.services.runner.sender = held
        first = asyncio.create_task(sim.services.runner.deliver(CHAT))
        second = asyncio.create_task(sim.services.runner.deliver(CHAT))
        await asyncio.sleep(0)
        held.release.set()
        results = await asyncio.gather(first, second)
        assert [d.chat_id for d in held.sent] == [CHAT]
        assert sorted(r is None for r in results) == [False, True]
