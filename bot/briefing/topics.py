"""Topics a chat follows, and whether a briefing is about any of them.

A topic is a tag (``#ukraine``), or a word or a phrase (``ukraine``, ``"peace talks"``). A tag
matches a briefing with that tag; a word or phrase matches a briefing with that tag or with those
words, in that order, in its title, summary, a key point, an attendee's name or a speaker's name.
Matching is on folded words (case- and accent-insensitive) with a light plural rule applied to
both sides, and never reads user input as a pattern: only whole words compare.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.briefing.models import Briefing
from bot.briefing.textnorm import words

MAX_TOPICS = 20
MAX_TOPIC_LENGTH = 64
# Curly quotes, as phone keyboards type them, stand for the straight ones.
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})


class TopicError(ValueError):
    """A topic that cannot be followed; the message says why, for the user."""


def stem(word: str) -> str:
    """A folded word without a plural ending, so "talks" and "talk", "taxes" and "tax" agree."""
    if len(word) > 4 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 4 and word.endswith(("ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _key_words(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in words(text))


@dataclass(frozen=True)
class Topic:
    """One followed topic, as the user wrote it and as it compares."""

    text: str  # "#ukraine", "ukraine" or "peace talks"
    tag_only: bool
    key: tuple[str, ...]

    @classmethod
    def parse(cls, raw: str) -> Topic:
        """A topic from one argument; `TopicError` if it is too long or has no words."""
        text = " ".join(raw.split())
        tag_only = text.startswith("#")
        body = text.lstrip("#").strip()
        if len(text) > MAX_TOPIC_LENGTH:
            raise TopicError(
                f"“{text[:MAX_TOPIC_LENGTH]}…” is too long: a topic has at most "
                f"{MAX_TOPIC_LENGTH} characters."
            )
        key = _key_words(body)
        if not key:
            raise TopicError(f"“{text}” has no letters or digits to look for.")
        return cls(f"#{body}" if tag_only else body, tag_only, key)

    @property
    def ident(self) -> tuple[bool, tuple[str, ...]]:
        """What makes two topics the same one ("#Peace-Talks" and "#peace talk" are)."""
        return (self.tag_only, self.key)


def split_arguments(text: str) -> list[str]:
    """The topics in a command's argument text: words, and phrases in double quotes."""
    lexer = shlex.shlex(text.translate(_QUOTES), posix=True)
    lexer.whitespace_split = True
    lexer.quotes = '"'
    lexer.escape = ""  # a backslash is just a character
    lexer.commenters = ""  # and so is "#"
    try:
        return [part for part in lexer if part.strip()]
    except ValueError:  # an unclosed quote: take the words as they come
        return [part.strip('"') for part in text.translate(_QUOTES).split() if part.strip('"')]


def parse_topics(text: str) -> list[Topic]:
    """Every topic in `text`, in order; `TopicError` for the first that cannot be followed."""
    return [Topic.parse(part) for part in split_arguments(text)]


def merge(current: Sequence[Topic], added: Iterable[Topic]) -> tuple[list[Topic], list[Topic]]:
    """`current` plus the new ones among `added`; also returns those that were new."""
    seen = {t.ident for t in current}
    new: list[Topic] = []
    for topic in added:
        if topic.ident not in seen:
            seen.add(topic.ident)
            new.append(topic)
    return [*current, *new], new


def remove(current: Sequence[Topic], removed: Iterable[Topic]) -> tuple[list[Topic], list[Topic]]:
    """`current` without `removed`; also returns those that were actually followed."""
    gone = {t.ident for t in removed}
    kept = [t for t in current if t.ident not in gone]
    return kept, [t for t in current if t.ident in gone]


@dataclass(frozen=True)
class _Profile:
    tags: frozenset[tuple[str, ...]]
    texts: tuple[str, ...]  # stemmed words joined by spaces, one string per field


def _profile(briefing: Briefing) -> _Profile:
    fields = [briefing.title, briefing.summary, *briefing.key_points]
    fields += [a.name for a in briefing.attendees]
    fields += [q.speaker for q in briefing.quotes]
    return _Profile(
        frozenset(_key_words(tag) for tag in briefing.tags),
        tuple(" " + " ".join(_key_words(f)) + " " for f in fields),
    )


class ProfileCache(dict[str, tuple[Briefing, _Profile]]):
    """The words of briefings already read, by id (a changed briefing is read again)."""


class TopicFilter:
    """Whether briefings are about any of a chat's topics; remembers each briefing it read."""

    def __init__(self, topics: Sequence[Topic], cache: ProfileCache | None = None) -> None:
        """A filter for these topics (none: every briefing passes).

        Give several filters one `cache` (a `ProfileCache`) so each briefing is read once.
        """
        self.topics = list(topics)
        self._profiles = cache if cache is not None else ProfileCache()

    def matches(self, briefing: Briefing) -> bool:
        """Whether `briefing` is about any of the topics."""
        if not self.topics:
            return True
        cached = self._profiles.get(briefing.id)
        if cached is None or cached[0] is not briefing:
            cached = (briefing, _profile(briefing))
            self._profiles[briefing.id] = cached
        profile = cached[1]
        for topic in self.topics:
            if topic.key in profile.tags:
                return True
            if not topic.tag_only:
                phrase = " " + " ".join(topic.key) + " "
                if any(phrase in text for text in profile.texts):
                    return True
        return False


def most_common_tags(briefings: Iterable[Briefing], limit: int = 8) -> list[str]:
    """The tags most briefings carry, most common first (ties alphabetically)."""
    counts: dict[str, int] = {}
    spelling: dict[str, str] = {}
    for briefing in briefings:
        for tag in dict.fromkeys(t.strip() for t in briefing.tags):
            norm = " ".join(words(tag))
            if norm:
                counts[norm] = counts.get(norm, 0) + 1
                spelling.setdefault(norm, tag)
    ranked = sorted(counts, key=lambda norm: (-counts[norm], norm))
    return [spelling[norm] for norm in ranked[:limit]]
