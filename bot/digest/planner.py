"""Deciding who is due for a digest and what it holds. No I/O here: give it the facts and a time.

* A chat's schedule is its own daily HH:MM, else the configured crontab, in the chat's time zone
  (the configured zone unless the chat set one).
* A slot missed while the bot was down still goes out once if it is at most `misfire_grace` late
  (at least `ON_TIME`, so a digest the timer reaches a few seconds late is never a "miss");
  otherwise the chat waits for its next slot.
* A digest holds the briefings the chat has not received yet, newest first, at most `max_items`;
  with topics followed, only those about one of them (the others stay undelivered).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.digest.cron import CronSchedule
from bot.storage import ChatRecord

# The digest timer ticks every 10 s; this late, a slot is on time whatever the grace says.
ON_TIME = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class SlotDecision:
    """What to do for a chat whose next digest time has come."""

    send: bool
    slot: dt.datetime | None
    next_due: dt.datetime


@dataclass(frozen=True)
class DigestContent:
    """The briefings one digest carries, and how many more are waiting."""

    ids: list[str]
    more: int


class DigestPlanner:
    """Schedules and contents of digests, from configuration."""

    def __init__(
        self, default_cron: str, default_timezone: str, max_items: int, misfire_grace: float
    ) -> None:
        self.default_schedule = CronSchedule.parse(default_cron)
        self.default_timezone = default_timezone
        self.max_items = max_items
        self.misfire_grace = max(dt.timedelta(seconds=misfire_grace), ON_TIME)

    def zone(self, timezone: str | None) -> ZoneInfo:
        """The time zone a chat lives in."""
        return ZoneInfo(timezone or self.default_timezone)

    def schedule(self, daily_at: str | None) -> CronSchedule:
        """A chat's schedule: daily at its own time, else the default crontab."""
        return CronSchedule.daily_at(daily_at) if daily_at else self.default_schedule

    def next_due(
        self, daily_at: str | None, timezone: str | None, after: dt.datetime
    ) -> dt.datetime:
        """The first digest time strictly after `after`."""
        return self.schedule(daily_at).next_after(after, self.zone(timezone))

    def decide(self, chat: ChatRecord, now: dt.datetime) -> SlotDecision:
        """For a chat whose `next_due` has passed: send now or skip, and when the next one is."""
        schedule = self.schedule(chat.daily_at)
        zone = self.zone(chat.timezone)
        next_due = schedule.next_after(now, zone)
        due = chat.next_due
        if due is None or due > now:
            return SlotDecision(False, None, due or next_due)
        # Only slots from the stored due time on count, and only those still within the grace.
        window_start = max(due, now - self.misfire_grace)
        slot = schedule.latest_between(window_start, now, zone)
        return SlotDecision(slot is not None, slot, next_due)

    def content(
        self,
        newest_ids: Sequence[str],
        delivered: Collection[str],
        wanted: Callable[[str], bool] | None = None,
    ) -> DigestContent:
        """The briefings not yet delivered to a chat, newest first, at most `max_items`.

        With `wanted`, only the ids it accepts (the briefings about the chat's topics).
        """
        fresh = [bid for bid in newest_ids if bid not in delivered]
        if wanted is not None:
            fresh = [bid for bid in fresh if wanted(bid)]
        return DigestContent(fresh[: self.max_items], max(0, len(fresh) - self.max_items))
