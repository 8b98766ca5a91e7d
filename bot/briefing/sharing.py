"""Which briefings to offer when a reader shares one into a chat (Telegram's inline mode).

The same answer for every reader: nothing here depends on who asks or from which chat. Results
come a page at a time; only the briefings on the page are read from the library's shelf, so a
page deep into the newest costs what the first one does.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.briefing.library import BriefingLibrary
from bot.briefing.models import Briefing

# Matches offered for a query, over all pages. Every page builds the matches before it, so
# this bounds the work of the deepest page (about a quarter of a millisecond per briefing).
MAX_MATCHES = 200


@dataclass(frozen=True)
class SharePage:
    """One page of what to offer, and whether more follow."""

    briefings: list[Briefing]
    more: bool


def shareable(library: BriefingLibrary, query: str, offset: int, count: int) -> SharePage:
    """The page of `count` briefings from `offset` for `query`.

    A blank query pages through every briefing, newest first; words give the matches, best
    first, at most `MAX_MATCHES`. A query that is exactly a briefing's id (what the Share button
    under a summary types) puts that briefing first, then whatever else its words match.
    """
    end = offset + count
    query = query.strip()
    if not query:
        ids = library.newest_ids(limit=end + 1)
        page = [b for b in (library.get(i) for i in ids[offset:end]) if b is not None]
        return SharePage(page, len(ids) > end)
    found = library.search(query, limit=min(end + 1, MAX_MATCHES))
    exact = library.get(query.lower())
    if exact is not None:
        found = [exact, *(b for b in found if b.id != exact.id)]
    return SharePage(found[offset:end], min(len(found), MAX_MATCHES) > end)
