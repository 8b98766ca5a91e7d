"""Pages of long answers: a section's items grouped into pages that each fit one message.

A section (quotes, attendees, related headlines, the timeline, search results) is a heading and
a list of items. Items are packed into pages by visible length, in order, and never split, unless
one item alone is longer than a page; every page repeats the heading (and the heading of the
group an item belongs to, such as "Confirmed (7)") and ends with "Page 2 of 5". One chat
answer is one page; buttons turn the pages.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from bot.briefing.split import MESSAGE_LIMIT, split_html, visible_length

# Room kept free on every page for the "Page 12 of 34" line (and the blank line before it).
FOOTER_ROOM = 40
# Every page turn measures the same items again (each ~3-6 µs); the lengths of recent items are
# kept, the same few thousand strings at most.
_measured = functools.lru_cache(maxsize=4096)(visible_length)


@dataclass(frozen=True, slots=True)
class Item:
    """One entry of a section, as HTML, and the heading of the group it belongs to (if any)."""

    html: str
    group: str = ""


@dataclass(frozen=True)
class Section:
    """A heading and its items; `tight` items go on consecutive lines, else blank lines apart."""

    heading: str
    items: Sequence[Item]
    empty: str
    tight: bool = False
    # The footer of each page, in the reader's language; `%(page)d` and `%(pages)d` are filled.
    page_label: str = "Page %(page)d of %(pages)d"


def _cost(item: Item, group: str | None, tight: bool, first: bool) -> int:
    """The visible length `item` adds to a page whose last item was in `group`."""
    if item.group and item.group != group:
        return 2 + _measured(item.group) + 1 + _measured(item.html)
    return (2 if first or not tight else 1) + _measured(item.html)


def _assemble(section: Section, items: Sequence[Item]) -> str:
    out = [section.heading]
    group: str | None = None
    for i, item in enumerate(items):
        if item.group and item.group != group:
            out.append(f"\n\n{item.group}\n{item.html}")
        else:
            out.append(("\n" if section.tight and i else "\n\n") + item.html)
        group = item.group
    if not items:
        out.append(f"\n\n{section.empty}")
    return "".join(out)


def whole(section: Section) -> str:
    """The section on one page, however long (for `split_html` to cut, or for a short one)."""
    return _assemble(section, section.items)


def paginate(section: Section, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The section as pages of at most `limit` visible characters each; at least one page."""
    budget = limit - FOOTER_ROOM
    heading = visible_length(section.heading)
    chunks: list[list[Item]] = []
    current: list[Item] = []
    width = heading
    group: str | None = None
    for item in section.items:
        cost = _cost(item, group, section.tight, not current)
        if current and width + cost > budget:
            chunks.append(current)
            current, width, group = [], heading, None
            cost = _cost(item, group, section.tight, True)
        if width + cost > budget:
            # Longer than a page on its own: the only case where one item is cut.
            room = budget - heading - 2 - (visible_length(item.group) + 1 if item.group else 0)
            for piece in split_html(item.html, limit=max(room, 200)):
                chunks.append([Item(piece, item.group)])
            continue
        current.append(item)
        width += cost
        group = item.group
    if current or not chunks:
        chunks.append(current)
    pages = [_assemble(section, chunk) for chunk in chunks]
    if len(pages) > 1:
        label = section.page_label
        pages = [
            f"{p}\n\n<i>{label % {'page': n, 'pages': len(pages)}}</i>"
            for n, p in enumerate(pages, start=1)
        ]
    return pages


def pick(pages: Sequence[str], number: int) -> tuple[int, str]:
    """Page `number` (1-based), or the nearest page there is, with its number."""
    number = min(max(number, 1), len(pages))
    return number, pages[number - 1]
