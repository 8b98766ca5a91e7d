"""Splitting Telegram HTML into messages that fit Telegram's length limit.

Telegram counts a message's length after entity parsing (tags removed, ``&amp;`` as one
character) in UTF-16 code units, and allows 4096. A long answer is cut at a blank line or line
break where possible, never inside a tag or an entity; tags open at the cut are closed at the end
of one part and reopened at the start of the next, so every part is valid HTML and nothing is lost.
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


def visible_length(html: str) -> int:
    """The length Telegram counts for this HTML message."""
    return sum(u.width for u in _units(html))


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

    i = 0
    while i < len(units):
        unit = units[i]
        if unit.kind == "open":
            stack.append(unit)
        elif unit.kind == "close":
            if stack and stack[-1].name == unit.name:
                stack.pop()
        elif width + unit.width > limit:
            if para and para[0] - start >= (i - start) // 2:
                cut = para
            else:
                cut = line or space or (i, list(stack))
            if cut[0] <= start:
                cut = (i, list(stack))
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
