"""Reading one briefing file: safe YAML parsing and validation with errors an editor can act on.

Every error names the file, the line and the field, e.g.
``briefings/x.yaml:12: quotes[3].speaker: field required``.

Files may come from anyone who can publish, so reading is bounded: only regular files are
opened (never a pipe or a device, which would block or never end), at most `FILE_MAX_BYTES`
are read, and YAML anchors and aliases are refused before anything is built from them, so a
small file cannot expand into gigabytes.
"""

from __future__ import annotations

import os
import re
import stat
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.briefing.fastyaml import quick_load
from bot.briefing.models import FILE_MAX_BYTES, Briefing, slug_from_filename

try:  # The C loader is several times faster; fall back where libyaml is missing.
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]


@dataclass(frozen=True)
class BriefingError:
    """One problem in one briefing file."""

    path: Path
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        name = str(self.path)
        if not name.isprintable():  # a line break or undecodable byte in a file name
            name = repr(name)[1:-1]
        where = f"{name}:{self.line}" if self.line else name
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class BriefingFileError(Exception):
    """A briefing file could not be loaded; `errors` says every reason found."""

    def __init__(self, errors: list[BriefingError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class LoadedBriefing:
    """A valid briefing and where its id is written (None when it comes from the file name)."""

    briefing: Briefing
    id_line: int | None


def load_briefing(path: Path) -> Briefing:
    """Parse and validate one briefing file, or raise `BriefingFileError`."""
    return read_briefing(path).briefing


def read_briefing(path: Path) -> LoadedBriefing:
    """Like `load_briefing`, also telling the line of the file's `id`."""
    return parse_located(read_bounded(path), path)


def read_bounded(path: Path) -> bytes:
    """The bytes of a regular file of at most `FILE_MAX_BYTES`, or raise `BriefingFileError`."""
    try:
        # Non-blocking, so that opening a named pipe returns at once instead of waiting for a
        # writer; a regular file reads the same either way.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise _single(path, None, f"cannot read file: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _single(path, None, f"not a regular file: it is {file_kind(info.st_mode)}")
        if info.st_size > FILE_MAX_BYTES:
            raise _too_large(path, info.st_size)
        chunks: list[bytes] = []
        left = FILE_MAX_BYTES + 1  # the file may grow while it is read
        step = info.st_size + 1  # os.read allocates all it is asked for up front
        while left > 0 and (chunk := os.read(fd, min(step, left))):
            chunks.append(chunk)
            left -= len(chunk)
        raw = b"".join(chunks)
    except OSError as exc:
        raise _single(path, None, f"cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(raw) > FILE_MAX_BYTES:
        raise _too_large(path, len(raw))
    return raw


def file_kind(mode: int) -> str:
    """What a directory entry of this mode is, for messages ("a folder", "a named pipe", …)."""
    kinds = (
        (stat.S_ISREG, "a regular file"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def _too_large(path: Path, size: int) -> BriefingFileError:
    return _single(
        path, None, f"file too large: at most {FILE_MAX_BYTES} bytes, 1 MiB (this one has {size})"
    )


def parse_briefing(raw: bytes, path: Path) -> Briefing:
    """Validate the bytes of a briefing file named `path` (used for messages and the default id)."""
    return parse_located(raw, path).briefing


def parse_located(raw: bytes, path: Path, *, fast: bool = True) -> LoadedBriefing:
    """Like `parse_briefing`, also telling the line of the file's `id`.

    With `fast` (the default), a file is first read with the fast parser where that gives the
    same briefing (see `bot.briefing.fastyaml`); `fast=False` always uses PyYAML.
    """
    if len(raw) > FILE_MAX_BYTES:
        raise _too_large(path, len(raw))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _single(
            path, line, f"not UTF-8 text (byte {exc.start} is 0x{raw[exc.start]:02x})"
        ) from None
    if not text.strip():
        raise _single(path, None, "the file is empty; a briefing needs title, published, summary")

    quick = _quick(raw, text, path) if fast else None
    if quick is not None:
        return quick
    node, data = _compose_and_construct(raw, text, path)
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        raise _single(path, _line_of(node), f"expected a mapping of briefing fields, got {kind}")
    locate = _Locator(node)
    id_line = None
    if "id" in data:
        id_line = _line_of(locate(("id",), key_node=True))
    else:
        data["id"] = slug_from_filename(path.stem)
    errors: list[BriefingError] = []
    for name, limit in _LIST_LIMITS.items():
        items = data.get(name)
        if isinstance(items, list) and len(items) > limit:
            at = _line_of(locate((name,), key_node=False))
            message = f"at most {limit} items (this one has {len(items)})"
            errors.append(BriefingError(path, at, name, message))
            # Judge the rest of the list without validating (and reporting) every item of it.
            data[name] = items[:limit]
    try:
        briefing = Briefing.model_validate(data)
    except ValidationError as exc:
        errors += [_from_pydantic(path, locate, err) for err in exc.errors(include_url=False)]
    if not errors:
        return LoadedBriefing(briefing, id_line)
    # One message per field: a union (date or date-time) fails once per branch.
    unique: dict[tuple[int | None, str | None], BriefingError] = {}
    for error in errors:
        unique.setdefault((error.line, error.field), error)
    found = sorted(unique.values(), key=lambda e: e.line or 0)
    if len(found) > MAX_ERRORS_PER_FILE:
        more = len(found) - MAX_ERRORS_PER_FILE
        found = found[:MAX_ERRORS_PER_FILE]
        found.append(BriefingError(path, None, None, f"{more} more errors; fix these first"))
    raise BriefingFileError(found)


def _quick(raw: bytes, text: str, path: Path) -> LoadedBriefing | None:
    """The briefing through the fast parser, or None to read it the precise way.

    Only a file that is valid as it stands is taken: any problem, and the precise loader reads
    it again to say where and what.
    """
    data = quick_load(raw, text, MAX_NODES)
    if data is None:
        return None
    id_lines = [m.start() for m in _ID_KEY.finditer(text)]
    if len(id_lines) != ("id" in data):
        return None  # an id written some other way (quoted, in braces): let PyYAML find it
    for name, limit in _LIST_LIMITS.items():
        items = data.get(name)
        if isinstance(items, list) and len(items) > limit:
            return None
    id_line = None
    if id_lines:
        id_line = text.count("\n", 0, id_lines[0]) + 1
    else:
        data["id"] = slug_from_filename(path.stem)
    try:
        return LoadedBriefing(Briefing.model_validate(data), id_line)
    except ValidationError:
        return None


_ID_KEY = re.compile(r"^id[ \t]*:", re.MULTILINE)


class _Refused(Exception):
    """Something a briefing file may not contain, found before any value was built."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _BriefingLoader(SafeLoader):
    """The safe loader, refusing duplicate keys (PyYAML would silently keep the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        values = [key.value for key, _ in node.value]
        try:
            distinct = len(set(values)) == len(values)
        except TypeError:  # a list or mapping as a key: the constructor refuses it anyway
            distinct = True
        if not distinct:
            seen: dict[tuple[str, str], yaml.Node] = {}
            for key, _ in node.value:
                first = seen.setdefault((key.tag, key.value), key)
                if first is not key:
                    raise _Refused(
                        key.start_mark.line + 1,
                        f"duplicate key {_short(key.value)} (first on line "
                        f"{first.start_mark.line + 1}); keep one",
                    )
        return super().construct_mapping(node, deep=deep)


def _check_events(raw: bytes) -> None:
    """Raise `_Refused` at the first anchor or alias, or past `MAX_NODES` values.

    A few hundred bytes of nested aliases stand for billions of values; briefings never need
    them, so they are refused outright rather than expanded under some budget. Plain values
    cost too: building a node takes microseconds, and a megabyte of `[],` holds 300,000.
    Reading the event stream is several times cheaper than building nodes, and is skipped
    where neither can occur: an anchor or alias needs a `&` or a `*`, and every indicator
    that starts values (`, : - ? [ {`) starts at most three of them.
    """
    indicators = sum(map(raw.count, _INDICATORS))
    if 3 * indicators + 3 <= MAX_NODES and b"&" not in raw and b"*" not in raw:
        return
    events = SafeLoader(raw)
    nodes = 0
    try:
        while events.check_event():
            event = events.get_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = getattr(event, "start_mark", None)
                raise _Refused(
                    mark.line + 1 if mark is not None else None,
                    "anchors and aliases are not allowed (write the value out)",
                )
            if isinstance(event, _NODE_EVENTS):
                nodes += 1
                if nodes > MAX_NODES:
                    mark = getattr(event, "start_mark", None)
                    raise _Refused(
                        mark.line + 1 if mark is not None else None,
                        f"too many values: at most {MAX_NODES} in a file "
                        "(a briefing filled to every limit has about 5000)",
                    )
    finally:
        events.dispose()


_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)
_INDICATORS = (b",", b":", b"-", b"?", b"[", b"{")
# Keys, values, lists and entries; a briefing filled to every field limit has about 5000.
MAX_NODES = 10_000


def _compose_and_construct(raw: bytes, text: str, path: Path) -> tuple[yaml.Node | None, Any]:
    # Composing and constructing by hand is what safe_load does anyway; keeping the node tree
    # costs nothing and gives line numbers for validation errors. libyaml reads the bytes
    # directly; handing it `text` would make it encode everything back to UTF-8 first.
    loader = _BriefingLoader(raw)
    node: yaml.Node | None = None
    try:
        _check_events(raw)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except _Refused as exc:
        raise _single(path, exc.line, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{exc.context}, {exc.problem}"
        if mark is not None and _tab_at(text, mark.line, mark.column):
            problem = "found a tab character where YAML allows none; use spaces to indent"
        elif "tab character" in problem:
            problem += "; use spaces to indent"
        raise _single(path, line, f"YAML error: {problem}") from None
    except yaml.reader.ReaderError as exc:
        # A character YAML forbids (e.g. a control character). No mark here, and the offset is
        # in bytes for the C loader: the first such character is where it stopped.
        char = exc.character
        if not isinstance(char, int):
            raise _single(path, None, f"YAML error: {exc.reason}") from None
        at = text.find(chr(char))
        line = text.count("\n", 0, at) + 1 if at >= 0 else None
        raise _single(
            path, line, f"YAML error: unacceptable character U+{char:04X}: {exc.reason}"
        ) from None
    except yaml.YAMLError as exc:
        raise _single(path, None, f"YAML error: {' '.join(str(exc).split())}") from None
    except (ValueError, TypeError, OverflowError) as exc:
        # PyYAML lets e.g. `2025-13-45` escape as a bare ValueError from its date constructor.
        bad, loc = _first_unconstructible(node)
        value = f" {_short(bad.value)}" if isinstance(bad, yaml.ScalarNode) else ""
        reason = str(exc)
        if "integer string conversion" in reason:  # Python's guard against slow conversions
            reason = "a number with too many digits"
        error = BriefingError(
            path, _line_of(bad), _format_loc(loc) or None, f"invalid value{value}: {reason}"
        )
        raise BriefingFileError([error]) from None
    finally:
        loader.dispose()
    return node, data


def _tab_at(text: str, line: int, column: int) -> bool:
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return False
    return text[start + column : start + column + 1] == "\t"


def _short(value: object, limit: int = 60) -> str:
    """`repr` of a value from the file, cut short: a value may be a megabyte long."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _first_unconstructible(
    root: yaml.Node | None,
) -> tuple[yaml.Node | None, tuple[str | int, ...]]:
    """The first scalar, in file order, that PyYAML cannot turn into a value, and its path.

    Iterative and visiting each node once: the node graph may be deep, and where aliases
    share nodes a recursive walk would follow every path through them.
    """
    probe = yaml.SafeLoader("")
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple[str | int, ...]]] = [] if root is None else [(root, ())]
    while stack:
        node, loc = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            try:
                probe.construct_object(node)
            except (ValueError, TypeError, OverflowError, yaml.YAMLError):
                return node, loc
        elif isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                stack += [(value, (*loc, str(key.value))), (key, loc)]
        elif isinstance(node, yaml.SequenceNode):
            stack += [(child, (*loc, i)) for i, child in reversed(list(enumerate(node.value)))]
    return None, ()


def _single(path: Path, line: int | None, message: str) -> BriefingFileError:
    return BriefingFileError([BriefingError(path, line, None, message)])


def _line_of(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def _from_pydantic(path: Path, locate: _Locator, err: Any) -> BriefingError:
    loc: tuple[str | int, ...] = tuple(err["loc"])
    kind: str = err["type"]
    # Pydantic reports union branches in the path (`published.datetime`); editors know no such key.
    loc = tuple(part for part in loc if not (isinstance(part, str) and part in _UNION_BRANCHES))
    node = locate(loc, key_node=kind == "extra_forbidden")
    field = _format_loc(loc)
    message = _message(kind, err)
    return BriefingError(path, _line_of(node), field or None, message)


class _Locator:
    """Finds the YAML node of a field path, indexing each mapping's keys on first use.

    A file may have tens of thousands of unknown keys; a linear search per error would make
    reporting them quadratic.
    """

    def __init__(self, root: yaml.Node | None) -> None:
        self._root = root
        self._keys: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = {}

    def __call__(self, loc: tuple[str | int, ...], *, key_node: bool) -> yaml.Node | None:
        """The deepest YAML node along `loc` (the key itself for unknown keys)."""
        node = self._root
        for i, part in enumerate(loc):
            if isinstance(node, yaml.MappingNode):
                pair = self._index(node).get(part) if isinstance(part, str) else None
                if pair is None:
                    return node
                key, value = pair
                node = key if (key_node and i == len(loc) - 1) else value
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    return node
                node = node.value[part]
            else:
                return node
        return node

    def _index(self, node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        index = self._keys.get(id(node))
        if index is None:
            index = self._keys[id(node)] = {}
            for key, value in node.value:
                if isinstance(key.value, str):
                    index.setdefault(key.value, (key, value))
        return index


def _format_loc(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            # An unknown key is whatever the file says: keep it one short line.
            name = part if len(part) <= 60 and part.isprintable() else _short(part)
            out += f".{name}" if out else name
    return out


_UNION_BRANCHES = frozenset({"datetime", "date"})

# Past this many, more errors only bury the first ones (a pasted file can have thousands).
MAX_ERRORS_PER_FILE = 20

# Checked before validation: pydantic would validate every item of an over-long list first.
_LIST_LIMITS: dict[str, int] = {
    name: limit
    for name, field in Briefing.model_fields.items()
    for limit in [getattr(meta, "max_length", None) for meta in field.metadata]
    if isinstance(limit, int) and typing.get_origin(field.annotation) is list
}

_MESSAGES = {
    "missing": "field required",
    "extra_forbidden": "unknown field (check the spelling; see `briefbot schema`)",
}


def _message(kind: str, err: Any) -> str:
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    msg = str(err["msg"])
    if kind == "string_pattern_mismatch":
        msg = "must be a slug: lowercase letters, digits and single dashes"
    elif kind.startswith("value_error"):
        msg = msg.removeprefix("Value error, ")
    if kind == "string_too_long":
        got = err.get("input")
        length = len(got.strip()) if isinstance(got, str) else "more"
        return f"at most {err['ctx']['max_length']} characters (this one has {length})"
    if kind == "too_long":
        ctx = err["ctx"]
        return f"at most {ctx['max_length']} items (this one has {ctx['actual_length']})"
    got = err.get("input")
    if (
        kind not in {"missing"}
        and isinstance(got, str | int | float | bool)
        and len(str(got)) <= 60
    ):
        msg = f"{msg} (got {got!r})"
    return msg[:1].lower() + msg[1:]
