"""The persistent briefing index: what the last run knew about every briefing file.

`BriefingIndex` is what the library asks of one; `IndexStore` keeps it in a SQLite file beside
the state file, and `bot.briefing.index_postgres.PostgresIndex` in the PostgreSQL database when
that is the store.

For each file it keeps the size, modification time and a content hash, the last good briefing
in packed form (`bot.briefing.shelf.pack`) with what the library's lookups need to install it
without unpacking (publication time, who each quote is by), and the file's errors. The search
index (`bot.briefing.search.SearchIndex`) keeps its tables in the same database, written in the
same transactions, so a restart finds both as they were and only parses the files that changed.

An index that cannot be read, fails SQLite's quick check, or has another format version is
deleted and rebuilt, never trusted.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.briefing.loader import BriefingError
from bot.briefing.models import Briefing
from bot.briefing.search import Search, SearchIndex

log = logging.getLogger(__name__)

# Bump whenever the tables, the packed form or the search index's columns change.
FORMAT_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    digest BLOB,
    briefing_id TEXT,
    packed BLOB,
    published REAL,
    people TEXT,
    errors TEXT NOT NULL
);
"""


@functools.cache
def model_fingerprint() -> str:
    """A hash of the briefing model's JSON Schema: packed briefings are only good for it.

    Any change to the fields or their limits makes the index another format, so briefings that
    would no longer validate are never unpacked from an old index.
    """
    schema = json.dumps(Briefing.model_json_schema(), sort_keys=True)
    return hashlib.blake2b(schema.encode(), digest_size=16).hexdigest()


Person = tuple[str, str | None]


@dataclass
class IndexedFile:
    """One briefing file as the index remembers it."""

    path: str
    size: int
    mtime_ns: int
    digest: bytes | None
    briefing_id: str | None
    packed: bytes | None
    published: float | None
    people: list[Person]
    errors: list[BriefingError]

    def values(self) -> tuple[object, ...]:
        """The file's values as both index tables hold them, in order: people and errors as JSON."""
        return (
            self.path,
            self.size,
            self.mtime_ns,
            self.digest,
            self.briefing_id,
            self.packed,
            self.published,
            json.dumps(self.people, ensure_ascii=False),
            json.dumps([[e.line, e.field, e.message] for e in self.errors]),
        )


class BriefingIndex(Protocol):
    """A persistent briefing index, as the library uses it.

    Writes (`put`, `delete`, and the search index's) made inside `transaction()` are kept
    together or not at all; `rows()` is what the last committed writes left.
    """

    rebuilt: bool  # whether it was found untrusted and started again empty

    @property
    def location(self) -> str:
        """Where the index lives, for messages (never with a password)."""

    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """Everything written inside is committed together, or not at all."""

    def rows(self) -> Generator[IndexedFile, None, None]:
        """Every file the index knows, one at a time."""

    def put(self, row: IndexedFile) -> None:
        """Remember one file, replacing what was known about it."""

    def delete(self, path: str) -> None:
        """Forget one file."""

    def clear(self) -> None:
        """Forget everything, the search index included."""

    def search_index(self) -> Search:
        """The search index kept with it."""

    def close(self) -> None:
        """Let go of the index."""


def content_digest(path: str, stat: os.stat_result) -> bytes | None:
    """The hash of a file's bytes, if they are still those `stat` describes (else None)."""
    try:
        with open(path, "rb") as file:
            raw = file.read()
            now = os.fstat(file.fileno())
    except OSError:
        return None
    if (now.st_mtime_ns, now.st_size) != (stat.st_mtime_ns, stat.st_size):
        return None
    return hashlib.blake2b(raw, digest_size=16).digest()


def index_path_for(state_path: Path | str) -> Path:
    """Where the briefing index of a state file lives: beside it, named after it."""
    state = Path(state_path)
    return state.with_name(f"{state.stem}.index.sqlite3")


class IndexStore:
    """The index file, opened (and rebuilt if it cannot be trusted)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.rebuilt = False
        try:
            self.db = self._open()
        except sqlite3.DatabaseError as exc:
            self._discard(f"unreadable ({exc})")
            self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            # The index is a cache of the files: a power cut may cost it (quick_check below
            # then has it rebuilt), never a wrong answer; so no waiting for the disk.
            db.execute("PRAGMA synchronous = OFF")
            db.execute("PRAGMA journal_mode = WAL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            empty = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
            if not empty and version != FORMAT_VERSION:
                raise _Untrusted(f"format version {version}, expected {FORMAT_VERSION}")
            if not empty:
                (check,) = db.execute("PRAGMA quick_check").fetchone()
                if check != "ok":
                    raise _Untrusted(f"damaged ({check})")
                model = db.execute("SELECT value FROM meta WHERE key = 'model'").fetchone()
                if model is None or model[0] != model_fingerprint():
                    raise _Untrusted("made for another version of the briefing fields")
            if empty:
                db.executescript(_SCHEMA)
                db.execute("INSERT INTO meta VALUES ('model', ?)", (model_fingerprint(),))
                db.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
        except _Untrusted as exc:
            db.close()
            self._discard(str(exc))
            return self._open()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _discard(self, why: str) -> None:
        log.warning("briefing index %s is %s; rebuilding it from the files", self.path, why)
        self.rebuilt = True
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{self.path}{suffix}").unlink()

    @property
    def location(self) -> str:
        """The index file."""
        return str(self.path)

    def search_index(self) -> SearchIndex:
        """FTS5 tables in this file, written in its transactions."""
        return SearchIndex(self.db)

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything written inside is committed together, or not at all."""
        if self.db.in_transaction:  # nested: the outer one commits
            yield
            return
        self.db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def rows(self) -> Generator[IndexedFile, None, None]:
        """Every file the index knows, one at a time."""
        return (
            IndexedFile(
                path,
                size,
                mtime_ns,
                digest,
                briefing_id,
                packed,
                published,
                [(speaker, role) for speaker, role in json.loads(people or "[]")],
                [BriefingError(Path(path), *error) for error in json.loads(errors)],
            )
            for path, size, mtime_ns, digest, briefing_id, packed, published, people, errors in (
                self.db.execute("SELECT * FROM files")
            )
        )

    def put(self, row: IndexedFile) -> None:
        """Remember one file, replacing what was known about it."""
        self.db.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row.values()
        )

    def delete(self, path: str) -> None:
        """Forget one file."""
        self.db.execute("DELETE FROM files WHERE path = ?", (path,))

    def clear(self) -> None:
        """Forget everything, the search index's tables included."""
        log.warning("briefing index %s does not match itself; rebuilding it", self.path)
        self.rebuilt = True
        tables = [name for (name,) in self.db.execute("SELECT name FROM sqlite_master")]
        with self.transaction():
            for table in ("files", "docs", "doc_ids"):
                if table in tables:
                    self.db.execute(f"DROP TABLE {table}")
            for statement in _SCHEMA.split(";"):
                self.db.execute(statement)


class _Untrusted(Exception):
    pass
