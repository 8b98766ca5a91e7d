"""Reading one briefing file: safe YAML parsing and validation with errors an editor can act on.

Every error names the file, the line and the field, e.g.
``briefings/x.yaml:12: quotes[3].speaker: field required``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.briefing.models import Briefing, slug_from_filename

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


def load_briefing(path: Path) -> Briefing:
    """Parse and validate one briefing file, or raise `BriefingFileError`."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _single(path, None, f"cannot read file: {exc.strerror or exc}") from None
    return parse_briefing(raw, path)


def parse_briefing(raw: bytes, path: Path) -> Briefing:
    """Validate the bytes of a briefing file named `path` (used for messages and the default id)."""
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
    if "id" not in data:
        data["id"] = slug_from_filename(path.stem)
    try:
        return Briefing.model_validate(data)
    except ValidationError as exc:
        errors = [_from_pydantic(path, node, err) for err in exc.errors(include_url=False)]
        # One message per field: a union (date or date-time) fails once per branch.
        unique: dict[tuple[int | None, str | None], BriefingError] = {}
        for error in errors:
            unique.setdefault((error.line, error.field), error)
        raise BriefingFileError(sorted(unique.values(), key=lambda e: e.line or 0)) from None


def _compose_and_construct(raw: bytes, text: str, path: Path) -> tuple[yaml.Node | None, Any]:
    # Composing and constructing by hand is what safe_load does anyway; keeping the node tree
    # costs nothing and gives line numbers for validation errors. libyaml reads the bytes
    # directly; handing it `text` would make it encode everything back to UTF-8 first.
    loader = SafeLoader(raw)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{exc.context}, {exc.problem}"
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
        value = f" {bad.value!r}" if isinstance(bad, yaml.ScalarNode) else ""
        error = BriefingError(
            path, _line_of(bad), _format_loc(loc) or None, f"invalid value{value}: {exc}"
        )
        raise BriefingFileError([error]) from None
    finally:
        loader.dispose()
    return node, data


def _first_unconstructible(
    node: yaml.Node | None, loc: tuple[str | int, ...] = ()
) -> tuple[yaml.Node | None, tuple[str | int, ...]]:
    if isinstance(node, yaml.ScalarNode):
        try:
            yaml.SafeLoader("").construct_object(node)
        except (ValueError, TypeError, OverflowError, yaml.YAMLError):
            return node, loc
        return None, loc
    children: list[tuple[yaml.Node, tuple[str | int, ...]]] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            children += [(key, loc), (value, (*loc, str(key.value)))]
    elif isinstance(node, yaml.SequenceNode):
        children = [(child, (*loc, i)) for i, child in enumerate(node.value)]
    for child, child_loc in children:
        found, found_loc = _first_unconstructible(child, child_loc)
        if found is not None:
            return found, found_loc
    return None, loc


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
    got = err.get("input")
    if (
        kind not in {"missing"}
        and isinstance(got, str | int | float | bool)
        and len(str(got)) <= 60
    ):
        msg = f"{msg} (got {got!r})"
    return msg[:1].lower() + msg[1:]
