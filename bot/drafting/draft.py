"""Assembling a draft briefing from an article, and writing it out as reviewable YAML."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.briefing.loader import parse_briefing
from bot.briefing.models import ID_MAX_LENGTH, Briefing, slug_from_filename


class DraftError(Exception):
    """The input cannot be drafted (empty, binary, not UTF-8); the message says why in one line."""


@dataclass(frozen=True)
class Draft:
    """A draft briefing: the validated briefing, its YAML text and what an editor must check."""

    briefing: Briefing
    yaml: str
    reviews: list[str] = field(default_factory=list)


def draft_article(
    raw: bytes | str,
    *,
    briefing_id: str | None = None,
    published: dt.date | dt.datetime | None = None,
    source_url: str | None = None,
    today: dt.date | None = None,
) -> Draft:
    """Read one article and return a draft briefing that passes `briefbot validate`."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    if not paragraphs:
        raise DraftError("the article is empty")
    title = paragraphs[0]
    summary = paragraphs[1] if len(paragraphs) > 1 else title
    reviews: list[str] = []
    if published is None:
        published = today or dt.datetime.now(dt.UTC).date()
        reviews.append("published: no date found in the article; today's date used")
    data: dict[str, object] = {
        "id": briefing_id or slug_from_filename(title)[:ID_MAX_LENGTH].strip("-"),
        "title": title,
        "published": published.isoformat(),
        "summary": summary,
    }
    if source_url:
        data["source"] = {"name": source_url, "url": source_url}
    text_out = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    briefing = parse_briefing(text_out.encode(), Path(f"{data['id']}.yaml"))
    return Draft(briefing, text_out, reviews)
