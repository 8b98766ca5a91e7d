"""Text folding for lookups: case- and accent-insensitive words."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lowercase `text` and strip accents, so "António" and "antonio" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """The folded words of `text`."""
    return _WORD.findall(fold(text))
