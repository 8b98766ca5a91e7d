"""Who takes part, and how: host, confirmed, expected, undecided or absent.

Participation phrases ("hosting", "have confirmed their attendance", "will be absent") give a
status to the people, countries and organisations that are their subject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.drafting.gazetteer import countries, country_in_title, country_of
from bot.drafting.quotes import Sentence
from bot.drafting.speakers import Mention, Registry, display_role, find_mentions

_STATUS_PHRASES: list[tuple[str, re.Pattern[str]]] = [
    (
        "undecided",
        re.compile(
            r"\b(?:could|may|might) (?:skip|miss|boycott|stay away|not attend|attend"
            r"|take part|join)\b",
            re.I,
        ),
    ),
    (
        "absent",
        re.compile(
            r"\b(?:will be absent|(?:was|were|is|are|be) absent|did not attend|didn'?t attend"
            r"|will not attend|won'?t attend|not (?:be )?(?:present|attending)|boycott\w*"
            r"|declined (?:to attend|the invitation)|(?:will |to |plan to |plans to )?skip\w*"
            r"|stay(?:s|ed|ing)? away|(?:will|did|does|do) not (?:take part|participate|join)"
            r"|absence of|absent|(?:will |to )?miss(?:es|ed)?|refus\w+ to (?:attend|travel|come)"
            r"|cancel+ed (?:the|his|her|their) (?:trip|visit|attendance|participation)"
            r"|(?:did|does|will) not send (?:a |its |their )?(?:delegation|representative)s?"
            r"|opt(?:s|ed)? out|pull(?:s|ed)? out|(?:was|were) ignored by|decided not to)\b",
            re.I,
        ),
    ),
    (
        "undecided",
        re.compile(
            r"\b(?:undecided|(?:has|have) not (?:yet )?(?:decided|confirmed)|not yet confirmed"
            r"|unclear whether|(?:may|might) (?:attend|take part|participate|join)"
            r"|considering (?:attending|whether)|(?:has|have|had) not (?:yet )?committed"
            r"|(?:is|are|was|were) unwilling)\b",
            re.I,
        ),
    ),
    (
        "expected",
        re.compile(
            r"\b(?:(?:attendees|participants|guests|delegates) will include"
            r"|will represent|would (?:attend|take part|participate|join)"
            r"|expected to (?:attend|participate|take part|join|be present|be there|meet)"
            r"|will (?:attend|take part|participate|join|be present|meet)|(?:due|set|scheduled)"
            r" to (?:attend|take part|participate|join|meet)|plan(?:s|ning)? to (?:attend|take"
            r" part|join|meet)|(?:are|is|were|was) invited|could meet|are to meet|to meet for)\b",
            re.I,
        ),
    ),
    (
        "host",
        re.compile(
            r"\b(?:is hosting|are hosting|will host|hosts|hosted|hosting|host of|convene[sd]?"
            r"|convening|chairs|chaired|chairing|is chairing|bringing together|brings together"
            r"|brought together|organi[sz]ed by|at the (?:invitation|initiative) of"
            r"|(?:will |to )?hold(?:s|ing)? (?:a|an|the) (?:[\w-]+ ){0,3}"
            r"(?:summit|meeting|conference|talks|forum)|extended (?:an |the )?invitations?"
            r"|sent (?:out )?invitations?)\b",
            re.I,
        ),
    ),
    (
        "confirmed",
        re.compile(
            r"\b(?:confirmed (?:their|his|her|its) (?:attendance|participation|presence)"
            r"|(?:have|has) confirmed(?!\s+(?:that|the|a|an|reports?|it)\b)|attended|attending"
            r"|joined|joins|joining|took part"
            r"|taking part|participated|participating|(?:were|was|are|is) present|arrived"
            r"|met (?:in|with|on|at)|held talks|presence of|participation of"
            r"|gathered (?:in|at|for)|attended by|joined by|represented by"
            r"|(?:attendees|participants|guests|delegates) (?:included|include)"
            r"|(?:were|was) among (?:the )?(?:participants|attendees)|addressed by"
            r"|(?:summit|meeting|conference|talks|forum) (?:includes|included|brings together)"
            r"|(?:will leave|left|leaving|walked out of) the (?:\w+ )?(?:meeting|summit|talks"
            r"|conference|room|hall)|delivered (?:his|her|their) (?:remarks|speech|address)"
            r"|spoke at|addressed the (?:meeting|summit|conference))\b",
            re.I,
        ),
    ),
]
# Phrases whose participants follow them ("hosted by X", "the presence of X").
_PASSIVE = re.compile(
    r"\b(?:hosted by|convened by|chaired by|organi[sz]ed by|at the (?:invitation|initiative) of"
    r"|host of|presence of|participation of|(?:was|were) ignored by|attended by|joined by"
    r"|represented by|(?:attendees|participants|guests|delegates) (?:will )?include[ds]?"
    r"|addressed by|(?:summit|meeting|conference|talks|forum) (?:includes|included))\b",
    re.I,
)
_RELATIVE = re.compile(r",\s*(?:who|which|whose|whom)\b[^,]*,?", re.I)
_CLAUSE = re.compile(
    r";|,\s*(?:but|while|whereas|although|though|yet|meanwhile)\b|\.\s"
    r"|\b(?:due to|because of|owing to)\b",
    re.I,
)
_SIDE_EVENT = re.compile(
    r"^\s*(?:the\s+|an?\s+)?(?:[\w-]+\s+){0,3}?(?:dinner|reception|lunch|luncheon|breakfast"
    r"|banquet|photo|gala|session)\b",
    re.I,
)
_SIDE_BEFORE = re.compile(
    r"\b(?:dinner|reception|lunch|luncheon|breakfast|banquet|photo|gala|session)\W*$", re.I
)
_EVENT_NOUN = re.compile(r"^\s+(?:summit|meeting|talks|conference|forum|ministerial)\b", re.I)
_MEDIATOR = re.compile(
    r"\b(?P<demonym>[A-Z][a-z]+)[- ](?:brokered|mediated|sponsored|hosted|led)\b"
    r"|\b(?:mediated|brokered) by (?:the\s+)?(?P<country>[A-Z][\w]+(?: [A-Z][\w]+)?)"
)
_GROUP = re.compile(
    r"\b(?:the\s+)?(?P<title>(?:Prime Minister|President|Foreign Minister|Defen[cs]e Minister"
    r"|Chancellor|King|Queen|Ambassador|Leader|Head of State|Head of Government|Minister)s?"
    r"|(?:foreign |defen[cs]e |finance )?ministers|leaders|heads of (?:state|government)"
    r"|representatives|delegations)"
    r"\s+of\s+(?:the\s+)?(?P<list>{item}(?:,\s*(?:and\s+)?(?:the\s+)?{item})*"
    r"(?:,?\s+and\s+(?:the\s+)?{item})?)".replace("{item}", r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*")
)
_VAGUE_GROUP = re.compile(
    r"\b(?:(?:representatives|leaders|delegations|ministers) (?:of|from) )?"
    r"(?:several|other|many|some|a number of|dozens of|(?:more than|over|about|around|nearly"
    r"|some|at least) \w+|\d+)\s+(?:\w+\s+)?"
    r"(?:countries|nations|states|leaders|governments)\b",
    re.I,
)
_DELEGATION = re.compile(r"\b(?P<who>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)\s+delegation\b")
_INCLUDED = re.compile(r"\b(?:these|they|those|among them|this) (?:included|include|were)\b", re.I)
# A participant named after "hosted by" or "the presence of" ends where a verb or clause starts.
_NOUN_PHRASE_END = re.compile(
    r"\b(?:was|were|is|are|has|have|had|will|would|could|did|does|which|who|that)\b", re.I
)
# Participants are the subject of the clause that holds the phrase, not of the sentence.
_SUBCLAUSE = re.compile(
    r"\b(?:that|which|whether|than|if|because|said|says|announced|stated|added|told \w+)\b", re.I
)
_ACCORDING = re.compile(r"^\W*according to [^,]*,", re.I)
_AUXILIARY = re.compile(r"\b(?:is|are|was|were|be|been)(?:\s+\w+ly|\s+also|\s+not)?\s*$", re.I)
_LAST_PHRASE = re.compile(r",|\bwith\b", re.I)
_PRONOUN_ONLY = re.compile(r"^\W*(?:they|it|he|she|we)\b", re.I)
# A confirmed-sounding phrase in the future tense: "will be attended by", "will be addressed by".
_FUTURE_BEFORE = re.compile(r"\b(?:will|would|to|is expected to|are expected to)(?: be)?\s*$", re.I)
_POSSESSOR = re.compile(r"^\s*(?:his|her|their)\b", re.I)


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
    previous_status: str | None = None
    for sentence in sentences:
        registry.last_subject = sentence.subject
        sentence_status: str | None = None
        for clause in _clauses(sentence.outside):
            phrases = _phrases(clause)
            included = _INCLUDED.search(clause)
            if not phrases and included and previous_status:
                # "These included X and Y": the status of the sentence before.
                scope = _RELATIVE.sub(lambda m: " " * len(m.group()), clause[included.end() :])
                _collect(scope, previous_status, registry, found)
                sentence_status = sentence_status or previous_status
                continue
            begin = 0
            for status, phrase in phrases:
                side = False
                passive = _PASSIVE.search(clause, phrase.start())
                if (passive and passive.start() == phrase.start()) or (
                    passive and passive.start() < phrase.end()
                ):
                    scope = clause[passive.end() :]
                    if _POSSESSOR.match(scope):
                        scope = clause  # "hosted by his ministry": the sentence's subject
                    else:
                        scope = _NOUN_PHRASE_END.split(scope, maxsplit=1)[0]
                else:
                    scope = _ACCORDING.sub(" ", clause[begin : phrase.start()])
                    if phrase.group().split()[0].lower().endswith("ing") and not _AUXILIARY.search(
                        scope
                    ):
                        # "..., with the EU's Enrique Mora chairing": the nearest noun phrase
                        scope = _LAST_PHRASE.split(scope)[-1]
                    openers = list(_SUBCLAUSE.finditer(scope))
                    if openers:
                        antecedent = scope[: openers[-1].start()]
                        rest = scope[openers[-1].end() :]
                        # "the Taliban said they had not committed": they are the Taliban
                        scope = antecedent if _PRONOUN_ONLY.match(rest) else rest
                        # "a joint dinner, which Lavrov did not attend": not the event itself
                        side = bool(_SIDE_BEFORE.search(antecedent))
                begin = phrase.end()
                if (
                    status == "confirmed"
                    and _FUTURE_BEFORE.search(clause[: phrase.start()])
                    and not phrase.group().lower().startswith("represented")
                ):  # naming who will represent a country confirms it takes part
                    status = "expected"
                sentence_status = sentence_status or status
                side = side or bool(_SIDE_EVENT.match(clause[phrase.end() :]))
                scope = _RELATIVE.sub(lambda m: " " * len(m.group()), scope)
                _collect(scope, status, registry, found, side)
        for match in _MEDIATOR.finditer(sentence.outside):
            country = country_of(match.group("demonym") or match.group("country") or "")
            if country:
                review = "taken as host (it hosts or mediates); check"
                _add(found, FoundAttendee(country, None, country, "host", None, review))
        for match in _DELEGATION.finditer(sentence.outside):
            who = re.sub(r"^(?:The|A|An|His|Her|Their|Its)\s+", "", match.group("who"))
            if who.lower() not in ("the", "a", "an", "his", "her", "their", "its"):
                _add(found, FoundAttendee(f"{who} delegation", None, None, "confirmed", None, None))
        previous_status = sentence_status
    for person in registry.people:
        if person.role and "delegation" in person.role.lower():
            attendee = FoundAttendee(
                person.name, display_role(person), person.country, "confirmed", None, None
            )
            _add(found, attendee)
    return _without_represented(list(found.values()))


def _clauses(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    for match in _CLAUSE.finditer(text):
        out.append(text[start : match.start()])
        start = match.end()
    out.append(text[start:])
    return out


def _phrases(clause: str) -> list[tuple[str, re.Match[str]]]:
    """Every participation phrase in a clause, in order; the first pattern wins an overlap."""
    found: list[tuple[str, re.Match[str]]] = []
    for status, pattern in _STATUS_PHRASES:
        for match in pattern.finditer(clause):
            if not any(m.start() < match.end() and match.start() < m.end() for _, m in found):
                found.append((status, match))
    return sorted(found, key=lambda item: item[1].start())


def _collect(
    scope: str,
    status: str,
    registry: Registry,
    found: dict[str, FoundAttendee],
    side_event: bool = False,
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
        if mention.kind in ("institution", "country") and _EVENT_NOUN.match(scope[mention.end :]):
            continue  # "A G20 summit": the event, not a participant
        attendee = _from_mention(mention, status)
        if attendee:
            _add(found, attendee, side_event)


def _from_mention(mention: Mention, status: str) -> FoundAttendee | None:
    person = mention.person
    if person is not None:
        review = f'resolved from "{mention.text}"' if mention.kind != "person" else None
        if person.anonymous:
            review = "the article does not name them"
            return FoundAttendee(person.name, None, person.country, status, None, review)
        return FoundAttendee(
            person.name, display_role(person), person.country, status, None, review
        )
    if mention.kind == "country":
        return FoundAttendee(mention.text, None, mention.text, status, None, None)
    if mention.kind == "institution":
        return FoundAttendee(mention.text, None, None, status, None, None)
    if mention.kind == "role":
        name = _role_name(mention.text)
        review = f'the article does not name "{mention.text}"'
        return FoundAttendee(name, None, country_in_title(mention.text), status, None, review)
    return None


def _role_name(role: str) -> str:
    """A title as a name: "US president" -> "President of the United States"."""
    words = role.split()
    country = country_in_title(words[0]) if words else None
    if country and len(words) > 1:
        the = "the " if country.startswith(("United", "Netherlands", "Philippines")) else ""
        title = " ".join(words[1:])
        return f"{title[:1].upper()}{title[1:]} of {the}{country}"
    return role[:1].upper() + role[1:]


def _add(found: dict[str, FoundAttendee], attendee: FoundAttendee, side: bool = False) -> None:
    key = attendee.name.lower()
    existing = found.get(key)
    if existing is None:
        found[key] = attendee
    elif side:
        return  # missing a dinner does not undo taking part in the meeting
    elif existing.status != "host" and (
        attendee.status in ("host", "absent")
        or (existing.status == "expected" and attendee.status in ("confirmed", "undecided"))
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
