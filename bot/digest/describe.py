"""Crontab schedules in words, as a chat reads them: "every day at 08:00 (Europe/Berlin)".

Only the shapes people use for a digest are put in words: one time of day, on every day, on
weekdays, at weekends, on some days of the week, or on one day of the month. Anything else is
shown as the expression itself.
"""

from __future__ import annotations

from bot.digest.cron import CronSyntaxError, crontab_days_to_apscheduler

_DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
_WEEKEND = ["sat", "sun"]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _days(weekday: str) -> str | None:
    try:
        days = crontab_days_to_apscheduler(weekday).split(",")
    except CronSyntaxError:
        return None
    if days == ["*"] or len(days) == 7:
        return "every day"
    if days == _WEEKDAYS:
        return "on weekdays"
    if days == _WEEKEND:
        return "at weekends"
    return "every " + _and([_DAY_NAMES[d] for d in days])


def schedule_in_words(expression: str) -> str | None:
    """A five-field crontab expression in words ("weekdays at 07:30"), or None if unusual."""
    fields = expression.split()
    if len(fields) != 5:
        return None
    minute, hour, day, month, weekday = fields
    if not (minute.isdecimal() and hour.isdecimal() and month == "*"):
        return None
    if int(minute) > 59 or int(hour) > 23:
        return None
    at = f"at {int(hour):02d}:{int(minute):02d}"
    if day == "*":
        days = _days(weekday)
        return f"{days} {at}" if days else None
    if day.isdecimal() and 1 <= int(day) <= 31 and weekday == "*":
        return f"on the {_ordinal(int(day))} of every month {at}"
    return None


def describe_schedule(expression: str, zone: str) -> str:
    """The schedule in words and the zone it runs in: "every day at 08:00 (UTC)".

    An expression that has no plain wording is given as it is: "on the crontab schedule
    “*/30 9-17 * * *” (UTC)".
    """
    words = schedule_in_words(expression)
    if words is None:
        words = f"on the crontab schedule “{' '.join(expression.split())}”"
    return f"{words} ({zone})"
