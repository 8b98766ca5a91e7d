"""Which briefings to offer when a reader shares one into a chat (Telegram's inline mode).

The same answer for every reader: nothing here depends on who asks or from which chat.
"""

from __future__ import annotations

from bot.briefing.library import BriefingLibrary
from bot.briefing.models import Briefing


def shareable(library: BriefingLibrary, query: str, limit: int) -> list[Briefing]:
    """Up to `limit` briefings for `query`: the newest when it is blank, else the matches.

    A query that is exactly a briefing's id (what the Share button under a summary types)
    puts that briefing first, then whatever else its words match.
    """
    query = query.strip()
    if not query:
        return library.newest(limit=limit)
    exact = library.get(query.lower())
    found = library.search(query, limit=limit)
    if exact is None:
        return found
    return [exact, *(b for b in found if b.id != exact.id)][:limit]
