"""Text folding for lookups: case- and accent-insensitive words."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from itertools import filterfalse

_WORD = re.compile(r"\w+")


@functools.cache
def _bmp_marks() -> re.Pattern[str]:
    """Runs of combining characters (accents and the like) of the Basic Multilingual Plane.

    Built on first use from this Python's Unicode database. A class of BMP characters compiles
    to a bitmap, so one `sub` strips them many times faster than testing characters one by one.
    """
    ranges: list[list[int]] = []
    for code in range(0x10000):
        if unicodedata.combining(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in ranges) + "]+")


def fold(text: str) -> str:
    """Lowercase `text` and strip accents, so "António" and "antonio" compare equal."""
    if text.isascii():
        # NFKD leaves ASCII alone, and casefold() is lower() there: the common case, fast.
        return text.lower()
    stripped = _bmp_marks().sub("", unicodedata.normalize("NFKD", text))
    if len(stripped.encode("utf-16-le", "surrogatepass")) > 2 * len(stripped):
        # Characters beyond the BMP (emoji, rare scripts): check those one by one.
        stripped = "".join(filterfalse(unicodedata.combining, stripped))
    return stripped.casefold()


def words(text: str) -> list[str]:
    """The folded words of `text`."""
    return _WORD.findall(fold(text))


def words_of_all(texts: Iterable[str]) -> list[str]:
    """The folded words of all `texts`, in order (folded one by one: most are plain ASCII)."""
    return _WORD.findall("\n".join([fold(text) for text in texts]))
