"""Topics a chat follows, and whether a briefing is about any of them.

A topic is a tag (``#ukraine``), or a word or a phrase (``ukraine``, ``"peace talks"``). A tag
matches a briefing with that tag; a word or phrase matches a briefing with that tag or with those
words, in that order, in its title, summary, a key point, an attendee's name or a speaker's name.
Matching is on folded words (case- and accent-insensitive) with a light plural rule applied to
both sides, and never reads user input as a pattern: only whole words compare.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.briefing.models import Briefing
from bot.briefing.textnorm import words
from bot.i18n import N_

MAX_TOPICS = 20
MAX_TOPIC_LENGTH = 64
# Curly quotes, as phone keyboards type them, stand for the straight ones.
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})


class TopicError(ValueError):
    """A topic that cannot be followed; the message says why, for the user.

    `message` is the English text with named placeholders, marked for translation, and
    `params` fill them; `str()` gives the English sentence.
    """

    def __init__(self, message: str, **params: str | int) -> None:
        super().__init__(message % params)
        self.message = message
        self.params = params


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
                N_("“%(topic)s…” is too long: a topic has at most %(limit)d characters."),
                topic=text[:MAX_TOPIC_LENGTH],
                limit=MAX_TOPIC_LENGTH,
            )
        key = _key_words(body)
        if not key:
            raise TopicError(N_("“%(topic)s” has no letters or digits to look for."), topic=text)
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
    """`current` without `removed`; also returns those that were actually followed.

    With or without "#", a word drops the topic: "/unfollow energy" after "/follow #energy".
    """
    gone = {t.key for t in removed}
    kept = [t for t in current if t.key not in gone]
    return kept, [t for t in current if t.key in gone]


@dataclass(frozen=True)
class _Profile:
    tags: frozenset[tuple[str, ...]]
    # Stemmed words, one line per field, each padded with spaces: " word word \n word \n".
    # A phrase (" a b ") then never spans two fields, and one string keeps memory small.
    text: str


def _profile(briefing: Briefing) -> _Profile:
    fields = [briefing.title, briefing.summary, *briefing.key_points]
    fields += [a.name for a in briefing.attendees]
    fields += [q.speaker for q in briefing.quotes]
    return _Profile(
        frozenset(_key_words(tag) for tag in briefing.tags),
        "\n".join(" " + " ".join(_key_words(f)) + " " for f in fields),
    )


class ProfileCache(dict[str, tuple[object, _Profile]]):
    """The words of briefings already read, by id, with the stamp of the version read."""

    def profile(
        self, briefing_id: str, stamp: object, load: Callable[[], Briefing | None]
    ) -> _Profile | None:
        """The words of a briefing, read again only when its `stamp` is another object."""
        cached = self.get(briefing_id)
        if cached is not None and cached[0] is stamp:
            return cached[1]
        briefing = load()
        if briefing is None:
            return None
        profile = _profile(briefing)
        self[briefing_id] = (stamp, profile)
        return profile


class TopicFilter:
    """Whether briefings are about any of a chat's topics; remembers each briefing it read."""

    def __init__(self, topics: Sequence[Topic], cache: ProfileCache | None = None) -> None:
        """A filter for these topics (none: every briefing passes).

        Give several filters one `cache` (a `ProfileCache`) so each briefing is read once.
        """
        self.topics = list(topics)
        self._profiles = cache if cache is not None else ProfileCache()
        self._phrases = [
            (topic.key, None if topic.tag_only else " " + " ".join(topic.key) + " ")
            for topic in self.topics
        ]

    def matches(self, briefing: Briefing) -> bool:
        """Whether `briefing` is about any of the topics."""
        return self.matches_stored(briefing.id, briefing, lambda: briefing)

    def matches_stored(
        self, briefing_id: str, stamp: object, load: Callable[[], Briefing | None]
    ) -> bool:
        """Like `matches`, for a stored briefing that `load` unpacks only if `stamp` is new."""
        if not self.topics:
            return True
        profile = self._profiles.profile(briefing_id, stamp, load)
        if profile is None:
            return False
        for key, phrase in self._phrases:
            if key in profile.tags or (phrase is not None and phrase in profile.text):
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
