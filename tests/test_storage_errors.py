"""A state database that cannot be used: one line naming the path and the problem, exit 3."""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_run import start_bot, stop

import bot.simulation.terminal  # noqa: F401  - imported before a child drops its rights
from bot.cli import EXIT_STORAGE, main
from bot.storage import SCHEMA_VERSION, StorageError, SubscriptionStore

AS_ROOT = os.geteuid() == 0
NOBODY = 65534


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


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder that an unprivileged user can reach (pytest's own tmp folders are private)."""
    with tempfile.TemporaryDirectory(prefix="briefbot-perm-") as folder:
        os.chmod(folder, 0o755)
        yield Path(folder)


def as_unprivileged(argv: list[str], folder: Path) -> tuple[int, str]:
    """Run `briefbot argv`; as root, in a child that owns `folder` but is not root.

    Root may write anywhere, so the permission checks are only seen by another user.
    """
    if not AS_ROOT:
        read, write = os.pipe()
        saved = sys.stderr
        with open(write, "w", encoding="utf-8") as stream:
            sys.stderr = stream
            try:
                code = main(argv)
            finally:
                sys.stderr = saved
        with open(read, encoding="utf-8") as stream:
            return code, stream.read()
    for root, dirs, files in os.walk(folder):
        for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
            os.chown(name, NOBODY, NOBODY)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop root, run, report through the pipe, never return
        code = 99
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            sys.stderr = open(write, "w", encoding="utf-8")  # noqa: SIM115
            code = main(argv)
            sys.stderr.flush()
        finally:
            os._exit(code)
    os.close(write)
    with open(read, encoding="utf-8") as stream:
        err = stream.read()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), err


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

    @pytest.mark.parametrize(("make", "problem"), PERMISSION_CASES)
    def test_permissions(self, make: object, problem: str, shared_dir: Path) -> None:
        path = make(shared_dir)  # type: ignore[operator]
        code, err = as_unprivileged(
            ["simulate", "--state", str(path), "--script", os.devnull], shared_dir
        )
        assert (code, err.splitlines()) == (EXIT_STORAGE, [expected(path, problem)])


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
