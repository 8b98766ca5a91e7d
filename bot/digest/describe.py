"""Crontab schedules in words, as a chat reads them: "every day at 08:00 (Europe/Berlin)".

Only the shapes people use for a digest are put in words: one time of day, on every day, on
weekdays, at weekends, on some days of the week, or on one day of the month. Anything else is
shown as the expression itself.
"""

from __future__ import annotations

from bot.digest.cron import CronSyntaxError, crontab_days_to_apscheduler
from bot.i18n import EN, Translator

# Day names come from the locale (Babel numbers the days from Monday, 0 to 6).
_DAY_NUMBERS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
_WEEKEND = ["sat", "sun"]


def _and(items: list[str], tr: Translator) -> str:
    if len(items) == 1:
        return items[0]
    return tr._("%(first)s and %(second)s") % {"first": ", ".join(items[:-1]), "second": items[-1]}


def _ordinal(n: int, tr: Translator) -> str:
    if tr.language == "fr":
        return "1er" if n == 1 else str(n)
    if tr.language != "en":
        return str(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _day_name(day: str, tr: Translator) -> str:
    name = str(tr.locale.days["format"]["wide"][_DAY_NUMBERS[day]])
    return name if tr.language == "en" else name.lower()


def _days(weekday: str, at: str, tr: Translator) -> str | None:
    try:
        days = crontab_days_to_apscheduler(weekday).split(",")
    except CronSyntaxError:
        return None
    if days == ["*"] or len(days) == 7:
        return tr._("every day at %(time)s") % {"time": at}
    if days == _WEEKDAYS:
        return tr._("on weekdays at %(time)s") % {"time": at}
    if days == _WEEKEND:
        return tr._("at weekends at %(time)s") % {"time": at}
    names = _and([_day_name(d, tr) for d in days], tr)
    return tr._("every %(days)s at %(time)s") % {"days": names, "time": at}


def schedule_in_words(expression: str, tr: Translator = EN) -> str | None:
    """A five-field crontab expression in words ("weekdays at 07:30"), or None if unusual."""
    fields = expression.split()
    if len(fields) != 5:
        return None
    minute, hour, day, month, weekday = fields
    if not (minute.isdecimal() and hour.isdecimal() and month == "*"):
        return None
    if int(minute) > 59 or int(hour) > 23:
        return None
    at = f"{int(hour):02d}:{int(minute):02d}"
    if day == "*":
        return _days(weekday, at, tr)
    if day.isdecimal() and 1 <= int(day) <= 31 and weekday == "*":
        return tr._("on the %(day)s of every month at %(time)s") % {
            "day": _ordinal(int(day), tr),
            "time": at,
        }
    return None


def describe_schedule(expression: str, zone: str, tr: Translator = EN) -> str:
    """The schedule in words and the zone it runs in: "every day at 08:00 (UTC)".

    An expression that has no plain wording is given as it is: "on the crontab schedule
    “*/30 9-17 * * *” (UTC)".
    """
    words = schedule_in_words(expression, tr)
    if words is None:
        words = tr._("on the crontab schedule “%(expression)s”") % {
            "expression": " ".join(expression.split())
        }
    return f"{words} ({zone})"
