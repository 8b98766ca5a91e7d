"""Dates: a publication date written in the text, and day references resolved against it.

"On Friday", "next week" or "last February" become calendar dates for the timeline.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DATE = re.compile(
    rf"\b(?:(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})"
    rf"|(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m1>{_MONTH})\.?,?\s+(?P<y1>\d{{4}})"
    rf"|(?P<m2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{{4}}))\b",
    re.I,
)
_DAY_REF = re.compile(
    r"\b(?P<ref>(?:(?P<rel>last|next|this|on|early|late|in|mid|since|until|by)\s+)?"
    r"(?:(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"(?:\s+(?P<part>morning|afternoon|evening|night))?"
    rf"|(?P<month>{_MONTH[3:-1]})(?:\s+(?P<year>\d{{4}}))?"
    r"|(?P<rel_word>today|tonight|yesterday|tomorrow)"
    r"|(?P<week>week|month|year))(?!\w))",
    re.I,
)
# A sentence about what is to come resolves "on Thursday" forwards.
_FUTURE = re.compile(
    r"\b(?:will|shall|is to|are to|expected to|due to|set to|scheduled to|plans? to|planning to"
    r"|going to|is slated|are slated|upcoming)\b",
    re.I,
)
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def find_date(text: str) -> dt.date | None:
    """The first calendar date written in `text` ("15 March 2025", "March 15, 2025", ISO)."""
    for match in _DATE.finditer(text):
        try:
            if match.group("iso"):
                return dt.date.fromisoformat(match.group("iso"))
            if match.group("d1"):
                day, month, year = match.group("d1", "m1", "y1")
            else:
                month, day, year = match.group("m2", "d2", "y2")
            return dt.date(int(year), MONTHS[month.lower()], int(day))
        except (ValueError, KeyError):
            continue
    return None


def human(day: dt.date) -> str:
    """A date as a briefing's timeline writes it: "Friday, 14 March 2025"."""
    return f"{WEEKDAYS[day.weekday()].title()}, {day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class DayRef:
    """A reference to a day or period in a sentence, resolved where the publication date allows."""

    phrase: str
    when: str
    day: dt.date | None
    resolved: bool


def day_references(
    sentence: str, published: dt.date | None, narration: str | None = None
) -> list[DayRef]:
    """The day references in `sentence` ("On Friday", "next week", "last February"), in order.

    A weekday resolves forwards when the narration (the sentence without its quotations, if
    given) speaks of the future: "is expected to join on Thursday".
    """
    found: list[DayRef] = []
    future = bool(_FUTURE.search(sentence if narration is None else narration))
    for match in _DAY_REF.finditer(sentence):
        rel = (match.group("rel") or "").lower()
        if match.group("week") and rel not in ("last", "next", "this"):
            continue
        if match.group("month") and not (rel or match.group("year")):
            continue  # a bare month name ("May", "March") is too often a word or a name
        found.append(_resolve(match, rel, published, future))
    return found


def _resolve(match: re.Match[str], rel: str, published: dt.date | None, future: bool) -> DayRef:
    phrase = match.group("ref")
    if published is None:
        return DayRef(phrase, phrase[:1].upper() + phrase[1:], None, False)
    if weekday := match.group("weekday"):
        target = WEEKDAYS.index(weekday.lower())
        delta = (published.weekday() - target) % 7
        if rel == "next" or (future and rel != "last"):
            day = published + dt.timedelta(days=(target - published.weekday()) % 7 or 7)
        else:
            day = published - dt.timedelta(days=delta)
        part = f" {match.group('part').lower()}" if match.group("part") else ""
        return DayRef(phrase, f"{weekday.title()}{part}, {human(day).split(', ', 1)[1]}", day, True)
    if word := match.group("rel_word"):
        offset = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}[word.lower()]
        day = published + dt.timedelta(days=offset)
        return DayRef(phrase, human(day), day, True)
    if month := match.group("month"):
        number = MONTHS[month.lower()]
        if match.group("year"):
            year = int(match.group("year"))
        elif rel == "next":
            year = published.year + (number <= published.month)
        else:
            year = published.year - (number > published.month)
        day = dt.date(year, number, 1)
        return DayRef(phrase, f"{_MONTH_NAMES[number - 1]} {year}", day, True)
    unit = match.group("week").lower()
    sign = {"last": -1, "next": 1}.get(rel, 0)
    if unit == "week":
        monday = published - dt.timedelta(days=published.weekday()) + dt.timedelta(weeks=sign)
        return DayRef(phrase, f"Week of {human(monday).split(', ', 1)[1]}", monday, True)
    if unit == "month":
        month_index = published.month - 1 + sign
        year, month0 = published.year + month_index // 12, month_index % 12
        return DayRef(phrase, f"{_MONTH_NAMES[month0]} {year}", dt.date(year, month0 + 1, 1), True)
    year = published.year + sign
    return DayRef(phrase, str(year), dt.date(year, 1, 1), True)
