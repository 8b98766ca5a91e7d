"""Splitting Telegram HTML into messages that fit Telegram's length limit.

Telegram counts a message's length after entity parsing (tags removed, ``&amp;`` as one
character) in UTF-16 code units, and allows 4096. A long answer is cut between blocks (text
between blank lines, such as a speaker's line and the quote under it, or a list with its
heading), so a block is only broken when it alone does not fit; then at a line break, at a
space, and never inside a tag or an entity. No part is only a heading line. Tags open at the cut
are closed at the end of one part and reopened at the start of the next, so every part is valid
HTML and nothing is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MESSAGE_LIMIT = 4096

_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|[\ud800-\udfff]|.", re.DOTALL)
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w-]*)")


@dataclass(frozen=True, slots=True)
class _Unit:
    raw: str
    width: int  # UTF-16 code units once rendered; tags are 0
    kind: str  # "open", "close" or "text"
    name: str = ""


def utf16_width(text: str) -> int:
    """How many UTF-16 code units Telegram counts for `text`."""
    return len(text.encode("utf-16-le")) // 2


def _units(html: str) -> list[_Unit]:
    units = []
    for raw in _TOKEN.findall(html):
        if raw.startswith("<"):
            match = _TAG_NAME.match(raw)
            name = match[1].lower() if match else ""
            kind = "close" if raw.startswith("</") else "open"
            units.append(_Unit(raw, 0, kind, name))
        elif raw.startswith("&") and len(raw) > 1:
            units.append(_Unit(raw, 1, "text"))
        else:
            units.append(_Unit(raw, utf16_width(raw), "text"))
    return units


_TAG = re.compile(r"<[^>]*>")
_ENTITY = re.compile(r"&#?\w+;")


def visible_length(html: str) -> int:
    """The length Telegram counts for this HTML message."""
    # The same count as summing `_units`, with the regular expressions doing the walking: the
    # text between tags, less what its entities save by counting as one character each.
    width = 0
    for text in _TAG.split(html):
        width += len(text.encode("utf-16-le", "surrogatepass")) // 2
        width -= sum(len(entity) - 1 for entity in _ENTITY.findall(text))
        width -= text.count("<")  # a "<" never closed: `_units` takes it for a tag, too
    return width


def split_html(html: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut `html` into parts of at most `limit` visible characters each, in order."""
    if utf16_width(html) <= limit:  # tags and entities only ever shorten the visible text
        return [html.strip()] if html.strip() else []
    units = _units(html)
    if sum(u.width for u in units) <= limit:
        return [html.strip()] if html.strip() else []

    parts: list[str] = []
    start, start_stack = 0, list[_Unit]()
    stack: list[_Unit] = []
    width = 0
    # Candidate cut points in the current part: (unit index where the next part starts, the
    # tags open there).
    para: tuple[int, list[_Unit]] | None = None
    line: tuple[int, list[_Unit]] | None = None
    space: tuple[int, list[_Unit]] | None = None

    def emit(end: int, open_at_end: list[_Unit]) -> None:
        body = "".join(u.raw for u in units[start:end]).rstrip()
        text = "".join(u.raw for u in start_stack) + body
        text += "".join(f"</{u.name}>" for u in reversed(open_at_end))
        if any(u.kind == "text" and u.raw.strip() for u in units[start:end]):
            parts.append(text)

    def lonely(end: int) -> bool:
        """Whether the part would be a lone short line, such as a heading or a speaker's name."""
        width, newline = 0, False
        for k in range(start, end):
            unit = units[k]
            if unit.raw == "\n":
                newline = True
            elif unit.kind == "text" and unit.raw.strip():
                if newline:
                    return False
                width += unit.width
                if width >= limit // 4:
                    return False
        return True

    i = 0
    while i < len(units):
        unit = units[i]
        if unit.kind == "open":
            stack.append(unit)
        elif unit.kind == "close":
            if stack and stack[-1].name == unit.name:
                stack.pop()
        elif width + unit.width > limit:
            hard = (i, list(stack))
            cut = next(
                (c for c in (para, line, space) if c and c[0] > start and not lonely(c[0])), hard
            )
            emit(cut[0], cut[1])
            start, start_stack = cut
            stack = list(start_stack)
            para = line = space = None
            width = 0
            i = start
            # Leading white space of a new part would be stripped by Telegram anyway.
            while i < len(units) and units[i].kind == "text" and not units[i].raw.strip():
                i += 1
            start = i
            continue
        else:
            width += unit.width
            if unit.raw == "\n":
                line = (i + 1, list(stack))
                if i > 0 and units[i - 1].raw == "\n":
                    para = line
            elif unit.raw == " ":
                space = (i + 1, list(stack))
        i += 1
    emit(len(units), [])
    return parts
