"""Who takes part, and how: host, confirmed, expected, undecided or absent.

Participation phrases ("hosting", "have confirmed their attendance", "will be absent") give a
status to the people, countries and organisations that are their subject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.drafting.gazetteer import countries
from bot.drafting.quotes import Sentence
from bot.drafting.speakers import Mention, Registry, display_role, find_mentions

_STATUS_PHRASES: list[tuple[str, re.Pattern[str]]] = [
    (
        "absent",
        re.compile(
            r"\b(?:will be absent|(?:was|were|is|are|be) absent|did not attend|didn'?t attend"
            r"|will not attend|won'?t attend|not (?:be )?(?:present|attending)|boycott\w*"
            r"|declined (?:to attend|the invitation)|will skip|skipped|stay(?:s|ed)? away"
            r"|(?:will|did|does|do) not (?:take part|participate|join)|absence of|absent)\b",
            re.I,
        ),
    ),
    (
        "undecided",
        re.compile(
            r"\b(?:undecided|(?:has|have) not (?:yet )?(?:decided|confirmed)|not yet confirmed"
            r"|unclear whether|(?:may|might) (?:attend|take part|participate|join)"
            r"|considering (?:attending|whether))\b",
            re.I,
        ),
    ),
    (
        "expected",
        re.compile(
            r"\b(?:expected to (?:attend|participate|take part|join|be present|be there)"
            r"|will (?:attend|take part|participate|join|be present)|(?:due|set|scheduled) to "
            r"(?:attend|take part|participate|join)|plans? to (?:attend|take part|join)"
            r"|(?:are|is|were|was) invited)\b",
            re.I,
        ),
    ),
    (
        "host",
        re.compile(
            r"\b(?:is hosting|are hosting|will host|hosts|hosted|hosting|host of|convene[sd]?"
            r"|convening|chairs|chaired|chairing|is chairing|bringing together|brings together"
            r"|brought together|organi[sz]ed by|at the (?:invitation|initiative) of)\b",
            re.I,
        ),
    ),
    (
        "confirmed",
        re.compile(
            r"\b(?:confirmed (?:their|his|her|its) (?:attendance|participation|presence)"
            r"|(?:have|has) confirmed|attended|attending|joined|joins|joining|took part"
            r"|taking part|participated|participating|(?:were|was|are|is) present|arrived)\b",
            re.I,
        ),
    ),
]
_PASSIVE_HOST = re.compile(
    r"\b(?:hosted by|convened by|chaired by|organi[sz]ed by|at the (?:invitation|initiative) of"
    r"|host of)\b",
    re.I,
)
_RELATIVE = re.compile(r",\s*(?:who|which|whose|whom)\b[^,]*,?", re.I)
_CLAUSE = re.compile(r";|,\s*(?:but|while|whereas|although|though|yet)\b|\.\s", re.I)
_GROUP = re.compile(
    r"\b(?:the\s+)?(?P<title>(?:Prime Minister|President|Foreign Minister|Defen[cs]e Minister"
    r"|Chancellor|King|Queen|Ambassador|Leader|Head of State|Head of Government|Minister)s?"
    r"|leaders|heads of (?:state|government)|representatives|delegations|ministers)"
    r"\s+of\s+(?P<list>[A-Z][\w'’ -]*(?:,\s*(?:and\s+)?[A-Z][\w'’ -]*)*"
    r"(?:,?\s+and\s+[A-Z][\w'’ -]*)?)"
)
_VAGUE_GROUP = re.compile(
    r"\b(?:several|other|many|some|a number of|dozens of|more than \w+)\s+(?:\w+\s+)?"
    r"(?:countries|nations|states|leaders|governments)\b",
    re.I,
)


@dataclass
class FoundAttendee:
    """A participant with the status the article gives them."""

    name: str
    role: str | None
    country: str | None
    status: str
    note: str | None
    review: str | None


def find_attendees(sentences: list[Sentence], registry: Registry) -> list[FoundAttendee]:
    """Everyone the article says takes part (or stays away), with a status, in order."""
    found: dict[str, FoundAttendee] = {}
    for sentence in sentences:
        for clause in _clauses(sentence.outside):
            status, phrase = _status(clause)
            if status is None or phrase is None:
                continue
            passive = _PASSIVE_HOST.search(clause)
            if status == "host" and passive:
                scope = clause[passive.end() :]
            else:
                scope = clause[: phrase.start()]
            scope = _RELATIVE.sub(lambda m: " " * len(m.group()), scope)
            _collect(scope, status, registry, found)
    return _without_represented(list(found.values()))


def _clauses(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    for match in _CLAUSE.finditer(text):
        out.append(text[start : match.start()])
        start = match.end()
    out.append(text[start:])
    return out


def _status(clause: str) -> tuple[str | None, re.Match[str] | None]:
    for status, pattern in _STATUS_PHRASES:
        match = pattern.search(clause)
        if match:
            return status, match
    return None, None


def _collect(
    scope: str,
    status: str,
    registry: Registry,
    found: dict[str, FoundAttendee],
) -> None:
    for group in _GROUP.finditer(scope):
        title = group.group("title")
        single = re.sub(r"s$", "", title) if title[:1].isupper() else None
        for item in re.split(r",\s*(?:and\s+)?|\s+and\s+", group.group("list")):
            country = countries().get(item.strip())
            if not country:
                continue
            name = f"{single} of {country}" if single else country
            _add(found, FoundAttendee(name, single, country, status, None, None))
        scope = scope[: group.start()] + " " * len(group.group()) + scope[group.end() :]
    for vague in _VAGUE_GROUP.finditer(scope):
        text = vague.group()
        name = text[:1].upper() + text[1:]
        review = "a group the article does not name one by one"
        _add(found, FoundAttendee(name, None, None, status, None, review))
        scope = scope[: vague.start()] + " " * len(text) + scope[vague.end() :]
    for mention in find_mentions(scope, registry, register=False):
        attendee = _from_mention(mention, status)
        if attendee:
            _add(found, attendee)


def _from_mention(mention: Mention, status: str) -> FoundAttendee | None:
    person = mention.person
    if person is not None:
        review = f'resolved from "{mention.text}"' if mention.kind != "person" else None
        return FoundAttendee(
            person.name, display_role(person), person.country, status, None, review
        )
    if mention.kind == "country":
        return FoundAttendee(mention.text, None, mention.text, status, None, None)
    if mention.kind == "institution":
        return FoundAttendee(mention.text, None, None, status, None, None)
    return None


def _add(found: dict[str, FoundAttendee], attendee: FoundAttendee) -> None:
    key = attendee.name.lower()
    existing = found.get(key)
    if existing is None:
        found[key] = attendee
    elif attendee.status == "host" or (
        existing.status == "expected" and attendee.status in ("confirmed", "absent")
    ):
        existing.status = attendee.status


def _without_represented(attendees: list[FoundAttendee]) -> list[FoundAttendee]:
    """Drop a country or organisation when a person attending for it is listed already."""
    people = [a for a in attendees if a.role]
    out: list[FoundAttendee] = []
    for attendee in attendees:
        if attendee.role is None and attendee.review is None:
            name = attendee.name.lower()
            if any(
                (p.country or "").lower() == name or name in (p.role or "").lower() for p in people
            ):
                continue
        out.append(attendee)
    return out
