"""The fast parser gives exactly the briefing PyYAML gives, or leaves the file to PyYAML."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from bot.briefing.fastyaml import available, quick_load
from bot.briefing.loader import MAX_NODES, BriefingFileError, LoadedBriefing, parse_located

pytestmark = pytest.mark.skipif(not available(), reason="yaml-rs is not installed")

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "briefings" / "ukraine-allies-virtual-meeting.yaml"

BASE = """\
id: base
title: A title
published: 2025-03-15
summary: A summary.
"""


def outcome(raw: bytes, path: Path, *, fast: bool) -> LoadedBriefing | list[str]:
    """The loaded briefing, or the error lines loading it gave."""
    try:
        return parse_located(raw, path, fast=fast)
    except BriefingFileError as exc:
        return [str(e) for e in exc.errors]


def same_both_ways(raw: bytes, path: Path) -> bool:
    """Whether both ways give the same briefing (or errors); also the offset of a date-time."""
    fast, precise = outcome(raw, path, fast=True), outcome(raw, path, fast=False)
    assert fast == precise, raw[:300]
    if isinstance(fast, LoadedBriefing) and isinstance(precise, LoadedBriefing):
        assert repr(fast.briefing.published) == repr(precise.briefing.published)
        assert fast.briefing.model_dump_json() == precise.briefing.model_dump_json()
    return quick_load(raw, raw.decode("utf-8", "replace"), MAX_NODES) is not None


def test_every_file_of_the_repository_loads_the_same_both_ways() -> None:
    files = [SEED, *sorted((REPO / "tests" / "fixtures").rglob("*.y*ml"))]
    files = [f for f in files if f.is_file() and f.suffix in (".yaml", ".yml")]
    assert len(files) > 10
    fast = sum(same_both_ways(f.read_bytes(), f) for f in files)
    assert fast >= 1  # the seed briefing at least takes the fast way


def test_generated_archive_briefings_load_the_same_and_mostly_fast(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_gen", REPO / "bench" / "_gen.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    paths = gen.write_briefings(tmp_path, 60, seed=7)
    fast = sum(same_both_ways(p.read_bytes(), p) for p in paths)
    assert fast >= 54, f"only {fast} of {len(paths)} took the fast way"


# Each line replaces or adds one top-level field of BASE. Every one differs between YAML 1.1
# and 1.2, or is something PyYAML refuses, or is plain valid YAML for comparison.
HOSTILE = [
    "title: yes",
    "title: No",
    "title: on",
    "title: OFF",
    "title: y",
    "title: n",
    "title: True",
    "title: false",
    "title: 'yes'",
    'title: "on"',
    "title: 0755",
    "title: 0o17",
    "title: 0x1F",
    "title: 0b101",
    "title: 1_000",
    "title: 1:20",
    "title: 190:20:30.15",
    "title: 1e3",
    "title: .inf",
    "title: -.NaN",
    "title: 12",
    "title: 1.5",
    "title: ~",
    "title: null",
    "title: ''",
    "title: '2025-03-15'",
    "title: 2025-03-15",
    "title: 2025-3-5",
    "title: '1:20'",
    "title: =",
    "title: !!str 0755",
    "title: !custom x",
    "title: &a x",
    "tags: [&a x, *a]",
    "<<: {title: merged}",
    "title: @handle",
    "title: `tick`",
    "title: a: b",
    "title: AT&T and Q&A",
    "title: 5 * 3",
    "title: Wow!",
    "title: x\u0085y",
    "title: x\u2028y",
    "title: bell \x07",
    'title: "tab\\there"',
    'title: "slash \\/ here"',
    'title: "\\x41\\u00e9\\N\\_"',
    "title: |\n  line one\n  line two\n",
    "title: >-\n  folded\n  text\n\n  para\n",
    "title: |+\n  kept\n\n",
    "title: plain\n  continued\n   more",
    "title: 'single ''quoted''\n  folded'",
    "title: x # comment",
    "title: x#not comment",
    "published: '2025-03-15'",
    "published: 2025-03-15T09:00:00+02:00",
    "published: 2025-03-15 09:00:00-05:00",
    "published: 2025-03-15T09:00:00Z",
    "published: '2025-03-15T09:00:00+02:00'",
    "published: 2025-03-15T09:00:00",
    "published: 2025-03-15 09:00:00.5+02:00",
    "published: 2025-03-15t09:00:00z",
    "published: 2025-03-15T9:00:00+02",
    "published: 2025-03-15T09:00:00 +02:00",
    "published: 2025-03-15x",
    "published: 20250315",
    "published: 2025-13-45",
    "id: '0755'",
    "id: yes",
    "'id': quoted-key",
    "tags: [on, off]",
    "tags: [a, b]",
    "tags:\n  - yes\n  - x",
    "tags: {a: 1}",
    "yes: x",
    "on: x",
    "1: x",
    "title: x\ntitle: y",
    "source: {name: N, url: 'https://example.org/a'}",
    "source:\n  name: N\n  name: M",
    "key_points:\n  - a\n  - 0x10",
    "quotes:\n  - speaker: S\n    text: T\n    context: null",
    "attendees:\n  - name: A\n    status: yes",
    "timeline:\n  - when: 2025-03-15\n    what: x",
    "timeline:\n  - when: '2025-03-15'\n    what: x",
    "timeline:\n  - when: 10:30\n    what: x",
    "unknown: field",
    "%YAML 1.1\n---",
    "---",
    "...\n---\nid: other",
    "\ufefftitle: bom",
    "title: x\r\nsummary: crlf\r",
    "title:\tx",
    "  indented: x",
    "title: [unclosed",
    "title: " + "x" * 300,
]


def with_line(line: str, *, first: bool = False) -> bytes:
    """BASE with `line` in place of the field it names (at the start or the end)."""
    key = line.split(":", 1)[0].strip()
    kept = "".join(f"{b}\n" for b in BASE.splitlines() if b.split(":", 1)[0] != key)
    return (f"{line}\n{kept}" if first else f"{kept}{line}\n").encode()


@pytest.mark.parametrize("line", HOSTILE)
def test_a_yaml_difference_gives_the_same_briefing_or_falls_back(line: str) -> None:
    same_both_ways(with_line(line), Path("hostile.yaml"))
    same_both_ways(with_line(line, first=True), Path("hostile.yaml"))
    same_both_ways(f"{BASE}{line}\n".encode(), Path("hostile.yaml"))


@pytest.mark.parametrize("line", ["title: yes", "title: 0755", "title: 1:20", "tags: [on]"])
def test_yaml_11_values_are_read_the_pyyaml_way(line: str) -> None:
    raw = with_line(line)
    assert quick_load(raw, raw.decode(), MAX_NODES) is None
    assert isinstance(outcome(raw, Path("x.yaml"), fast=True), list)  # not a string title


def test_a_plain_briefing_takes_the_fast_way() -> None:
    raw = f"{BASE}tags: [a, b]\n".encode()
    assert quick_load(raw, raw.decode(), MAX_NODES) is not None
    assert same_both_ways(raw, Path("x.yaml"))
