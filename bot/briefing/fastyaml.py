"""A fast first try at parsing a briefing file, used only where it cannot differ from PyYAML.

`yaml-rs` (a YAML parser written in Rust) reads a briefing several times faster than PyYAML's
C loader, but it follows YAML 1.2 where PyYAML follows 1.1: `yes`/`no`/`on`/`off` stay
strings, `0755` is 755 rather than 493, `1:20` stays a string rather than 80, a quoted date
becomes a date. `quick_load` therefore gives a result only for files where none of that can
matter, and None for everything else, which the precise PyYAML loader then reads (and reports
errors for, with their lines):

- the text has nothing whose meaning changes between the two: no tag (`!`), anchor (`&`),
  alias (`*`), merge key (`<<`), directive, second document, tab, byte order mark, line
  break that only 1.1 knows (NEL, LS, PS), character PyYAML refuses, value starting with
  `@` or a backquote, nor a timestamp other than `YYYY-MM-DD` or
  `YYYY-MM-DD[T ]HH:MM:SS` with `Z` or a `±HH:MM` offset, nor a quoted date-time;
- every key is a string and no string (key or value) is one that PyYAML would read as
  something else had it been written unquoted (a boolean, number, null, timestamp, merge);
- no value is a boolean or a number (no briefing field takes one, so such a file has an error
  whose message should be PyYAML's), and there are at most `max_nodes` values.

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

# Anything in the text that may read differently under YAML 1.1 and 1.2, or that PyYAML
# refuses where yaml-rs may not.
_RISKY = re.compile(
    r"[&*!\t\ufeff\x85\u2028\u2029]"
    r"|<<"
    r"|^%"
    r"|(?<!\A)^(?:---|\.\.\.)(?=[ \t\r\n]|\Z)"
    r"|(?:^|[\[{,]|[:?-][ \t])[ \t]*[@`]"
    # A quoted date-time is a string to PyYAML (pydantic then reads it, with its own time
    # zone class) but a date-time to yaml-rs.
    r"|['\"][0-9]{4}-[0-9][0-9]?-[0-9][0-9]?[Tt \t]"
    # Characters outside PyYAML's printable set.
    r"|[^\x09\x0a\x0d\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]",
    re.MULTILINE,
)
_TIMESTAMP = re.compile(
    r"(?<![0-9])[0-9]{4}-[0-9][0-9]?-[0-9][0-9]?"
    r"(?:(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)?"
)
_SAFE_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:Z|[-+][0-9]{2}:[0-9]{2}))?"
)
_AFTER_TIMESTAMP = re.compile(r"[\w:.+-]")
# PyYAML's own table of how it reads an unquoted value, by first character.
_IMPLICIT = Resolver.yaml_implicit_resolvers


def available() -> bool:
    """Whether yaml-rs is installed, so that `quick_load` can do anything."""
    return _loads is not None


def quick_load(text: str, max_nodes: int) -> dict[str, Any] | None:
    """The mapping in `text` as PyYAML would read it, or None where that is not certain."""
    if _loads is None or _RISKY.search(text) or not _timestamps_safe(text):
        return None
    try:
        data = _loads(text)
    except Exception:  # any complaint at all: PyYAML's loader says it precisely
        return None
    if not isinstance(data, dict) or not _plain_values(data, max_nodes):
        return None
    return data


def _timestamps_safe(text: str) -> bool:
    for match in _TIMESTAMP.finditer(text):
        if not _SAFE_TIMESTAMP.fullmatch(match.group()):
            return False
        end = match.end()
        if end < len(text) and _AFTER_TIMESTAMP.match(text, end):
            return False
    return True


def _plain_values(root: dict[str, Any], max_nodes: int) -> bool:
    """Whether every value is one both parsers read alike, and they are few enough."""
    nodes = 0
    stack: list[Any] = [root]
    while stack:
        value = stack.pop()
        nodes += 1
        if nodes > max_nodes:
            return False
        if isinstance(value, str):
            if _implicit(value):
                return False
        elif isinstance(value, dict):
            for key in value:
                if not isinstance(key, str) or _implicit(key):
                    return False
            nodes += len(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dt.datetime):
            if value.utcoffset() is None:
                return False
        elif not (value is None or isinstance(value, dt.date)):
            return False  # a boolean or a number
    return True


def _implicit(value: str) -> bool:
    """Whether PyYAML would read `value`, written unquoted, as anything but this string."""
    resolvers = _IMPLICIT.get(value[:1], ())
    return any(regexp.match(value) for _, regexp in resolvers)
