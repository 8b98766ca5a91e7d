"""Assembling a draft briefing from an article, and writing it out as reviewable YAML."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import HttpUrl, TypeAdapter, ValidationError

from bot.briefing.loader import parse_briefing
from bot.briefing.models import ID_MAX_LENGTH, ID_PATTERN, Briefing, slug_from_filename
from bot.drafting.attendees import find_attendees
from bot.drafting.dates import day_references
from bot.drafting.emit import DraftDocument, Entry, Value, emit
from bot.drafting.gazetteer import countries
from bot.drafting.quotes import Sentence, find_quotes, split_sentences
from bot.drafting.reading import Article, DraftError, read_article
from bot.drafting.speakers import Registry

__all__ = ["Draft", "DraftError", "draft_article"]

# Field limits of a briefing file; a draft is clipped to them so it always validates.
LIMITS = {
    "title": 200,
    "summary": 2000,
    "source": 120,
    "tag": 40,
    "key_point": 500,
    "name": 120,
    "role": 200,
    "country": 80,
    "note": 500,
    "quote": 1500,
    "context": 500,
    "related": 300,
    "when": 80,
    "what": 500,
}
MAX_ITEMS = {"tags": 20, "key_points": 20, "attendees": 200, "quotes": 200, "related": 100}
MAX_ITEMS["timeline"] = 100
_SUMMARY_TARGET = 600
_KEY_POINTS = 8
_TOPIC_TAGS = 4
_STOPWORDS = frozenset(
    [
        "across",
        "along",
        "amid",
        "among",
        "around",
        "despite",
        "through",
        "toward",
        "towards",
        "within",
        "without",
        "about",
        "above",
        "after",
        "again",
        "against",
        "their",
        "there",
        "these",
        "those",
        "which",
        "while",
        "would",
        "could",
        "should",
        "other",
        "being",
        "because",
        "before",
        "below",
        "between",
        "during",
        "under",
        "until",
        "where",
        "whose",
        "with",
        "within",
        "without",
        "after",
        "also",
        "since",
        "still",
        "today",
        "says",
        "said",
        "stated",
        "added",
        "according",
        "statement",
        "still",
        "further",
        "however",
        "several",
        "among",
        "towards",
        "toward",
        "called",
        "calls",
        "including",
        "against",
        "already",
        "minister",
        "president",
        "prime",
        "leaders",
        "leader",
        "countries",
        "country",
        "government",
        "people",
        "years",
    ]
)
# Words too common in news about meetings to tell one article from another.
_GENERIC = frozenset(
    [
        "foreign",
        "ministers",
        "officials",
        "official",
        "first",
        "second",
        "third",
        "meeting",
        "talks",
        "week",
        "month",
    ]
)
_WORD = re.compile(r"[a-z][a-z-]{4,}")
_URL = TypeAdapter(HttpUrl)


@dataclass(frozen=True)
class Draft:
    """A draft briefing: the validated briefing, its YAML text and what an editor must check."""

    briefing: Briefing
    yaml: str
    reviews: list[str] = field(default_factory=list)


def clip(text: str, limit: int) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(",;:") + "…"


def draft_article(
    raw: bytes | str,
    *,
    briefing_id: str | None = None,
    published: dt.date | dt.datetime | None = None,
    source_url: str | None = None,
    today: dt.date | None = None,
) -> Draft:
    """Read one article and return a draft briefing that passes `briefbot validate`."""
    if briefing_id is not None and not (
        re.fullmatch(ID_PATTERN, briefing_id) and len(briefing_id) <= ID_MAX_LENGTH
    ):
        raise DraftError(f"id {briefing_id!r} is not a slug of at most {ID_MAX_LENGTH} characters")
    if source_url is not None:
        try:
            _URL.validate_python(source_url)
        except ValidationError:
            raise DraftError(f"source URL {source_url!r} is not an http(s) URL") from None
    if isinstance(published, dt.datetime) and published.utcoffset() is None:
        raise DraftError("a publication date-time needs a UTC offset")
    article = read_article(raw)
    doc = _document(article, briefing_id, published, source_url, today)
    text = emit(doc)
    briefing = parse_briefing(text.encode("utf-8"), Path(f"{doc.id.value}.yaml"))
    return Draft(briefing, text, review_lines(text))


def review_lines(text: str) -> list[str]:
    """Each `# review:` line of a draft, as `<what the line says> — <what to check>`."""
    reviews = []
    for line in text.splitlines():
        value, marker, note = line.partition("  # review: ")
        if marker:
            reviews.append(f"{clip(value.strip().removeprefix('- '), 100)} — {note}")
    return reviews


def _document(
    article: Article,
    briefing_id: str | None,
    published: dt.date | dt.datetime | None,
    source_url: str | None,
    today: dt.date | None,
) -> DraftDocument:
    title = clip(article.title, LIMITS["title"])
    title_review = article.title_review
    if title != article.title:
        title_review = "the headline was long; shortened"
    published_review: str | None = None
    if published is None and article.published is not None:
        published = article.published
        published_review = "date read from the article; check it is the publication date"
    resolved_date: dt.date | None = None
    if published is None:
        published = today or dt.datetime.now(dt.UTC).date()
        published_review = "no date found in the article; today's date used"
    else:
        resolved_date = published.date() if isinstance(published, dt.datetime) else published

    sentences = split_sentences(article.paragraphs)
    body_text = " ".join(article.paragraphs)
    registry = Registry(body_text)
    quotes = find_quotes(sentences, registry)
    attendees = find_attendees(sentences, registry)

    summary, used = _summary(article)
    return DraftDocument(
        id=Value(briefing_id or _slug(title)),
        title=Value(title, title_review),
        published=published,
        published_review=published_review,
        source=_source(article, source_url),
        source_review=None
        if (article.site_name or source_url or article.url)
        else ("the source is unknown; add its name and URL"),
        tags=[Value(t) for t in _tags(article.title, body_text)],
        summary=Value(
            summary, None if article.paragraphs else "no body text; summary is the title"
        ),
        key_points=[Value(p) for p in _key_points(sentences, used, set(article.asides))],
        attendees=[
            {
                "name": Value(clip(a.name, LIMITS["name"]), a.review),
                "role": Value(clip(a.role, LIMITS["role"]) if a.role else None),
                "country": Value(clip(a.country, LIMITS["country"]) if a.country else None),
                "status": Value(a.status),
                "note": Value(clip(a.note, LIMITS["note"]) if a.note else None),
            }
            for a in attendees[: MAX_ITEMS["attendees"]]
        ],
        quotes=[
            {
                "speaker": Value(clip(q.speaker, LIMITS["name"]), q.review),
                "role": Value(clip(q.role, LIMITS["role"]) if q.role else None),
                "text": Value(clip(q.text, LIMITS["quote"])),
                "context": Value(clip(q.context, LIMITS["context"]) if q.context else None),
            }
            for q in quotes[: MAX_ITEMS["quotes"]]
        ],
        related=[
            {"title": Value(clip(r, LIMITS["related"]))}
            for r in article.related[: MAX_ITEMS["related"]]
        ],
        timeline=_timeline(sentences, resolved_date),
    )


def _slug(title: str) -> str:
    slug = slug_from_filename(re.sub(r"['’‘]", "", title))[:ID_MAX_LENGTH]
    if len(slug) == ID_MAX_LENGTH and "-" in slug:
        slug = slug.rsplit("-", 1)[0]
    slug = slug.strip("-")
    if not slug:
        slug = "draft-" + hashlib.sha1(title.encode()).hexdigest()[:10]
    return slug


def _source(article: Article, source_url: str | None) -> Entry | None:
    url = source_url or article.url
    name = article.site_name
    if not name and url:
        name = (urlsplit(url).hostname or "").removeprefix("www.") or None
    if not name:
        return None
    return {"name": Value(clip(name, LIMITS["source"])), "url": Value(url)}


def _summary(article: Article) -> tuple[str, int]:
    parts: list[str] = []
    used = 0
    for number, paragraph in enumerate(article.paragraphs):
        if number in article.asides:
            used += 1
            continue
        if parts and len(" ".join(parts)) + len(paragraph) > LIMITS["summary"]:
            break
        parts.append(paragraph)
        used += 1
        if len(" ".join(parts)) >= _SUMMARY_TARGET * 0.5:
            break
    summary = " ".join(parts) or article.title
    return clip(summary, LIMITS["summary"]), used


def _key_points(sentences: list[Sentence], used: int, asides: set[int]) -> list[str]:
    points: list[str] = []
    seen_paragraphs: set[int] = set(asides)
    for sentence in sentences:
        if sentence.paragraph < used or sentence.paragraph in seen_paragraphs:
            continue
        quoted = sum(end - start for start, end in sentence.quotes)
        words = sentence.text.split()
        if len(words) < 6 or quoted > 0.6 * len(sentence.text):
            continue
        seen_paragraphs.add(sentence.paragraph)
        points.append(clip(sentence.text, LIMITS["key_point"]))
        if len(points) >= _KEY_POINTS:
            break
    return points


def _tags(title: str, body: str) -> list[str]:
    text = f"{title} {body}"
    places: Counter[str] = Counter()
    for written, name in countries().items():
        if written in text:
            count = len(re.findall(rf"\b{re.escape(written)}\b", text))
            if count:
                places[name] += count
    words = Counter(
        w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and w not in _GENERIC
    )
    title_words = set(_WORD.findall(title.lower()))
    # A title word counts when the story repeats it: headlines are full of verbs used once.
    topics = [w for w, n in words.most_common(40) if n >= 3 or (w in title_words and n >= 2)]
    tags: list[str] = []
    for tag in [p for p, _ in places.most_common(6)] + topics[:_TOPIC_TAGS]:
        slug = re.sub(r"[^\w]+", "-", tag.lower()).strip("-")[: LIMITS["tag"]]
        if slug and slug not in tags:
            tags.append(slug)
    return tags[: MAX_ITEMS["tags"]]


def _timeline(sentences: list[Sentence], published: dt.date | None) -> list[Entry]:
    entries: list[tuple[dt.date | None, int, Entry]] = []
    seen: set[str] = set()
    for index, sentence in enumerate(sentences):
        for ref in day_references(sentence.text, published, sentence.outside):
            if ref.when.lower() in seen:
                continue
            seen.add(ref.when.lower())
            review = (
                f'"{ref.phrase}" resolved against the publication date' if ref.resolved else None
            )
            entry = {
                "when": Value(clip(ref.when, LIMITS["when"]), review),
                "what": Value(clip(sentence.text, LIMITS["what"])),
            }
            entries.append((ref.day, index, entry))
            break  # one entry per sentence: its first day not seen before
        if len(entries) >= MAX_ITEMS["timeline"]:
            break
    ordered = sorted(entries, key=lambda e: (e[0] or dt.date.max, e[1]))
    return [entry for _, _, entry in ordered]
