"""A fast first try at parsing a briefing file, used only where it cannot differ from PyYAML.

`yaml-rs` (a YAML parser written in Rust) reads a briefing several times faster than PyYAML's
C loader, but it follows YAML 1.2 where PyYAML follows 1.1: `yes`/`no`/`on`/`off` stay
strings, `0755` is 755 rather than 493, `1:20` stays a string rather than 80, a quoted date
becomes a date. `quick_load` therefore gives a result only for files where none of that can
matter, and None for everything else, which the precise PyYAML loader then reads (and reports
errors for, with their lines):

- the bytes have nothing whose meaning changes between the two, or that PyYAML refuses
  where yaml-rs may not: no tag (`!`), anchor (`&`), alias (`*`) or `@`/backquote starting a
  value, no merge key (`<<`), directive or second document, no tab, byte order mark, control
  character, nor line break that only 1.1 knows (NEL, LS, PS);
- every key is a string and no string (key or value) is one that PyYAML would read as
  something else had it been written unquoted (a boolean, number, null, timestamp, merge);
- no value is a boolean or a number (no briefing field takes one, so such a file has an error
  whose message should be PyYAML's), and there are at most `max_nodes` values;
- a date-time (only `published` takes one) is written unquoted as PyYAML writes it,
  `YYYY-MM-DD[T ]HH:MM:SS` and `Z` or a `±HH:MM` offset. Dates and date-times anywhere else
  fail validation, which also falls back.

Repeated keys make yaml-rs fail, which also falls back. Without yaml-rs installed
`quick_load` always returns None.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from yaml.resolver import Resolver

_loads: Callable[[str], Any] | None
try:
    from yaml_rs import loads as _loads
except ImportError:  # pragma: no cover - depends on the installation
    _loads = None

# Bytes whose presence anywhere sends a file to PyYAML: ASCII control characters (tab
# included: PyYAML refuses it where yaml-rs may not), C1 controls (among them NEL, a line
# break only to YAML 1.1), the line and paragraph separators (the same), U+FFFE, U+FFFF and a
# byte order mark, merge keys and directives.
_PRINTABLE = bytes([0x0A, 0x0D, *range(0x20, 0x7F), *range(0x80, 0x100)])
_RISKY_BYTES = (b"<<", b"\n%")
_RISKY_CHARS = "\u2028\u2029\ufffe\uffff\ufeff"
_C1 = re.compile(rb"\xc2[\x80-\x9f]")
_DOCUMENT_MARK = re.compile(rb"\n(?:---|\.\.\.)(?=[ \t\r\n]|\Z)")
# Where a tag (`!`), anchor (`&`), alias (`*`) or a reserved indicator (`@`, a backquote)
# would begin a value: at the start of the file or after a space, line break or `[{,`.
_NODE_INDICATORS = b"!&*@`"
_BEFORE_NODE = frozenset(b" \t\r\n[{,")
# PyYAML's own table of how it reads an unquoted value, by first character.
_IMPLICIT = Resolver.yaml_implicit_resolvers


def available() -> bool:
    """Whether yaml-rs is installed, so that `quick_load` can do anything."""
    return _loads is not None


def quick_load(raw: bytes, text: str, max_nodes: int) -> dict[str, Any] | None:
    """The mapping in `text` (decoded from `raw`) as PyYAML would read it, or None if unsure."""
    if _loads is None or _risky(raw, text):
        return None
    try:
        data = _loads(text)
    except Exception:  # any complaint at all: PyYAML's loader says it precisely
        return None
    if not isinstance(data, dict) or not _plain_values(data, max_nodes):
        return None
    published = data.get("published")
    if isinstance(published, dt.datetime) and not _written_plainly(raw, published):
        return None
    return data


def _risky(raw: bytes, text: str) -> bool:
    """Whether the file holds anything whose meaning may differ between the two parsers."""
    # Searches for one character or an ASCII pair: several times faster than a regex.
    if raw.translate(None, _PRINTABLE) or raw[:1] == b"%":
        return True
    if any(marker in raw for marker in _RISKY_BYTES):
        return True
    if any(char in text for char in _RISKY_CHARS):
        return True
    if b"\xc2" in raw and _C1.search(raw):
        return True
    if (b"\n---" in raw or b"\n..." in raw) and _DOCUMENT_MARK.search(raw):
        return True
    for indicator in _NODE_INDICATORS:
        at = raw.find(indicator)
        while at >= 0:
            if at == 0 or raw[at - 1] in _BEFORE_NODE:
                return True
            at = raw.find(indicator, at + 1)
    return False


def _written_plainly(raw: bytes, published: dt.datetime) -> bool:
    """Whether the one `published` line writes this date-time in a form both parsers share."""
    key = b"published:"
    starts = [0] if raw.startswith(key) else []
    at = raw.find(b"\n" + key)
    while at >= 0:
        starts.append(at + 1)
        at = raw.find(b"\n" + key, at + 1)
    if len(starts) != 1:
        return False
    end = raw.find(b"\n", starts[0])
    line = raw[starts[0] + len(key) : end if end >= 0 else len(raw)]
    forms = {published.isoformat(), published.isoformat(sep=" ")}
    if published.utcoffset() == dt.timedelta(0):
        forms |= {f.replace("+00:00", "Z") for f in forms}
    return line.strip(b" \r").decode("ascii", "replace") in forms


def _plain_values(root: dict[str, Any], max_nodes: int) -> bool:
    """Whether every value is one both parsers read alike, and they are few enough."""
    nodes = 0
    stack: list[Any] = [root]
    implicit = _IMPLICIT
    while stack:
        value = stack.pop()
        nodes += 1
        kind = type(value)  # exact types: yaml-rs builds nothing else
        if kind is str:
            resolvers = implicit.get(value[:1])
            if resolvers and any(regexp.match(value) for _, regexp in resolvers):
                return False
        elif kind is dict:
            for key in value:
                if type(key) is not str or _implicit(key):
                    return False
            nodes += len(value)
            stack.extend(value.values())
        elif kind is list:
            stack.extend(value)
        elif kind is dt.datetime:
            if value.utcoffset() is None or value.microsecond:
                return False
        elif not (value is None or kind is dt.date):
            return False  # a boolean or a number
        if nodes > max_nodes:
            return False
    return True


def _implicit(value: str) -> bool:
    """Whether PyYAML would read `value`, written unquoted, as anything but this string."""
    resolvers = _IMPLICIT.get(value[:1], ())
    return any(regexp.match(value) for _, regexp in resolvers)
