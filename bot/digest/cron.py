"""Crontab schedules evaluated in a time zone, correct across daylight-saving changes.

Field matching is APScheduler's `CronTrigger`; two things are done here explicitly:

* Day-of-week numbers follow crontab (0 and 7 are Sunday). APScheduler 3 numbers days from
  Monday, so numbers are translated to day names before they reach it.
* Wall-clock times are matched in the chat's zone and only then turned into instants. A time
  that a spring-forward gap skips fires at the instant the gap ends; a time that a fall-back
  repeats fires once, at its first occurrence. (APScheduler 3's own DST handling fires twice in
  the repeated hour, and can loop there.)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_NAME_TO_NUMBER = {name: i for i, name in enumerate(_DAY_NAMES)}
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_ONE_MICROSECOND = dt.timedelta(microseconds=1)
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class CronSyntaxError(ValueError):
    """A crontab expression that cannot be used, with the reason."""


def _dow_number(token: str) -> int:
    token = token.strip().lower()
    if token in _NAME_TO_NUMBER:
        return _NAME_TO_NUMBER[token]
    if token.isdecimal() and 0 <= int(token) <= 7:
        return int(token) % 7
    raise CronSyntaxError(f"day of week {token!r} is not 0-7 or a day name (0 and 7 = Sunday)")


def crontab_days_to_apscheduler(field: str) -> str:
    """Translate a crontab day-of-week field (0 = Sunday) into APScheduler day names."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for item in field.split(","):
        base, _, step_text = item.partition("/")
        step = 1
        if step_text:
            if not step_text.isdecimal() or int(step_text) == 0:
                raise CronSyntaxError(f"bad step {step_text!r} in day of week")
            step = int(step_text)
        if base == "*":
            first, last = 0, 6
        elif "-" in base:
            start, _, end = base.partition("-")
            # "5-7" means Friday to Sunday: 7 in a range is Sunday after Saturday ("7-7" too).
            first = 7 if start.strip() == "7" else _dow_number(start)
            last = 7 if end.strip() == "7" else _dow_number(end)
            if last < first:
                raise CronSyntaxError(f"day range {base!r} runs backwards")
        else:
            first = last = _dow_number(base)
        days.update(d % 7 for d in range(first, last + 1, step))
    # APScheduler takes day names in any order; Monday first reads naturally.
    return ",".join(_DAY_NAMES[d] for d in sorted(days, key=lambda d: (d - 1) % 7))


def parse_time_of_day(text: str) -> str:
    """Normalise a 24-hour time of day ("7:30" → "07:30"), or raise `CronSyntaxError`."""
    match = _HHMM.match(text.strip())
    if not match:
        raise CronSyntaxError(f"{text!r} is not a time of day like 08:30")
    return f"{int(match[1]):02d}:{match[2]}"


def _instant(wall: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The instant of a naive wall-clock time in `tz`: its first occurrence, or the gap's end."""
    first: dt.datetime = wall.replace(tzinfo=tz, fold=0).astimezone(dt.UTC)
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first
    # `wall` falls in a spring-forward gap. fold=0 read it with the offset from before the gap,
    # which lands as far past the gap's end as `wall` is into the gap; fold=1 lands before the
    # gap. The offset changes once in between: find that instant, to the second.
    offset = first.astimezone(tz).utcoffset()
    lo = int(wall.replace(tzinfo=tz, fold=1).timestamp())
    hi = int(first.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if dt.datetime.fromtimestamp(mid, tz).utcoffset() == offset:
            hi = mid
        else:
            lo = mid
    return dt.datetime.fromtimestamp(hi, dt.UTC)


@dataclass(frozen=True)
class CronSchedule:
    """A five-field crontab schedule: minute hour day-of-month month day-of-week."""

    expression: str
    _trigger: CronTrigger

    @classmethod
    def parse(cls, expression: str) -> CronSchedule:
        """Parse `expression`, or raise `CronSyntaxError` saying what is wrong."""
        fields = expression.split()
        if len(fields) != 5:
            raise CronSyntaxError(
                f"{expression!r} needs 5 fields (minute hour day month weekday), got {len(fields)}"
            )
        minute, hour, day, month, weekday = fields
        if day != "*" and weekday != "*":
            # Crontab fires when either matches, APScheduler when both do; refuse the ambiguity.
            raise CronSyntaxError("restrict day of month or day of week, not both")
        try:
            trigger = CronTrigger(
                minute=minute,
                hour=hour,
                day=day,
                month=month,
                day_of_week=crontab_days_to_apscheduler(weekday),
                timezone=dt.UTC,
            )
        except ValueError as exc:
            raise CronSyntaxError(f"{expression!r}: {exc}") from None
        # A valid-looking date that never comes ("0 0 30 2 *") must fail here, not at first use.
        if trigger.get_next_fire_time(None, _EPOCH) is None:
            raise CronSyntaxError(f"{expression!r} never fires")
        return cls(expression, trigger)

    @classmethod
    def daily_at(cls, hhmm: str) -> CronSchedule:
        """Every day at HH:MM (24-hour clock)."""
        hours, minutes = parse_time_of_day(hhmm).split(":")
        return cls.parse(f"{int(minutes)} {int(hours)} * * *")

    def next_after(self, after: dt.datetime, tz: ZoneInfo) -> dt.datetime:
        """The first time strictly after `after` this schedule fires in `tz`, in UTC."""
        # Match on naive wall-clock time (as if it were UTC, which has no DST), then map to
        # an instant with fold=0: the first of a repeated time, or the end of a skipped one.
        wall = after.astimezone(tz).replace(tzinfo=None)
        for _ in range(10_000):
            probe = (wall + _ONE_MICROSECOND).replace(tzinfo=dt.UTC)
            fire = self._trigger.get_next_fire_time(None, probe)
            if fire is None:  # pragma: no cover - five-field crontab always fires again
                break
            wall = fire.replace(tzinfo=None)
            instant = _instant(wall, tz)
            if instant > after:
                return instant
        raise CronSyntaxError(f"{self.expression!r} never fires")  # pragma: no cover

    def latest_between(
        self, start: dt.datetime, end: dt.datetime, tz: ZoneInfo
    ) -> dt.datetime | None:
        """The last fire time in [start, end], or None if it does not fire in that window."""
        latest = None
        fire = self.next_after(start - _ONE_MICROSECOND, tz)
        while fire <= end:
            latest = fire
            fire = self.next_after(fire, tz)
        return latest
