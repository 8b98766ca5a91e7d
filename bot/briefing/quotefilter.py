"""Quotes by a speaker, and a short key that selects the same quotes again.

A page button under `/quotes macron` cannot carry the words typed (callback data is 64 bytes,
most of it the briefing id), so it carries which of the briefing's speakers matched instead:
their numbers in order of first appearance, in base 36 ("3.7"; "0~1.3" when some only match
inside a word and come second).
"""

from __future__ import annotations

from bot.briefing.library import speaker_rank
from bot.briefing.models import Briefing, Quote

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


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
