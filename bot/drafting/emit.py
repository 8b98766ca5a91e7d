"""Writing a draft as YAML an editor can review.

One value per line, each dumped by PyYAML's safe dumper (so quoting and escaping are right), with
a `# review:` comment on the line it concerns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import yaml

try:
    from yaml import CSafeDumper as SafeDumper
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper  # type: ignore[assignment]


@dataclass
class Value:
    """A scalar to write, with the note an editor should check (if any)."""

    value: str | None
    review: str | None = None


Entry = dict[str, Value]


@dataclass
class DraftDocument:
    """Everything a draft briefing holds, in the order it is written."""

    id: Value
    title: Value
    published: dt.date | dt.datetime
    published_review: str | None
    source: Entry | None
    source_review: str | None
    tags: list[Value] = field(default_factory=list)
    summary: Value = field(default_factory=lambda: Value(None))
    key_points: list[Value] = field(default_factory=list)
    attendees: list[Entry] = field(default_factory=list)
    quotes: list[Entry] = field(default_factory=list)
    related: list[Entry] = field(default_factory=list)
    timeline: list[Entry] = field(default_factory=list)


def scalar(value: str) -> str:
    """`value` as one YAML scalar on one line (plain where safe, quoted where needed)."""
    dumped: str = yaml.dump(
        {"k": value}, Dumper=SafeDumper, allow_unicode=True, width=1 << 30, sort_keys=False
    )
    return dumped[3:].rstrip("\n")


def _line(indent: str, key: str, value: Value) -> str:
    text = f"{indent}{key}: {scalar(value.value or '')}"
    return f"{text}  # review: {value.review}" if value.review else text


def _entries(lines: list[str], key: str, entries: Sequence[Entry]) -> None:
    if not entries:
        lines.append(f"{key}: []")
        return
    lines.append(f"{key}:")
    for entry in entries:
        first = True
        for field_name, value in entry.items():
            if value.value is None:
                continue
            lines.append(_line("  - " if first else "    ", field_name, value))
            first = False


def _items(lines: list[str], key: str, items: Sequence[Value]) -> None:
    if not items:
        lines.append(f"{key}: []")
        return
    lines.append(f"{key}:")
    for item in items:
        text = f"  - {scalar(item.value or '')}"
        lines.append(f"{text}  # review: {item.review}" if item.review else text)


def emit(doc: DraftDocument) -> str:
    """The YAML text of a draft briefing."""
    lines = ["# Draft briefing: check every line marked `# review:` before publishing."]
    lines.append(_line("", "id", doc.id))
    lines.append(_line("", "title", doc.title))
    published = f"published: {doc.published.isoformat()}"
    lines.append(
        f"{published}  # review: {doc.published_review}" if doc.published_review else published
    )
    if doc.source is None:
        note = f"  # review: {doc.source_review}" if doc.source_review else ""
        lines.append(f"source: null{note}")
    else:
        lines.append("source:")
        for key, value in doc.source.items():
            if value.value is not None:
                lines.append(_line("  ", key, value))
    lines.append("")
    _items(lines, "tags", doc.tags)
    lines.append("")
    lines.append(_line("", "summary", doc.summary))
    lines.append("")
    _items(lines, "key_points", doc.key_points)
    for key, entries in (
        ("attendees", doc.attendees),
        ("quotes", doc.quotes),
        ("related", doc.related),
        ("timeline", doc.timeline),
    ):
        lines.append("")
        _entries(lines, key, entries)
    return "\n".join(lines) + "\n"
