"""Hostile briefing folders: `briefbot validate`, the loader and the running bot judge every entry
with a named error, within a memory bound and without hanging, and keep serving the good files.

The committed files are in `tests/fixtures/hostile/`; entries git cannot hold (a symlink loop, a
dangling link, a named pipe, a link to /dev/zero, a folder) are made in each test's folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, SEED_ID, SHIPPED_BRIEFINGS, T0, make_config

from bot.briefing.loader import BriefingFileError, load_briefing
from bot.simulation.fake_api import SentMessage
from bot.simulation.harness import SimulatedBot

HOSTILE = FIXTURES / "hostile"
ADMIN = 42
MEMORY_BOUND = 50 * 2**20  # per file, in-process; a briefing filled to every limit needs ~6 MB

# Each committed file and a fragment of the first error line it must get.
COMMITTED = {
    "anchor-only.yaml": ":4: anchors and aliases are not allowed (write the value out)",
    "billion-laughs.yaml": ":1: anchors and aliases are not allowed (write the value out)",
    "binary.yaml": ":2: not UTF-8 text (byte 128 is 0x80)",
    "deep-nesting.yaml": ":1: YAML error: while increasing flow level, exceeded maximum nesting",
    "duplicate-keys.yaml": ":4: duplicate key 'title' (first on line 1); keep one",
    "empty.yaml": ": the file is empty",
    "file-1.5mb.yaml": ": file too large: at most 1048576 bytes, 1 MiB (this one has 1534088)",
    "huge-int.yaml": ":3: published: invalid value '1000",
    "invalid-utf8.yaml": ":4: not UTF-8 text (byte 95 is 0xe9)",
    "list-document.yaml": ":1: expected a mapping of briefing fields, got list",
    "long-line.yaml": ":4: key_points[0]: at most 500 characters (this one has 900000)",
    "many-unknown-keys.yaml": ":4: k0: unknown field",
    "nul-bytes.yaml": ":1: YAML error: unacceptable character U+0000",
    "python-object.yaml": ":4: YAML error: could not determine a constructor for the tag",
    "self-alias.yaml": ":4: anchors and aliases are not allowed (write the value out)",
    "summary-2mb.yaml": ": file too large: at most 1048576 bytes, 1 MiB (this one has 2048041)",
    "summary-3000.yaml": ":3: summary: at most 2000 characters (this one has 3000)",
    "tabs.yaml": ":5: YAML error: found a tab character where YAML allows none; use spaces",
    "title-5000.yaml": ":1: title: at most 200 characters (this one has 5000)",
    "too-many-tags.yaml": ":4: tags: at most 20 items (this one has 25)",
    "too-many-values.yaml": ":4: too many values: at most 10000 in a file",
    "utf16-bom.yaml": ":1: not UTF-8 text (byte 0 is 0xff)",
    "year-99999.yaml": ":2: published: input should be a valid datetime or date",
}
MADE_HERE = {
    "dangling.yaml": ": dangling symlink: its target nowhere.yaml does not exist",
    "fifo.yaml": ": not a regular file: it is a named pipe (FIFO)",
    "folder.yaml": ": not a regular file: it is a folder",
    "loop.yaml": ": symlink loop (too many levels of symbolic links)",
    "zeros.yaml": ": not a regular file: it is a character device",
}
EXPECTED = {**COMMITTED, **MADE_HERE}


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A folder with every hostile file and entry."""
    folder = tmp_path / "hostile"
    shutil.copytree(HOSTILE, folder)
    (folder / "loop.yaml").symlink_to("loop.yaml")
    (folder / "dangling.yaml").symlink_to("nowhere.yaml")
    os.mkfifo(folder / "fifo.yaml")
    (folder / "zeros.yaml").symlink_to("/dev/zero")
    (folder / "folder.yaml").mkdir()
    return folder


def first_error_per_file(lines: list[str]) -> dict[str, str]:
    """The first error line of each file, by file name."""
    first: dict[str, str] = {}
    for line in lines:
        first.setdefault(Path(line.split(":")[0]).name, line)
    return first


def assert_each_named(lines: list[str], folder: Path) -> None:
    """Every entry of `folder` has its expected error, and nothing else has one."""
    first = first_error_per_file(lines)
    assert sorted(first) == sorted(EXPECTED)
    for name, fragment in EXPECTED.items():
        assert first[name].startswith(f"{folder / name}{fragment}"), first[name]


def test_the_table_lists_every_committed_file() -> None:
    assert sorted(p.name for p in HOSTILE.glob("*.yaml")) == sorted(COMMITTED)


def briefbot(*argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run `briefbot argv` in a process whose address space is capped at 1 GiB, for 30 s at most.

    Nested aliases used to take gigabytes, then hang.
    """
    program = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))\n"
        "from bot.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", program, *argv],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_validate_names_every_entry_within_a_memory_and_time_bound(hostile: Path) -> None:
    result = briefbot("validate", str(hostile))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1
    assert_each_named(result.stdout.splitlines(), hostile)
    assert result.stderr.endswith(f" in {len(EXPECTED)} files; 0 valid briefings.\n")


def test_simulate_serves_the_good_briefing_within_a_memory_and_time_bound(
    hostile: Path, tmp_path: Path
) -> None:
    shutil.copy(SHIPPED_BRIEFINGS / f"{SEED_ID}.yaml", hostile)
    config = tmp_path / "bot.yaml"
    config.write_text(f"briefings:\n  dir: {hostile}\n", encoding="utf-8")
    result = briefbot(
        "simulate", "--config", str(config), "--script", "-", "--at", "2026-11-25T07:00Z",
        stdin="/summary\n:reload\n/stats\n",
    )  # fmt: skip
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 0, result.stderr
    assert "Ukraine’s allies rally" in result.stdout
    assert f"Briefing files with errors: {len(EXPECTED)}\n" in result.stdout
    problems = [line.removeprefix("briefing not loaded: ") for line in result.stderr.splitlines()]
    assert_each_named(problems, hostile)


@pytest.mark.parametrize("name", sorted(COMMITTED))
def test_loader_judges_each_file_in_bounded_memory(name: str) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(BriefingFileError) as caught:
            load_briefing(HOSTILE / name)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(caught.value.errors[0]).startswith(f"{HOSTILE / name}{COMMITTED[name]}")
    assert peak < MEMORY_BOUND


def texts(messages: list[SentMessage]) -> str:
    """What a chat sees, message after message."""
    return "\n".join(m.visible_text for m in messages)


async def test_running_bot_serves_the_good_briefing_and_reports_every_bad_entry(
    hostile: Path, tmp_path: Path
) -> None:
    shutil.copy(SHIPPED_BRIEFINGS / f"{SEED_ID}.yaml", hostile)
    config = make_config(hostile, tmp_path / "state.sqlite3")
    async with SimulatedBot(config, storage_path=config.storage.path, start=T0) as bot:
        summary = texts(await bot.say("/summary"))
        assert summary.startswith("Ukraine’s allies rally")
        stats = texts(await bot.say("/stats", chat_id=ADMIN))
        assert "Briefings loaded: 1\n" in stats
        assert f"Briefing files with errors: {len(EXPECTED)}\n" in stats
        first = first_error_per_file([str(e) for e in bot.services.library.errors])
        shown = [line for line in stats.splitlines() if line.startswith("• ")]
        assert shown and all(line.removeprefix("• ") in map(str, first.values()) for line in shown)
        assert_each_named([str(e) for e in bot.services.library.errors], hostile)
        assert not bot.errors


class TestHotReload:
    """A hostile file arriving while the bot runs is reported, and the last good version stays."""

    async def test_new_hostile_files_are_reported_on_reload(
        self, sim: SimulatedBot, briefings_dir: Path
    ) -> None:
        assert "Briefing files with errors: 0" in texts(await sim.say("/stats", chat_id=ADMIN))
        for name in COMMITTED:
            shutil.copy(HOSTILE / name, briefings_dir)
        tracemalloc.start()
        try:
            sim.reload()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < MEMORY_BOUND
        stats = texts(await sim.say("/stats", chat_id=ADMIN))
        assert f"Briefing files with errors: {len(COMMITTED)}\n" in stats
        assert f"{briefings_dir / 'anchor-only.yaml'}:4: anchors and aliases" in stats
        assert texts(await sim.say("/summary")).startswith("Ukraine’s allies rally")

    async def test_a_good_file_turned_hostile_keeps_serving(
        self, sim: SimulatedBot, briefings_dir: Path
    ) -> None:
        seed = briefings_dir / f"{SEED_ID}.yaml"
        before = seed.stat()
        shutil.copy(HOSTILE / "self-alias.yaml", seed)
        os.utime(seed, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
        sim.reload()
        assert texts(await sim.say(f"/summary {SEED_ID}")).startswith("Ukraine’s allies rally")
        stats = texts(await sim.say("/stats", chat_id=ADMIN))
        assert "Briefing files with errors: 1\n" in stats
        assert f"{seed}:4: anchors and aliases are not allowed (write the value out)" in stats
