"""Deciding whether a due chat gets its digest now, and what the digest holds."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.briefing.models import Briefing
from bot.digest.planner import ON_TIME, DigestPlanner
from bot.storage import ChatRecord

UTC = dt.UTC
GRACE = dt.timedelta(hours=1)
EIGHT = dt.datetime(2026, 11, 25, 8, tzinfo=UTC)
TOMORROW_EIGHT = EIGHT + dt.timedelta(days=1)


def planner(max_items: int = 3) -> DigestPlanner:
    """The default schedule (08:00 UTC daily) with an hour's grace."""
    return DigestPlanner("0 8 * * *", "UTC", max_items, GRACE.total_seconds())


def chat(
    next_due: dt.datetime | None,
    *,
    daily_at: str | None = None,
    timezone: str | None = None,
) -> ChatRecord:
    """A subscribed, active chat with the given schedule."""
    return ChatRecord(
        chat_id=1001,
        chat_type="private",
        timezone=timezone,
        subscribed=True,
        daily_at=daily_at,
        active=True,
        inactive_reason=None,
        next_due=next_due,
        current_briefing=None,
    )


def briefing(briefing_id: str, day: int) -> Briefing:
    """A briefing published on `day` November 2026."""
    return Briefing.model_validate(
        {
            "id": briefing_id,
            "title": f"Title {briefing_id}",
            "published": dt.date(2026, 11, day),
            "summary": f"Summary of {briefing_id}.",
        }
    )


class TestDecide:
    """A missed slot goes out once if at most `misfire_grace` late; otherwise the chat waits."""

    def test_not_yet_due_keeps_the_stored_time(self) -> None:
        decision = planner().decide(chat(EIGHT), EIGHT - dt.timedelta(minutes=1))
        assert not decision.send
        assert decision.next_due == EIGHT

    def test_on_time(self) -> None:
        decision = planner().decide(chat(EIGHT), EIGHT)
        assert decision.send
        assert decision.slot == EIGHT
        assert decision.next_due == TOMORROW_EIGHT

    def test_just_within_grace_sends(self) -> None:
        decision = planner().decide(chat(EIGHT), EIGHT + GRACE)
        assert decision.send
        assert decision.slot == EIGHT
        assert decision.next_due == TOMORROW_EIGHT

    def test_just_beyond_grace_waits_for_next_slot(self) -> None:
        decision = planner().decide(chat(EIGHT), EIGHT + GRACE + dt.timedelta(seconds=1))
        assert not decision.send
        assert decision.slot is None
        assert decision.next_due == TOMORROW_EIGHT

    def test_several_missed_slots_send_once(self) -> None:
        three_days_ago = EIGHT - dt.timedelta(days=3)
        decision = planner().decide(chat(three_days_ago), EIGHT + dt.timedelta(minutes=30))
        assert decision.send
        assert decision.slot == EIGHT  # the latest missed slot, not the first
        assert decision.next_due == TOMORROW_EIGHT

    def test_several_missed_slots_all_beyond_grace(self) -> None:
        three_days_ago = EIGHT - dt.timedelta(days=3)
        decision = planner().decide(chat(three_days_ago), EIGHT + dt.timedelta(hours=5))
        assert not decision.send
        assert decision.next_due == TOMORROW_EIGHT

    def test_stored_next_due_in_the_future_never_sends(self) -> None:
        # Even though 08:00 (a slot of the schedule) has just passed.
        decision = planner().decide(chat(TOMORROW_EIGHT), EIGHT + dt.timedelta(minutes=5))
        assert not decision.send
        assert decision.next_due == TOMORROW_EIGHT

    def test_zero_grace_still_sends_what_the_timer_reaches_seconds_late(self) -> None:
        strict = DigestPlanner("0 8 * * *", "UTC", 3, 0)
        assert strict.decide(chat(EIGHT), EIGHT).send
        assert strict.decide(chat(EIGHT), EIGHT + dt.timedelta(seconds=10)).send
        assert not strict.decide(chat(EIGHT), EIGHT + ON_TIME + dt.timedelta(seconds=1)).send

    def test_chat_time_and_zone_set_the_next_slot(self) -> None:
        berlin_0730 = dt.datetime(2026, 11, 25, 6, 30, tzinfo=UTC)  # 07:30 CET
        record = chat(berlin_0730, daily_at="07:30", timezone="Europe/Berlin")
        decision = planner().decide(record, berlin_0730 + dt.timedelta(minutes=10))
        assert decision.send
        assert decision.slot == berlin_0730
        assert decision.next_due == berlin_0730 + dt.timedelta(days=1)


class TestNextDue:
    """The next digest time follows the chat's own time, else the default crontab, in its zone."""

    def test_default_schedule_in_default_zone(self) -> None:
        assert planner().next_due(None, None, EIGHT - dt.timedelta(hours=1)) == EIGHT

    def test_default_schedule_in_chat_zone(self) -> None:
        due = planner().next_due(None, "America/New_York", EIGHT)
        assert due == dt.datetime(2026, 11, 25, 13, tzinfo=UTC)  # 08:00 EST

    def test_own_time_replaces_default(self) -> None:
        due = planner().next_due("21:15", None, EIGHT)
        assert due == dt.datetime(2026, 11, 25, 21, 15, tzinfo=UTC)

    def test_configured_zone_is_the_default(self) -> None:
        berlin = DigestPlanner("0 8 * * *", "Europe/Berlin", 3, 3600)
        assert berlin.next_due(None, None, EIGHT) == dt.datetime(2026, 11, 26, 7, tzinfo=UTC)
        assert berlin.next_due(None, "UTC", EIGHT - dt.timedelta(hours=1)) == EIGHT


class TestContent:
    """A digest holds undelivered briefings, newest first, at most `max_items`."""

    @pytest.fixture
    def library(self) -> list[str]:
        """Five briefing ids, newest first as the library lists them."""
        return [briefing(f"b{day}", day).id for day in (24, 20, 15, 10, 5)]

    def test_new_subscriber_gets_newest_first_up_to_max(self, library: list[str]) -> None:
        content = planner(max_items=3).content(library, set())
        assert content.ids == ["b24", "b20", "b15"]
        assert content.more == 2

    def test_delivered_ones_are_left_out(self, library: list[str]) -> None:
        content = planner(max_items=3).content(library, {"b24", "b15"})
        assert content.ids == ["b20", "b10", "b5"]
        assert content.more == 0

    def test_fewer_than_max(self, library: list[str]) -> None:
        content = planner(max_items=10).content(library, {"b24"})
        assert content.ids == ["b20", "b15", "b10", "b5"]
        assert content.more == 0

    def test_everything_delivered_is_empty(self, library: list[str]) -> None:
        content = planner().content(library, set(library))
        assert content.ids == []
        assert content.more == 0

    def test_unknown_delivered_ids_do_not_count(self, library: list[str]) -> None:
        content = planner(max_items=4).content(library, {"removed-long-ago"})
        assert content.ids == ["b24", "b20", "b15", "b10"]
        assert content.more == 1
