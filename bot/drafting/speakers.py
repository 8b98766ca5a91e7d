"""People, titles and institutions in an article.

Who is named, with which role, and who "he", "she" or "the French President" refers to at a given
point of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.drafting.gazetteer import (
    DEMONYMS,
    INSTITUTION_ALIASES,
    INSTITUTION_WORDS,
    countries,
    country_in_title,
)

TITLE_WORDS = frozenset(
    [
        "president",
        "president-elect",
        "vice",
        "minister",
        "prime",
        "secretary",
        "secretary-general",
        "chancellor",
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "ambassador",
        "envoy",
        "king",
        "queen",
        "prince",
        "princess",
        "emir",
        "sheikh",
        "pope",
        "senator",
        "sen.",
        "rep.",
        "representative",
        "governor",
        "mayor",
        "general",
        "gen.",
        "admiral",
        "commander",
        "chief",
        "director",
        "director-general",
        "ceo",
        "chairman",
        "chairwoman",
        "chair",
        "leader",
        "speaker",
        "premier",
        "mr",
        "mr.",
        "mrs",
        "mrs.",
        "ms",
        "ms.",
        "dr",
        "dr.",
        "prof",
        "prof.",
        "professor",
        "judge",
        "justice",
        "commissioner",
        "deputy",
        "mp",
        "lawmaker",
        "official",
        "adviser",
        "advisor",
        "negotiator",
        "head",
        "diplomat",
        "affairs",
        "coordinator",
        "delegate",
        "foreign",
        "defence",
        "defense",
        "interior",
        "finance",
        "economy",
        "energy",
        "health",
        "trade",
        "state",
        "supreme",
        "high",
        "special",
    ]
)
# Title words that only make a title next to another ("Foreign Minister", "Supreme Leader").
_WEAK_TITLE_WORDS = frozenset(
    [
        "affairs",
        "head",
        "vice",
        "prime",
        "foreign",
        "defence",
        "defense",
        "interior",
        "finance",
        "economy",
        "energy",
        "health",
        "trade",
        "state",
        "supreme",
        "high",
        "special",
        "deputy",
    ]
)
_FEMALE_TITLES = frozenset(
    ["queen", "princess", "spokeswoman", "chairwoman", "mrs", "mrs.", "ms", "ms."]
)
_MALE_TITLES = frozenset(["king", "prince", "spokesman", "chairman", "mr", "mr."])
_PARTICLES = frozenset(
    [
        "von",
        "van",
        "der",
        "den",
        "de",
        "da",
        "del",
        "della",
        "di",
        "du",
        "dos",
        "la",
        "le",
        "bin",
        "ibn",
        "al",
        "el",
        "abu",
    ]
)
_STOP_CAPS = frozenset(
    [
        "the",
        "a",
        "an",
        "however",
        "but",
        "and",
        "or",
        "on",
        "in",
        "at",
        "by",
        "for",
        "from",
        "since",
        "after",
        "before",
        "regarding",
        "alongside",
        "according",
        "additionally",
        "meanwhile",
        "today",
        "tonight",
        "yesterday",
        "tomorrow",
        "several",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "their",
        "his",
        "her",
        "our",
        "we",
        "i",
        "they",
        "he",
        "she",
        "if",
        "when",
        "while",
        "as",
        "although",
        "also",
        "both",
        "other",
        "many",
        "some",
        "all",
        "most",
        "more",
        "such",
        "there",
        "here",
        "what",
        "who",
        "whom",
        "which",
        "why",
        "how",
        "yet",
        "still",
        "then",
        "thus",
        "despite",
        "during",
        "under",
        "over",
        "with",
        "without",
        "within",
        "into",
        "amid",
        "among",
        "between",
        "last",
        "next",
        "this",
        "earlier",
        "later",
        "instead",
        "moreover",
        "furthermore",
        "indeed",
        "so",
        "nor",
        "not",
        "no",
        "yes",
        "only",
        "even",
        "once",
        "following",
        "ahead",
        "asked",
        "speaking",
        "writing",
    ]
)
_CALENDAR = frozenset(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
_PLACE_WORDS = frozenset(
    [
        "east",
        "west",
        "north",
        "south",
        "middle",
        "new",
        "sea",
        "ocean",
        "island",
        "islands",
        "city",
        "republic",
        "kingdom",
        "states",
        "strip",
        "river",
        "valley",
        "gulf",
        "coast",
        "region",
        "province",
        "county",
        "district",
        "cross",
        "airport",
        "square",
        "hall",
        "palace",
        "summit",
        "conference",
        "forum",
        "war",
    ]
)
_TOKEN = re.compile(r"[^\W\d_][\w'’‘.\-]*|\[|\]|[,;:()—–]|\S")
_POSSESSIVE = re.compile(r"(?:['’‘]s|['’])$")
_ROLE_NOUNS = frozenset(
    [
        "expert",
        "analyst",
        "researcher",
        "diplomat",
        "spokesperson",
        "member",
        "founder",
        "editor",
        "correspondent",
        "economist",
        "scientist",
        "activist",
        "lawyer",
        "journalist",
        "author",
    ]
)
_INDEFINITE = re.compile(r"\b(?:a|an|one)\s+(?:(?:senior|top|junior|former|[a-z]+ian)\s+)?$")
_LOWER_INSTITUTIONS = frozenset(
    [
        "ministry",
        "government",
        "administration",
        "embassy",
        "presidency",
        "office",
        "cabinet",
        "parliament",
    ]
)
_HONORIFICS = frozenset(["mr", "mrs", "ms", "dr", "prof"])
_PUBLICATION_REF = re.compile(
    r"\bthe (?:article|report|newspaper|agency|outlet|magazine|paper|broadcaster|website)\b"
)
_PUBLICATION_NOUNS = (" article", " report", " newspaper", " magazine", " reported", " agency")
_PRONOUNS = {"he": "m", "she": "f", "him": "m", "her": "f"}
_UPPER_START = re.compile(
    r"^(?:[A-ZÀ-ÖØ-Þ]|(?:al|el|ad|as|ash|bin|ibn|abu|van|von|de|di|da|du|le|la)-[A-ZÀ-ÖØ-Þ])"
)
_ABBREVIATED = re.compile(
    r"(?:[A-Z]\.)+|(?:Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Prof|Jr|Sr|St|Capt|Maj|Adm|Rev)\."
)
_APPOSITIVE_AFTER = re.compile(
    r"^,\s*(?:the\s+|a\s+|an\s+)?(?P<role>[^,.;:“”\"«»()]{3,120}?)\s*(?:,|\.|;|$|\s+said\b)"
)
# Two capitalised words that are not titles: a name, so the phrase is not a role.
_NAME_IN_ROLE = re.compile(
    r"(?:^|['’]s\s+)(?!(?:President|Prime|Minister|Foreign|Secretary|Chancellor|Ambassador|Head"
    r"|Chief|Deputy|Vice|King|Queen|Emir|Sheikh)\b)[A-Z][a-z]+\s+(?!(?:President|Prime|Minister"
    r"|Foreign|Secretary|Chancellor|Ambassador|Head|Chief|Deputy|Affairs|Ministry)\b)[A-Z][a-z]+"
)
_APPOSITIVE_BEFORE = re.compile(
    r"(?:^|[–—]\s*|,\s*|\)\s*)(?P<role>[A-Z][^,.;:“”\"«»()]{3,120}?),\s*$"
)


@dataclass
class Person:
    """Someone the article names, with the first role it gives them."""

    name: str
    role: str | None = None
    country: str | None = None
    gender: str | None = None
    aliases: set[str] = field(default_factory=set)
    anonymous: bool = False  # known only by a description: "a senior EU official"


@dataclass(frozen=True)
class Mention:
    """One reference in a sentence: a person, a pronoun, a title, an institution or a country."""

    kind: str  # "person", "pronoun", "role", "institution", "country"
    text: str
    start: int
    end: int
    person: Person | None = None


class Registry:
    """Everyone named so far, so later surnames, pronouns and titles resolve to them."""

    def __init__(self, article_text: str) -> None:
        self.people: list[Person] = []
        self._by_alias: dict[str, Person] = {}
        self.last_subject: Person | None = None
        self.last_institution: str | None = None
        self.last_publication: str | None = None
        self._recent: list[Person] = []
        self._article_lower = article_text.lower()

    def register(self, name: str, role: str | None) -> Person:
        """The person called `name` (full or surname), added if new; `role` kept if first."""
        key = name.lower()
        person = self._by_alias.get(key) or self._by_alias.get(key.split()[-1])
        if person is None:
            person = Person(name)
            self.people.append(person)
        elif len(name.split()) > len(person.name.split()) and name.endswith(person.name):
            person.name = name  # "President Trump", later "President Donald Trump"
        person.aliases.update({key, key.split()[-1]})
        for alias in person.aliases:
            self._by_alias[alias] = person
        if role and not person.role:
            person.role = role
            person.country = country_in_title(role)
            words = {w.lower() for w in role.split()}
            if words & _FEMALE_TITLES:
                person.gender = "f"
            elif words & _MALE_TITLES:
                person.gender = "m"
        return person

    def give_role(self, person: Person, role: str) -> None:
        """Record the role an appositive gives `person` (the first one given counts)."""
        if not person.role:
            person.role = role
            person.country = country_in_title(role)

    def institution_of_subject(self) -> str | None:
        """The institution in the current subject's role ("European Commission President")."""
        person = self.last_subject
        if person is None or not person.role:
            return None
        words = person.role.split()
        kept: list[str] = []
        for word in words:
            if _is_title(word) and kept:
                break
            kept.append(word)
        if kept and {w.lower() for w in kept} & INSTITUTION_WORDS:
            return " ".join(kept)
        return None

    def close_to(self, name: str) -> Person | None:
        """The person whose surname `name` nearly spells (one or two letters off)."""
        import difflib

        surnames = [alias for alias in self._by_alias if " " not in alias and len(alias) >= 6]
        close = difflib.get_close_matches(name.lower(), surnames, n=1, cutoff=0.88)
        return self._by_alias[close[0]] if close else None

    def anonymous(self, role: str) -> Person:
        """Someone the article describes but does not name; found again by that description."""
        person = Person(role[:1].upper() + role[1:], role, country_in_title(role), anonymous=True)
        self.people.append(person)
        return person

    def known(self, name: str) -> Person | None:
        """The person a name or surname refers to, if named before."""
        return self._by_alias.get(name.lower())

    def seen(self, person: Person) -> None:
        """Note that `person` was just mentioned (recency decides titles and pronouns)."""
        if person in self._recent:
            self._recent.remove(person)
        self._recent.append(person)

    def by_role(self, role: str) -> Person | None:
        """The most recently mentioned person whose role matches "the French President"."""
        wanted = _role_key(role)
        if not wanted:
            return None
        for person in reversed(self._recent or self.people):
            if person.role and wanted <= _role_key(person.role, person.country):
                return person
        for person in reversed(self.people):
            if person.role and wanted <= _role_key(person.role, person.country):
                return person
        return None

    def pronoun(self, gender: str) -> Person | None:
        """Who "he" or "she" most likely is: the current subject, unless the gender says not."""
        subject = self.last_subject
        if subject and subject.gender in (None, gender):
            return subject
        for person in reversed(self._recent):
            if person.gender == gender:
                return person
        return subject

    def institution(self, name: str) -> str:
        """An institution under the name the article uses for it.

        "UK government" becomes "Downing Street" where the article also says "Downing Street".
        """
        alias = INSTITUTION_ALIASES.get(name.lower())
        if alias and alias.lower().removeprefix("the ") in self._article_lower:
            return alias
        return name


def _role_key(role: str, country: str | None = None) -> frozenset[str]:
    words = {_POSSESSIVE.sub("", w).lower().strip(".,") for w in role.replace("-", " ").split()}
    words -= {"the", "of", "a", "an", "for"}
    out = set()
    for word in words:
        place = DEMONYMS.get(word) or countries().get(word.title()) or countries().get(word.upper())
        out.add(place.lower() if place else word)
    if country:
        out.add(country.lower())
    return frozenset(out)


def _is_title(token: str) -> bool:
    return token.lower() in TITLE_WORDS


def _strong_title(tokens: list[str]) -> bool:
    return any(t.lower() in TITLE_WORDS and t.lower() not in _WEAK_TITLE_WORDS for t in tokens)


def find_mentions(text: str, registry: Registry, *, register: bool = True) -> list[Mention]:
    """The mentions in `text` (quoted words already masked out), resolved against `registry`."""
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    mentions: list[Mention] = []
    i = 0
    while i < len(tokens):
        word, start, end = tokens[i]
        low = word.lower()
        if low in _PRONOUNS and low in ("he", "she"):
            person = registry.pronoun(_PRONOUNS[low])
            mentions.append(Mention("pronoun", word, start, end, person))
            i += 1
            continue
        if not (_UPPER_START.match(word) or (_is_title(word) and low not in _WEAK_TITLE_WORDS)):
            i += 1
            continue
        run = [tokens[i]]
        j = i + 1
        while j < len(tokens):
            nxt = tokens[j][0]
            prev_end = run[-1][2]
            if tokens[j][1] - prev_end > 1:
                break
            title_next = _is_title(nxt) or (
                nxt.islower() and j + 1 < len(tokens) and _strong_title([tokens[j + 1][0]])
            )
            if _POSSESSIVE.search(run[-1][0].rstrip(".")) and not (
                title_next and countries().get(_clean(run[-1][0]))
            ):
                break  # "Slovakia's Prime Minister" goes on; "Putin's response" does not
            if (
                _UPPER_START.match(nxt)
                or _is_title(nxt)
                or (
                    nxt in ("of", "for")
                    and _is_title(_clean(run[-1][0]))
                    and j + 1 < len(tokens)
                    and _UPPER_START.match(tokens[j + 1][0])
                )
            ):
                run.append(tokens[j])
            elif nxt == "[" or nxt == "]":
                pass
            elif nxt in _LOWER_INSTITUTIONS:
                run.append(tokens[j])  # "Turkey's foreign ministry", "the Afghan government"
            elif (
                nxt.islower()
                and j + 1 < len(tokens)
                and _is_title(tokens[j + 1][0])
                and tokens[j + 1][0].lower() not in _WEAK_TITLE_WORDS
                and tokens[j + 1][1] - tokens[j][2] == 1
            ):
                run.append(tokens[j])  # "foreign policy chief"
            elif nxt.lower() in _PARTICLES and _particles_then_name(tokens, j):
                run.append(tokens[j])
            else:
                break
            j += 1
        mentions.extend(_classify(run, registry, register, text))
        i = j
    for match in _PUBLICATION_REF.finditer(text):
        if registry.last_publication or registry.last_institution:
            inst = registry.last_publication or registry.last_institution or ""
            mentions.append(Mention("institution", inst, match.start(), match.end()))
    mentions.sort(key=lambda m: m.start)
    if register:
        for mention in mentions:
            if mention.kind == "person" and mention.person and not mention.person.role:
                role = _appositive(text, mention)
                if role:
                    registry.give_role(mention.person, role)
    return mentions


def _appositive(text: str, mention: Mention) -> str | None:
    """A role given beside a name: "Li Shuo, a climate diplomacy expert," or "Head of X, Name"."""
    for match in (
        _APPOSITIVE_AFTER.match(text[mention.end : mention.end + 160]),
        _APPOSITIVE_BEFORE.search(text[max(0, mention.start - 160) : mention.start]),
    ):
        if match:
            role = match.group("role").strip()
            if role.split()[0].lower() in ("who", "which", "whose", "whom", "where", "when"):
                continue
            if " and " in role or _NAME_IN_ROLE.search(role):
                continue  # names other people ("Uzbekistan’s Bakhtiyor Saidov and ..."): no role
            if any(
                _is_title(w) or w.lower() in _ROLE_NOUNS for w in role.replace("’s", "").split()
            ):
                return role[:1].upper() + role[1:]
    return None


def _particles_then_name(tokens: list[tuple[str, int, int]], j: int) -> bool:
    while j < len(tokens) and tokens[j][0].lower() in _PARTICLES:
        j += 1
    return j < len(tokens) and bool(_UPPER_START.match(tokens[j][0]))


def _classify(
    run: list[tuple[str, int, int]], registry: Registry, register: bool, text: str
) -> list[Mention]:
    # Split at calendar words and drop leading sentence words ("However", "On", "The").
    parts: list[list[tuple[str, int, int]]] = [[]]
    for token in run:
        bare = _POSSESSIVE.sub("", token[0]).rstrip(".").lower()
        if bare in _CALENDAR:
            parts.append([])
        else:
            parts[-1].append(token)
    out: list[Mention] = []
    for part in parts:
        while part and _POSSESSIVE.sub("", part[0][0]).lower() in _STOP_CAPS:
            part = part[1:]
        if part:
            mention = _classify_part(part, registry, register, text)
            if mention:
                out.append(mention)
    return out


def _clean(token: str) -> str:
    token = _POSSESSIVE.sub("", token)
    if token.endswith(".") and not _ABBREVIATED.fullmatch(token):
        token = token[:-1]
    return token


def _classify_part(
    part: list[tuple[str, int, int]], registry: Registry, register: bool, text: str
) -> Mention | None:
    words = [_clean(t[0]) for t in part]
    start, end = part[0][1], part[-1][2]
    last_title = max((k for k, w in enumerate(words) if _is_title(w)), default=-1)
    role_words, name_words = words[: last_title + 1], words[last_title + 1 :]
    demonyms_only = all(w.lower() in DEMONYMS or w.lower() in _STOP_CAPS for w in name_words)
    if name_words and demonyms_only and not role_words:
        return None
    if len(name_words) == 1 and not role_words and text[max(0, start - 4) : start] == "the ":
        bare = name_words[0]
        if (
            bare.lower() not in _STOP_CAPS
            and not countries().get(bare)
            and not registry.known(bare)
        ):
            registry.last_institution = f"the {bare}" if bare[:1].isupper() else bare
            return Mention("institution", bare, start, end)  # "the Taliban", "the Kremlin"
    if name_words and (
        {w.lower() for w in name_words} & INSTITUTION_WORDS
        or name_words[-1] in _LOWER_INSTITUTIONS
        or {w.lower() for w in name_words} & _PLACE_WORDS
        or all(w.lower() in DEMONYMS or w.lower() in _STOP_CAPS for w in name_words)
    ):
        joined = " ".join(words)
        country = countries().get(joined)
        if country:
            return Mention("country", country, start, end)
        after = text[end : end + 16].lower()
        for noun in ("government", "administration", "presidency"):
            if after.startswith(f" {noun}") and countries().get(" ".join(name_words)):
                inst = registry.institution(f"{joined} {noun}")
                return Mention("institution", inst, start, end + len(noun) + 1)
        written = text[start:end]
        if written[:1].isupper() and not any(w in _LOWER_INSTITUTIONS for w in written.split()):
            written = joined
        registry.last_institution = registry.institution(written)
        return Mention("institution", registry.last_institution, start, end)
    if name_words:
        name = " ".join(name_words)
        country = countries().get(name)
        if country:
            if role_words and _strong_title(role_words):
                return Mention("role", " ".join(words), start, end)
            after = text[end : end + 16].lower()
            for noun in ("government", "administration", "presidency"):
                if after.startswith(f" {noun}"):
                    inst = registry.institution(f"{name} {noun}")
                    return Mention("institution", inst, start, end + len(noun) + 1)
            return Mention("country", country, start, end)
        if all(w.lower() in DEMONYMS for w in name_words):
            return None
        if text[end : end + 12].lower().startswith(_PUBLICATION_NOUNS):
            registry.last_institution = registry.last_publication = name
            return Mention("institution", name, start, end)
        known = registry.known(name) or registry.known(name_words[-1])
        if known is None and len(name_words) == 1 and len(name) >= 6:
            known = registry.close_to(name)  # a misspelt surname: "Jaishakar"
        has_title = bool(role_words) and _strong_title(role_words)
        honorific = [w for w in role_words if w.lower().rstrip(".") in _HONORIFICS]
        if honorific and len(honorific) == len(role_words):
            role_words = []  # "Mr. Kirby": a gender cue, not a role
        if len(name_words) >= 2 or has_title or known:
            role = None
            if role_words and _strong_title(role_words):
                # As written, so "Egypt's intelligence chief" keeps its possessive.
                role = text[part[0][1] : part[len(role_words) - 1][2]].replace("[", "").strip()
            if known is not None and (not register or len(name_words) == 1):
                person = known
            else:
                person = registry.register(name, role)
            registry.seen(person)
            return Mention("person", person.name, start, end, person)
        return None
    if role_words and _strong_title(role_words):
        role = " ".join(role_words)
        plural = text[end - 1 : end] == "s" and role.lower().endswith(("ministers", "presidents"))
        if plural:
            return None
        target = registry.by_role(role)
        if target is None and register and _INDEFINITE.search(text[max(0, start - 30) : start]):
            target = registry.anonymous(role)  # "a senior EU official": later "the official"
        if target:
            registry.seen(target)
        return Mention("role", role, start, end, target)
    return None


_THE_COUNTRIES = ("United", "Netherlands", "Philippines", "Czech Republic", "Gambia", "Bahamas")


def display_role(person: Person) -> str | None:
    """The person's role as a briefing writes it: "French President" -> "President of France"."""
    role = person.role
    if not role:
        return None
    words = role.split()
    first = _POSSESSIVE.sub("", words[0])
    country = DEMONYMS.get(first.lower()) or countries().get(first)
    if len(words) >= 2 and country and all(_is_title(w) for w in words[1:]):
        the = "the " if country.startswith(_THE_COUNTRIES) else ""
        title = " ".join(words[1:])
        return f"{title[:1].upper()}{title[1:]} of {the}{country}"
    first_title = next((k for k, w in enumerate(words) if _is_title(w)), 0)
    prefix, title_words = words[:first_title], words[first_title:]
    if (
        prefix
        and all(w[:1].isupper() for w in role.split())
        and all(_is_title(w) for w in title_words)
    ):
        org = " ".join(prefix)
        if org.isupper():
            return f"{' '.join(title_words)} of {org}"  # "NATO Secretary-General"
        if {w.lower() for w in prefix} & INSTITUTION_WORDS:
            return f"{' '.join(title_words)} of the {org}"  # "European Commission President"
    return role
