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
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

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
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
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
        while left > 0 and (chunk := os.read(fd, left)):
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


def parse_located(raw: bytes, path: Path) -> LoadedBriefing:
    """Like `parse_briefing`, also telling the line of the file's `id`."""
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

    node, data = _compose_and_construct(raw, text, path)
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        raise _single(path, _line_of(node), f"expected a mapping of briefing fields, got {kind}")
    id_line = None
    if "id" in data:
        id_line = _line_of(_node_at(node, ("id",), key_node=True))
    else:
        data["id"] = slug_from_filename(path.stem)
    try:
        return LoadedBriefing(Briefing.model_validate(data), id_line)
    except ValidationError as exc:
        errors = [_from_pydantic(path, node, err) for err in exc.errors(include_url=False)]
        # One message per field: a union (date or date-time) fails once per branch.
        unique: dict[tuple[int | None, str | None], BriefingError] = {}
        for error in errors:
            unique.setdefault((error.line, error.field), error)
        raise BriefingFileError(sorted(unique.values(), key=lambda e: e.line or 0)) from None


class _Refused(Exception):
    """Something a briefing file may not contain, found before any value was built."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _BriefingLoader(SafeLoader):
    """The safe loader, refusing duplicate keys (PyYAML would silently keep the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[tuple[str, str], yaml.Node] = {}
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                first = seen.setdefault((key.tag, key.value), key)
                if first is not key:
                    raise _Refused(
                        key.start_mark.line + 1,
                        f"duplicate key {_short(key.value)} (first on line "
                        f"{first.start_mark.line + 1}); keep one",
                    )
        return super().construct_mapping(node, deep=deep)


def _refuse_anchors(raw: bytes) -> None:
    """Raise `_Refused` at the first anchor or alias.

    A few hundred bytes of nested aliases stand for billions of values; briefings never need
    them, so they are refused outright rather than expanded under some budget.
    """
    if b"&" not in raw and b"*" not in raw:
        return  # no anchor or alias can be written without one of these
    events = SafeLoader(raw)
    try:
        while events.check_event():
            event = events.get_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = getattr(event, "start_mark", None)
                raise _Refused(
                    mark.line + 1 if mark is not None else None,
                    "anchors and aliases are not allowed (write the value out)",
                )
    finally:
        events.dispose()


def _compose_and_construct(raw: bytes, text: str, path: Path) -> tuple[yaml.Node | None, Any]:
    # Composing and constructing by hand is what safe_load does anyway; keeping the node tree
    # costs nothing and gives line numbers for validation errors. libyaml reads the bytes
    # directly; handing it `text` would make it encode everything back to UTF-8 first.
    loader = _BriefingLoader(raw)
    node: yaml.Node | None = None
    try:
        _refuse_anchors(raw)
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
        error = BriefingError(
            path, _line_of(bad), _format_loc(loc) or None, f"invalid value{value}: {exc}"
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


def _from_pydantic(path: Path, root: yaml.Node | None, err: Any) -> BriefingError:
    loc: tuple[str | int, ...] = tuple(err["loc"])
    kind: str = err["type"]
    # Pydantic reports union branches in the path (`published.datetime`); editors know no such key.
    loc = tuple(part for part in loc if not (isinstance(part, str) and part in _UNION_BRANCHES))
    node = _node_at(root, loc, key_node=kind == "extra_forbidden")
    field = _format_loc(loc)
    message = _message(kind, err)
    return BriefingError(path, _line_of(node), field or None, message)


def _node_at(
    root: yaml.Node | None, loc: tuple[str | int, ...], *, key_node: bool
) -> yaml.Node | None:
    """The deepest YAML node along `loc` (the key itself for unknown keys)."""
    node = root
    for i, part in enumerate(loc):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    last = i == len(loc) - 1
                    node = key if (last and key_node) else value
                    break
            else:
                return node
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node
            node = node.value[part]
        else:
            return node
    return node


def _format_loc(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_UNION_BRANCHES = frozenset({"datetime", "date"})

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
