"""The persistent briefing index in PostgreSQL, when PostgreSQL is the store: one for all replicas.

It keeps what the SQLite index keeps (`bot.briefing.index_store`), one row per briefing file in
``briefing_index_files``, so replicas sharing the database and the briefings folder share one
index and a new replica starts from what the others wrote. Needs the ``postgres`` extra.

Rows are keyed by a *namespace*, the briefing sources as the configuration names them
(``briefings.dir``), and each file's path under that name. Replicas configured alike share an
index; a replica serving another folder under another name keeps rows of its own, never mixed
with theirs. (Replicas that mount one folder at different places share only if configured with
one name for it, a relative path for instance.)

Trust: ``briefing_index_meta`` holds, per namespace, the format version and the briefing
model's fingerprint the rows were written for. A replica that finds others there, or rows with
no such record, warns as the SQLite index does, deletes the namespace's rows and rebuilds them;
every later write checks, in its own transaction, that the namespace is still its version's, so
a replica of another version still running stops writing and rows of two versions never mix.

Search: each row also holds its briefing's search vectors, written with it (from the packed
briefing), so the search index can never disagree with the files: ``doc``, every word, under a
GIN index, decides what matches; ``head``, the words of the title (weight A), names and tags
(B) and summary (C), ranks the matches. Words are folded (case, accents) and split here, as the
library's other lookups do, so answers do not depend on the server's locale or extensions; the
server only builds vectors of plain words with the ``simple`` configuration.

Writes made inside `transaction()` are kept in memory and applied when it ends, in one database
transaction holding an advisory lock for the namespace, in path order: replicas writing at once
wait for each other and never deadlock, and the lock is never held while files are parsed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
import time
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import psycopg

from bot.briefing.index_store import FORMAT_VERSION, IndexedFile, model_fingerprint
from bot.briefing.loader import BriefingError
from bot.briefing.models import Briefing
from bot.briefing.search import MIN_PREFIX
from bot.briefing.textnorm import fold

log = logging.getLogger(__name__)

T = TypeVar("T")
Connection = psycopg.Connection[tuple[Any, ...]]

# A change to these tables' columns must rename them too (and bump FORMAT_VERSION): other
# replicas of the older version may still be using them.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS briefing_index_meta (
    namespace TEXT    PRIMARY KEY,
    format    INTEGER NOT NULL,
    model     TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS briefing_index_files (
    namespace   TEXT             NOT NULL,
    path        TEXT             NOT NULL,
    size        BIGINT           NOT NULL,
    mtime_ns    BIGINT           NOT NULL,
    digest      BYTEA,
    briefing_id TEXT,
    packed      BYTEA,
    published   DOUBLE PRECISION,
    people      TEXT             NOT NULL,
    errors      TEXT             NOT NULL,
    head        TSVECTOR,
    doc         TSVECTOR,
    PRIMARY KEY (namespace, path)
);
-- Ranking reads `head` of every match: kept in the row, not compressed, while it fits.
ALTER TABLE briefing_index_files ALTER COLUMN head SET STORAGE MAIN;
CREATE INDEX IF NOT EXISTS briefing_index_files_doc ON briefing_index_files USING gin (doc);
"""
# Advisory lock classes (the first key of the two-key form): creating the tables, and writing
# one namespace (the second key is a hash of it).
_SCHEMA_LOCK = 0x62726966  # "brif"
_NAMESPACE_LOCK = 0x62696478  # "bidx"

_COLUMNS = "path, size, mtime_ns, digest, briefing_id, packed, published, people, errors"
_UPSERT = f"""
INSERT INTO briefing_index_files (namespace, {_COLUMNS}, head, doc)
SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, h, strip(h || to_tsvector('simple', %s))
FROM (SELECT setweight(to_tsvector('simple', %s), 'A')
          || setweight(to_tsvector('simple', %s), 'B')
          || setweight(to_tsvector('simple', %s), 'C') AS h) AS vectors
ON CONFLICT (namespace, path) DO UPDATE SET
    size = EXCLUDED.size, mtime_ns = EXCLUDED.mtime_ns, digest = EXCLUDED.digest,
    briefing_id = EXCLUDED.briefing_id, packed = EXCLUDED.packed,
    published = EXCLUDED.published, people = EXCLUDED.people, errors = EXCLUDED.errors,
    head = EXCLUDED.head, doc = EXCLUDED.doc
"""
# ts_rank's weights for D, C, B, A: the summary counts 2, names and tags 3, the title 5, as the
# SQLite index's column weights (key points and quotes only match: they are not in `head`).
_RANK_WEIGHTS = "{0.0, 0.4, 0.6, 1.0}"
# A whole word counts twice, a prefix once: "ceasefire" ranks "Ceasefire" above "Ceasefires".
# (Two ranks: ts_rank counts a word once however many times a query names it.) The ranks'
# tsqueries are sub-selects, parsed once per search rather than once per matching row; the
# match's stays in the condition, where the planner can see how common its words are.
_SEARCH = f"""
SELECT briefing_id,
       ts_rank('{_RANK_WEIGHTS}', head, (SELECT to_tsquery('simple', %(prefixes)s)))
       + ts_rank('{_RANK_WEIGHTS}', head, (SELECT to_tsquery('simple', %(words)s))) AS rank
FROM briefing_index_files
WHERE namespace = %(namespace)s AND briefing_id IS NOT NULL
  AND doc @@ to_tsquery('simple', %(match)s)
ORDER BY rank DESC, published DESC, briefing_id
LIMIT %(limit)s
"""
# Letters and digits: the SQL text-search parser splits words at underscores too.
_WORD = re.compile(r"[^\W_]+")
# While the server is unreachable, try it again at most this often.
RETRY_SECONDS = 5.0


def namespace_of(sources: Iterable[Path | str]) -> str:
    """The namespace of a library's rows: its sources as the configuration names them."""
    return "\n".join(str(source) for source in sources)


def _words(texts: Iterable[str], *, distinct: bool = False) -> str:
    # Folded one by one: most texts are plain ASCII, which folds many times faster.
    found = _WORD.findall("\n".join([fold(text) for text in texts]))
    return " ".join(dict.fromkeys(found) if distinct else found)


def _search_texts(packed: bytes) -> tuple[str, str, str, str]:
    """Words of the title, the names and tags, the summary, and everything else.

    Read from the packed JSON without validating it again: it was validated when packed.
    `head` holds each word once per field: smaller rows are faster to rank, and how often a
    word recurs in a field barely changes which briefing is best.
    """
    data: dict[str, Any] = json.loads(zlib.decompress(packed))
    quotes = data.get("quotes") or []
    names = [a["name"] for a in data.get("attendees") or []] + [q["speaker"] for q in quotes]
    return (
        _words([data["title"]], distinct=True),
        _words(names + list(data.get("tags") or []), distinct=True),
        _words([data["summary"]], distinct=True),
        _words(list(data.get("key_points") or []) + [q["text"] for q in quotes]),
    )


def _tsquery(words: Sequence[str], operator: str, *, prefixes: bool = True) -> str:
    """A tsquery of plain words: each quoted (letters and digits only, so never syntax).

    With `prefixes`, words of at least `MIN_PREFIX` letters also match as prefixes.
    """
    return f" {operator} ".join(
        f"'{word}':*" if prefixes and len(word) >= MIN_PREFIX else f"'{word}'" for word in words
    )


class PostgresIndex:
    """The briefing index of one namespace in a PostgreSQL database."""

    def __init__(
        self,
        url: str,
        sources: Sequence[Path | str],
        *,
        location: str,
        connect_timeout: float = 5.0,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        """Connect, create the tables if needed and check the namespace is this version's.

        `location` names the database in messages (the URL without its password);
        `retry_seconds` is how often a lost connection is tried again.
        `psycopg.Error` if the server cannot be used.
        """
        self.namespace = namespace_of(sources)
        self.rebuilt = False
        self._url = url
        self._where = location
        self._timeout = max(1, round(connect_timeout))
        self._lock = threading.RLock()
        self._pending: dict[str, IndexedFile | None] = {}
        self._depth = 0
        self._searchable: set[str] | None = None
        self._down = False
        self._retry_seconds = retry_seconds
        self._last_try = 0.0
        self._lost = False  # another version took the namespace over while this one ran
        self._conn = self._connect()
        try:
            with self._conn.transaction():
                self._conn.execute("SELECT pg_advisory_xact_lock(%s, 0)", (_SCHEMA_LOCK,))
                self._conn.execute(_SCHEMA.encode())
            with self._conn.transaction():
                self._lock_namespace(self._conn)
                self._claim(self._conn)
        except BaseException:
            self._conn.close()
            raise

    def _connect(self) -> Connection:
        return psycopg.connect(
            self._url,
            autocommit=True,
            connect_timeout=self._timeout,
            application_name="briefbot index",
            # Only bitmap scans: a word common enough makes a sequential scan, or a scan of
            # the namespace's rows by primary key, look as cheap as the GIN index to the
            # planner; either reads every row's `doc` from its out-of-line storage to test it,
            # where the GIN index already knows (five times slower at 10,000 briefings).
            options="-c enable_seqscan=off -c enable_indexscan=off",
        )

    @property
    def location(self) -> str:
        """The database and the namespace, for messages."""
        return f"{self._where} (briefings {self.namespace.replace(chr(10), ', ')})"

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    # -- trust ------------------------------------------------------------------------------

    def _lock_namespace(self, conn: Connection) -> None:
        conn.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_NAMESPACE_LOCK, self.namespace)
        )

    def _why_untrusted(self, conn: Connection) -> str | None:
        """Why the namespace's rows are not this version's to use, or None if they are."""
        meta = conn.execute(
            "SELECT format, model FROM briefing_index_meta WHERE namespace = %s",
            (self.namespace,),
        ).fetchone()
        if meta is None:
            return "" if self._has_rows(conn) else None
        format_version, model = meta
        if format_version != FORMAT_VERSION:
            return f"format version {format_version}, expected {FORMAT_VERSION}"
        if model != model_fingerprint():
            return "made for another version of the briefing fields"
        return None

    def _has_rows(self, conn: Connection) -> bool:
        return (
            conn.execute(
                "SELECT 1 FROM briefing_index_files WHERE namespace = %s LIMIT 1",
                (self.namespace,),
            ).fetchone()
            is not None
        )

    def _claim(self, conn: Connection) -> None:
        """Make the namespace this version's, deleting rows written for another (locked)."""
        why = self._why_untrusted(conn)
        if why is not None:
            why = why or "without its format record"
            log.warning("briefing index %s is %s; rebuilding it from the files", self.location, why)
            self.rebuilt = True
            conn.execute("DELETE FROM briefing_index_files WHERE namespace = %s", (self.namespace,))
        conn.execute(
            "INSERT INTO briefing_index_meta VALUES (%s, %s, %s) ON CONFLICT (namespace)"
            " DO UPDATE SET format = EXCLUDED.format, model = EXCLUDED.model",
            (self.namespace, FORMAT_VERSION, model_fingerprint()),
        )

    # -- reading ----------------------------------------------------------------------------

    def rows(self) -> Generator[IndexedFile, None, None]:
        """Every file the index knows, one at a time, as one consistent snapshot.

        If the database fails half-way, the rows read so far: the files decide the rest.
        """
        try:
            yield from self._read()
        except psycopg.Error as exc:
            self._failed(exc, "cannot read the briefing index")
        else:
            self._reachable()

    def _read(self) -> Generator[IndexedFile, None, None]:
        with self._lock, self._usable().transaction() as tx:
            conn = tx.connection
            self._lock_namespace(conn)
            # Another version may have taken the namespace over since it was opened.
            self._claim(conn)
            # Filled as rows are read: if the read fails half-way, it still says which of the
            # rows handed out have search rows.
            searchable = self._searchable = set()
            with conn.cursor(name="briefing_index_rows", binary=True) as cursor:
                cursor.itersize = 1000
                cursor.execute(
                    f"SELECT {_COLUMNS}, doc IS NOT NULL FROM briefing_index_files"
                    " WHERE namespace = %s",
                    (self.namespace,),
                )
                for (
                    path,
                    size,
                    mtime_ns,
                    digest,
                    bid,
                    packed,
                    published,
                    people,
                    errors,
                    doc,
                ) in cursor:
                    if bid is not None and doc:
                        searchable.add(bid)
                    yield IndexedFile(
                        path,
                        size,
                        mtime_ns,
                        None if digest is None else bytes(digest),
                        bid,
                        None if packed is None else bytes(packed),
                        published,
                        [(speaker, role) for speaker, role in json.loads(people)],
                        [BriefingError(Path(path), *error) for error in json.loads(errors)],
                    )

    # -- writing ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything written inside is committed together, or not at all."""
        self._depth += 1
        try:
            yield
        except BaseException:
            if self._depth == 1:
                self._pending.clear()
            raise
        finally:
            self._depth -= 1
        if self._depth == 0:
            self._flush()

    def put(self, row: IndexedFile) -> None:
        """Remember one file, replacing what was known about it."""
        self._pending[row.path] = row
        if self._depth == 0:
            self._flush()

    def delete(self, path: str) -> None:
        """Forget one file."""
        self._pending[path] = None
        if self._depth == 0:
            self._flush()

    def clear(self) -> None:
        """Forget everything of this namespace, the search rows included."""
        log.warning("briefing index %s does not match itself; rebuilding it", self.location)
        self.rebuilt = True
        self._pending.clear()
        self._searchable = set()

        def work(conn: Connection) -> None:
            with conn.transaction():
                self._lock_namespace(conn)
                conn.execute(
                    "DELETE FROM briefing_index_files WHERE namespace = %s", (self.namespace,)
                )

        try:
            self._run(work)
        except psycopg.Error as exc:
            self._failed(exc, "cannot write the briefing index")

    def _flush(self) -> None:
        pending, self._pending = sorted(self._pending.items()), {}
        if not pending:
            return
        gone = [path for path, row in pending if row is None]
        rows = [row for _, row in pending if row is not None]

        def work(conn: Connection) -> None:
            with conn.transaction():
                self._lock_namespace(conn)
                if self._why_untrusted(conn) is not None:
                    if not self._lost:
                        self._lost = True
                        log.warning(
                            "briefing index %s now belongs to another version of briefbot;"
                            " not writing to it",
                            self.location,
                        )
                    return
                if gone:
                    conn.execute(
                        "DELETE FROM briefing_index_files WHERE namespace = %s AND path = ANY(%s)",
                        (self.namespace, gone),
                    )
                if rows:
                    with conn.cursor() as cursor:
                        cursor.executemany(_UPSERT, (self._values(row) for row in rows))

        try:
            self._run(work)
        except psycopg.Error as exc:
            # The files stay the truth: what was not written is parsed again at the next start.
            self._failed(exc, "cannot write the briefing index")

    def _values(self, row: IndexedFile) -> tuple[object, ...]:
        texts: tuple[str | None, ...] = (None, None, None, None)
        if row.packed is not None and row.briefing_id is not None:
            texts = _search_texts(row.packed)
        title, names, summary, rest = texts
        return (self.namespace, *row.values(), rest, title, names, summary)

    # -- the connection ---------------------------------------------------------------------

    def _usable(self) -> Connection:
        """The connection, made again if it broke (at most every `retry_seconds`)."""
        if not self._conn.closed and not self._conn.broken:
            return self._conn
        now = time.monotonic()
        if now - self._last_try < self._retry_seconds:
            raise psycopg.OperationalError("the database is unreachable")
        self._last_try = now
        self._conn = self._connect()
        return self._conn

    def _run(self, work: Callable[[Connection], T]) -> T:
        """`work` on the connection; once more on a new one if the old one had broken.

        A server restart or fail-over ends every connection: only using one finds that out.
        """
        with self._lock:
            conn = self._usable()
            try:
                result = work(conn)
            except psycopg.OperationalError:
                if not conn.broken:
                    raise
                self._last_try = 0.0
                result = work(self._usable())
        self._reachable()
        return result

    def _reachable(self) -> None:
        if self._down:
            self._down = False
            log.info("briefing index %s is reachable again", self.location)

    def _failed(self, exc: psycopg.Error, what: str) -> None:
        if not self._down:  # once per outage
            self._down = True
            first_line = next(iter(str(exc).strip().splitlines()), type(exc).__name__)
            log.warning("%s %s: %s", what, self.location, first_line)

    # -- search -----------------------------------------------------------------------------

    def search_index(self) -> PostgresSearch:
        """Search over this namespace's rows."""
        return PostgresSearch(self)

    def searchable_ids(self) -> set[str]:
        """Ids of the briefings with search rows, as `rows()` last read them."""
        if self._searchable is not None:
            return set(self._searchable)
        try:
            found = self._run(
                lambda conn: conn.execute(
                    "SELECT briefing_id FROM briefing_index_files WHERE namespace = %s"
                    " AND briefing_id IS NOT NULL AND doc IS NOT NULL",
                    (self.namespace,),
                ).fetchall()
            )
        except psycopg.Error as exc:
            self._failed(exc, "cannot read the briefing index")
            return set()
        return {bid for (bid,) in found}

    def query(self, words: Sequence[str], operator: str, limit: int) -> list[tuple[str, float]]:
        """Briefing ids whose words match `words` joined by `operator`, best first.

        Nothing while the database cannot be reached (said once in the log).
        """
        values = {
            "prefixes": _tsquery(words, "|"),
            "words": _tsquery(words, "|", prefixes=False),
            "namespace": self.namespace,
            "match": _tsquery(words, operator),
            "limit": None if limit < 0 else limit,
        }
        try:
            rows = self._run(lambda conn: conn.execute(_SEARCH, values).fetchall())
        except psycopg.Error as exc:
            self._failed(exc, "cannot search the briefing index")
            return []
        return [(bid, float(rank)) for bid, rank in rows]


class PostgresSearch:
    """The library's search, answered by the PostgreSQL index's rows.

    Each row's search vectors are written with the row itself (`PostgresIndex.put`), so adding
    and removing briefings here has nothing left to do.
    """

    def __init__(self, index: PostgresIndex) -> None:
        self._index = index

    def ids(self) -> set[str]:
        """The ids of every indexed briefing."""
        return self._index.searchable_ids()

    def add(self, briefing: Briefing) -> None:
        """Nothing: the index writes a briefing's search vectors with its file's row."""

    def remove(self, briefing: Briefing) -> None:
        """Nothing: the index deletes a briefing's search vectors with its file's row."""

    def search(self, query: str, limit: int = -1) -> list[tuple[str, float]]:
        """Briefing ids matching `query`, best first, with their scores (higher is better).

        Those matching every query word (as a word, or as a prefix when long enough) come
        first; if none does, those matching any of them. At most `limit` (-1: all of them).
        """
        words = _words([query], distinct=True).split()
        if not words:
            return []
        hits = self._index.query(words, "&", limit)
        if not hits and len(words) > 1:
            hits = self._index.query(words, "|", limit)
        return hits
