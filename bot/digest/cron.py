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
            first = _dow_number(start)
            # "5-7" means Friday to Sunday: 7 closes a range as Sunday, after Saturday.
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
            instant: dt.datetime = wall.replace(tzinfo=tz, fold=0).astimezone(dt.UTC)
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
