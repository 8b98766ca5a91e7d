"""Pages of long answers: a section's items grouped into pages that each fit one message.

A section (quotes, attendees, related headlines, the timeline, search results) is a heading and
a list of items. Items are packed into pages by visible length, in order, and never split, unless
one item alone is longer than a page; every page repeats the heading (and the heading of the
group an item belongs to, such as "Confirmed (7)") and ends with "Page 2 of 5". One chat
answer is one page; buttons turn the pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.briefing.library import speaker_rank
from bot.briefing.models import Briefing, Quote
from bot.briefing.split import MESSAGE_LIMIT, split_html, visible_length

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
# Room kept free on every page for the "Page 12 of 34" line (and the blank line before it).
FOOTER_ROOM = 40


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


def _cost(item: Item, group: str | None, tight: bool, first: bool) -> int:
    """The visible length `item` adds to a page whose last item was in `group`."""
    if item.group and item.group != group:
        return 2 + visible_length(item.group) + 1 + visible_length(item.html)
    return (2 if first or not tight else 1) + visible_length(item.html)


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
        pages = [f"{p}\n\n<i>Page {n} of {len(pages)}</i>" for n, p in enumerate(pages, start=1)]
    return pages


def pick(pages: Sequence[str], number: int) -> tuple[int, str]:
    """Page `number` (1-based), or the nearest page there is, with its number."""
    number = min(max(number, 1), len(pages))
    return number, pages[number - 1]


def _base36(n: int) -> str:
    out = ""
    while True:
        n, digit = divmod(n, 36)
        out = _DIGITS[digit] + out
        if not n:
            return out


def _speakers(briefing: Briefing) -> list[Quote]:
    """The first quote of each distinct (speaker, role) of a briefing, in order."""
    first: dict[tuple[str, str | None], Quote] = {}
    for quote in briefing.quotes:
        first.setdefault((quote.speaker, quote.role), quote)
    return list(first.values())


def quotes_matching(briefing: Briefing, query: str) -> tuple[list[Quote], str]:
    """Quotes whose speaker `query` names, and a short key that selects them again.

    Quotes whose speaker the query names from the start of words come first, then those it
    names only inside a word ("ron" in "Macron"); each group in the briefing's order. The key
    lists the matching speakers by number, so a button can carry it: "3.7~c".
    """
    best: list[str] = []
    inside: list[str] = []
    for number, quote in enumerate(_speakers(briefing)):
        rank = speaker_rank(query, quote)
        if rank:
            (best if rank == 2 else inside).append(_base36(number))
    key = ".".join(best) + ("~" + ".".join(inside) if inside else "")
    return quotes_for_key(briefing, key) or [], key


def quotes_for_key(briefing: Briefing, key: str) -> list[Quote] | None:
    """The quotes a key of `quotes_matching` selects, in the same order; None for a bad key."""
    speakers = _speakers(briefing)
    ranks: dict[tuple[str, str | None], int] = {}
    for rank, numbers in enumerate(key.split("~")[:2]):
        for number in filter(None, numbers.split(".")):
            if len(number) > 3 or not set(number) <= set(_DIGITS):
                return None
            index = int(number, 36)
            if index >= len(speakers):
                return None
            ranks[(speakers[index].speaker, speakers[index].role)] = rank
    quotes = briefing.quotes
    chosen = sorted(
        (ranks[who], i) for i, q in enumerate(quotes) if (who := (q.speaker, q.role)) in ranks
    )
    return [quotes[i] for _, i in chosen]
