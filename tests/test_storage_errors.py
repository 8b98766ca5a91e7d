"""A state database that cannot be used: one line naming the path and the problem, exit 3."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from test_run import start_bot, stop

from bot.cli import EXIT_STORAGE, main
from bot.storage import SCHEMA_VERSION, StorageError, SubscriptionStore

AS_ROOT = os.geteuid() == 0


def not_a_database(tmp_path: Path) -> Path:
    path = tmp_path / "state.sqlite3"
    path.write_text("these are notes, not a database\n" * 200, encoding="utf-8")
    return path


def a_directory(tmp_path: Path) -> Path:
    path = tmp_path / "state.sqlite3"
    path.mkdir()
    return path


def under_a_file(tmp_path: Path) -> Path:
    (tmp_path / "var").write_text("a file where a folder should be", encoding="utf-8")
    return tmp_path / "var" / "state.sqlite3"


def newer_schema(tmp_path: Path) -> Path:
    path = tmp_path / "state.sqlite3"
    SubscriptionStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    return path


def unwritable_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    return folder / "state.sqlite3"


def read_only_file(tmp_path: Path) -> Path:
    path = tmp_path / "state.sqlite3"
    SubscriptionStore(path).close()
    path.chmod(0o444)
    return path


CASES = [
    (not_a_database, "not a SQLite database"),
    (a_directory, "is a directory, not a database file"),
    (under_a_file, "{folder} is a file, not a folder"),
    (
        newer_schema,
        f"schema version {SCHEMA_VERSION + 1} is newer than this briefbot's ({SCHEMA_VERSION}); "
        "upgrade briefbot",
    ),
]
PERMISSION_CASES = [
    (unwritable_folder, "no permission to write in the folder {folder}"),
    (read_only_file, "permission denied (the file must be readable and writable)"),
]
root_ignores_permissions = pytest.mark.skipif(AS_ROOT, reason="root may write anywhere")


def expected(path: Path, problem: str) -> str:
    return f"briefbot: {path}: {problem.format(folder=path.parent)}"


class TestSimulateState:
    """`simulate --state FILE` refuses a file it cannot use with one line and exit 3."""

    @pytest.mark.parametrize(("make", "problem"), CASES)
    def test_one_line_and_exit_3(
        self,
        make: object,
        problem: str,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        path = make(tmp_path)  # type: ignore[operator]
        code = main(["simulate", "--state", str(path), "--script", os.devnull])
        out, err = capsys.readouterr()
        assert code == EXIT_STORAGE
        assert out == ""
        assert err.splitlines() == [expected(path, problem)]

    @root_ignores_permissions
    @pytest.mark.parametrize(("make", "problem"), PERMISSION_CASES)
    def test_permissions(
        self,
        make: object,
        problem: str,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        path = make(tmp_path)  # type: ignore[operator]
        code = main(["simulate", "--state", str(path), "--script", os.devnull])
        assert code == EXIT_STORAGE
        assert capsys.readouterr().err.splitlines() == [expected(path, problem)]


class TestStore:
    """The store itself says what is wrong, and leaves a good file usable."""

    def test_locked_by_another_process(self, tmp_path: Path) -> None:
        path = tmp_path / "state.sqlite3"
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("CREATE TABLE t (x)")
            holder.execute("BEGIN EXCLUSIVE")
            with pytest.raises(StorageError) as caught:
                SubscriptionStore(path, busy_timeout=0.05)
        finally:
            holder.close()
        assert str(caught.value) == f"{path}: the database is locked by another process"
        SubscriptionStore(path).close()  # usable once the lock is gone

    def test_refusing_a_file_leaves_it_as_it_was(self, tmp_path: Path) -> None:
        path = not_a_database(tmp_path)
        before = path.read_bytes()
        with pytest.raises(StorageError, match="not a SQLite database"):
            SubscriptionStore(path)
        assert path.read_bytes() == before


class TestRun:
    """`briefbot run` checks its storage before it contacts Telegram."""

    @pytest.mark.parametrize(("make", "problem"), [CASES[1]])
    def test_exit_3_without_traceback(self, make: object, problem: str, tmp_path: Path) -> None:
        path = make(tmp_path)  # type: ignore[operator]
        process = start_bot(
            tmp_path, "http://127.0.0.1:9/bot", extra_config=f"storage: {{path: {path}}}\n"
        )
        code, output = stop(process, terminate=False)
        assert code == EXIT_STORAGE
        assert output.strip().splitlines()[-1] == expected(path, problem)
        assert "Traceback" not in output
