"""The persistent briefing index: a restart parses only what changed, and a bad index is rebuilt.

The restart tests run against both backends: the SQLite file beside the state, and the
PostgreSQL database (`bot.briefing.index_postgres`, skipped without a test server).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import briefing_yaml

import bot.briefing.library as library_module
from bot.briefing.index_store import FORMAT_VERSION, BriefingIndex, IndexStore, index_path_for
from bot.briefing.library import BriefingLibrary, LoadStopped
from bot.briefing.loader import LoadedBriefing

QUOTES = [
    {"speaker": "Emmanuel Macron", "role": "President of France", "text": "First words."},
    {"speaker": "Keir Starmer", "text": "Other words."},
    {"speaker": "Emmanuel Macron", "text": "Last words."},
]


def write(path: Path, text: str) -> Path:
    """Write `text` and move the modification time on, so a reload sees the change."""
    before = path.stat() if path.exists() else None
    path.write_text(text, encoding="utf-8")
    if before is not None:
        after = path.stat()
        bumped = max(after.st_mtime_ns, before.st_mtime_ns + 1_000_000_000)
        os.utime(path, ns=(after.st_atime_ns, bumped))
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A briefings folder with three briefings, one of them quoting two people."""
    path = tmp_path / "briefings"
    path.mkdir()
    write(path / "a.yaml", briefing_yaml("alpha", "2025-03-01", quotes=QUOTES))
    write(path / "b.yaml", briefing_yaml("beta", "2025-03-02", tags=["ceasefire"]))
    write(path / "c.yaml", briefing_yaml("gamma", "2025-03-03"))
    return path


@pytest.fixture
def index_file(tmp_path: Path) -> Path:
    """Where the index lives, beside a state file."""
    return index_path_for(tmp_path / "state.sqlite3")


@pytest.fixture(params=["sqlite", "postgres"])
def open_index(
    request: pytest.FixtureRequest, index_file: Path, folder: Path
) -> Callable[[], BriefingIndex]:
    """Opens the index as the bot does at start-up: a SQLite file, or a PostgreSQL database."""
    if request.param == "sqlite":
        return lambda: IndexStore(index_file)
    url: str = request.getfixturevalue("pg_url")
    from bot.briefing.index_postgres import PostgresIndex

    return lambda: PostgresIndex(url, [folder], location="the test database")


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files any library parses from now on (the real loader still runs)."""
    seen: list[str] = []
    real: Callable[[Path], LoadedBriefing] = library_module.read_briefing
    lock = threading.Lock()  # worker threads of several libraries may parse at once

    def spy(path: Path) -> LoadedBriefing:
        with lock:
            seen.append(path.name)
        return real(path)

    monkeypatch.setattr(library_module, "read_briefing", spy)
    return seen


class Runs:
    """Runs of the bot's library over one folder and index: each call stops the last one."""

    def __init__(self, folder: Path, open_index: Callable[[], BriefingIndex]) -> None:
        self.folder, self.open_index = folder, open_index
        self.store: BriefingIndex | None = None

    def __call__(self) -> BriefingLibrary:
        self.stop()
        self.store = self.open_index()
        library = BriefingLibrary([self.folder], index=self.store)
        library.reload()
        return library

    def stop(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None


@pytest.fixture
def run(folder: Path, open_index: Callable[[], BriefingIndex]) -> Iterator[Runs]:
    """Start the library as the bot does, on the index; each call is one run of the bot."""
    runs = Runs(folder, open_index)
    yield runs
    runs.stop()


def summary(library: BriefingLibrary) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """What a reader would notice: the list, a search, and quotes across the archive."""
    return (
        [b.title for b in library.newest()],
        [b.id for b in library.search("ceasefire")],
        [(b.id, q.text) for b, q in library.quotes_by("macron")],
    )


class TestRestart:
    """A restart loads unchanged files from the index and parses only the changed ones."""

    def test_nothing_changed_parses_nothing(self, run: Runs, reads: list[str]) -> None:
        before = summary(run())
        assert sorted(reads) == ["a.yaml", "b.yaml", "c.yaml"]
        reads.clear()
        after = run()
        assert reads == []
        assert summary(after) == before
        assert before[2] == [("alpha", "First words."), ("alpha", "Last words.")]
        assert after.loaded

    def test_only_files_changed_while_down_are_parsed(
        self, folder: Path, run: Runs, reads: list[str]
    ) -> None:
        run()
        reads.clear()
        write(
            folder / "b.yaml",
            briefing_yaml("beta", "2025-03-02", title="Beta, revised", tags=["ceasefire"]),
        )
        (folder / "c.yaml").unlink()
        write(folder / "d.yaml", briefing_yaml("delta", "2025-03-04", tags=["ceasefire"]))
        library = run()
        assert sorted(reads) == ["b.yaml", "d.yaml"]
        assert [b.title for b in library.newest()] == [
            "Title of delta",
            "Beta, revised",
            "Title of alpha",
        ]
        # Equal hits (both in tags); which comes first is each backend's tie-break.
        assert sorted(b.id for b in library.search("ceasefire")) == ["beta", "delta"]
        reads.clear()
        before = summary(library)
        assert summary(run()) == before
        assert reads == []

    def test_touched_but_identical_file_is_not_parsed(
        self, folder: Path, run: Runs, reads: list[str]
    ) -> None:
        run()
        reads.clear()
        write(folder / "a.yaml", (folder / "a.yaml").read_text(encoding="utf-8"))
        library = run()
        assert reads == []
        assert len(library) == 3

    def test_a_broken_file_keeps_its_last_good_version_and_error_across_restarts(
        self, folder: Path, run: Runs
    ) -> None:
        library = run()
        write(folder / "b.yaml", "title: [unclosed\n")
        library.reload()
        assert library.get("beta") is not None
        restarted = run()
        assert [str(e) for e in restarted.errors] == [str(e) for e in library.errors]
        assert len(restarted.errors) == 1 and ": YAML error" in str(restarted.errors[0])
        briefing = restarted.get("beta")
        assert briefing is not None and briefing.title == "Title of beta"

    def test_changes_while_running_reach_the_index(
        self, folder: Path, run: Runs, reads: list[str]
    ) -> None:
        library = run()
        (folder / "a.yaml").unlink()
        library.reload_paths([folder / "a.yaml"])
        reads.clear()
        restarted = run()
        assert reads == []
        assert restarted.quotes_by("macron") == []
        assert [b.id for b in restarted.newest()] == ["gamma", "beta"]


class TestStoppingTheFirstLoad:
    """Shutting down during the first load stops it without saving half an index."""

    def test_stopped_first_load_saves_nothing(
        self, folder: Path, run: Runs, reads: list[str]
    ) -> None:
        store = run.open_index()
        library = BriefingLibrary([folder], index=store)
        library.stop_loading()
        with pytest.raises(LoadStopped):
            library.reload()
        store.close()
        assert not library.loaded
        assert len(run()) == 3
        assert sorted(reads) == ["a.yaml", "b.yaml", "c.yaml"]

    def test_stopping_after_the_first_load_changes_nothing(self, folder: Path, run: Runs) -> None:
        library = run()
        library.stop_loading()
        (folder / "c.yaml").unlink()
        assert library.reload().removed == ["gamma"]


class TestUntrustedIndex:
    """An index file that is damaged, outdated or inconsistent is rebuilt from the files."""

    @pytest.fixture
    def open_index(self, index_file: Path) -> Callable[[], BriefingIndex]:
        """The SQLite file: these tests damage it as a file."""
        return lambda: IndexStore(index_file)

    def test_garbage_file_is_rebuilt(
        self,
        index_file: Path,
        run: Runs,
        reads: list[str],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        expected = summary(run())
        run.stop()
        index_file.write_bytes(b"this is not a database" * 100)
        reads.clear()
        assert summary(run()) == expected
        assert len(reads) == 3
        rebuilt = [r.message for r in caplog.records if "rebuilding" in r.message]
        assert len(rebuilt) == 1 and str(index_file) in rebuilt[0]

    def test_other_format_version_is_rebuilt(
        self, index_file: Path, run: Runs, reads: list[str]
    ) -> None:
        expected = summary(run())
        run.stop()
        db = sqlite3.connect(index_file)
        db.execute(f"PRAGMA user_version = {FORMAT_VERSION + 1}")
        db.close()
        reads.clear()
        assert summary(run()) == expected
        assert len(reads) == 3

    def test_index_of_other_briefing_fields_is_rebuilt(
        self, index_file: Path, run: Runs, reads: list[str], caplog: pytest.LogCaptureFixture
    ) -> None:
        expected = summary(run())
        run.stop()
        db = sqlite3.connect(index_file)
        db.execute("UPDATE meta SET value = 'fields of an older release' WHERE key = 'model'")
        db.commit()
        db.close()
        reads.clear()
        assert summary(run()) == expected
        assert len(reads) == 3
        assert any("another version of the briefing fields" in r.message for r in caplog.records)

    def test_search_rows_out_of_step_with_files_are_rebuilt(
        self, index_file: Path, run: Runs, reads: list[str]
    ) -> None:
        expected = summary(run())
        run.stop()
        db = sqlite3.connect(index_file)
        db.execute("DELETE FROM doc_ids WHERE briefing_id = 'beta'")
        db.commit()
        db.close()
        reads.clear()
        assert summary(run()) == expected
        assert len(reads) == 3

    def test_two_files_claiming_one_id_are_rebuilt(
        self, index_file: Path, run: Runs, reads: list[str]
    ) -> None:
        expected = summary(run())
        run.stop()
        db = sqlite3.connect(index_file)
        db.execute("UPDATE files SET briefing_id = 'alpha'")
        db.commit()
        db.close()
        reads.clear()
        assert summary(run()) == expected
        assert len(reads) == 3


class TestParsingInWorkers:
    """A first load of many files parses them in worker processes, to the same result."""

    def test_same_briefings_and_errors_as_parsing_here(
        self, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[str]
    ) -> None:
        for n in range(12):
            write(folder / f"n{n:02d}.yaml", briefing_yaml(f"n{n:02d}", "2025-04-01"))
        write(folder / "z-broken.yaml", "title: [unclosed\n")
        write(folder / "z-twin.yaml", briefing_yaml("alpha", "2025-04-02"))
        here = BriefingLibrary([folder])
        here.reload()
        assert len(reads) == 17
        reads.clear()
        monkeypatch.setattr(library_module, "MIN_PARALLEL_FILES", 2)
        monkeypatch.setattr(library_module, "worker_count", lambda: 2)
        store = IndexStore(tmp_path / "workers.index.sqlite3")
        workers = BriefingLibrary([folder], index=store)
        workers.reload()
        assert reads == []  # none parsed in this process
        assert summary(workers) == summary(here)
        assert [str(e) for e in workers.errors] == [str(e) for e in here.errors]
        assert len(workers.errors) == 2 and len(workers) == 15
        store.close()
