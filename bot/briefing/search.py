"""Ranked full-text search over briefings: the interface, and SQLite's FTS5 behind it.

`Search` is what the library asks of a search index. `SearchIndex` is SQLite's FTS5, in memory
or in the SQLite briefing index, one row per briefing; the PostgreSQL briefing index has its own
(`bot.briefing.index_postgres.PostgresSearch`), which answers the same way.

FTS5 does the tokenising (case- and accent-insensitive with ``unicode61 remove_diacritics 2``),
prefix matching and BM25 ranking, in C and in a compact index, so a 10,000-briefing library is
indexed in a couple of seconds and a few tens of megabytes. Columns are weighted so a title hit
outranks a passing mention in a quote.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Protocol

from bot.briefing.models import Briefing

# Column weights for BM25, in column order (id is not searched).
WEIGHTS = {
    "title": 5.0,
    "names": 3.0,
    "tags": 3.0,
    "summary": 2.0,
    "key_points": 1.5,
    "quotes": 1.0,
}
# Words shorter than this only match whole words; longer ones also match as prefixes.
MIN_PREFIX = 3

_COLUMNS = ", ".join(WEIGHTS)
_WORD = re.compile(r"\w+")
_RANK = "bm25(docs, " + ", ".join(str(w) for w in WEIGHTS.values()) + ")"


class Search(Protocol):
    """A full-text index of briefings by id, as the library uses it.

    Briefings matching every query word (as a word, or as a prefix when at least `MIN_PREFIX`
    long; case and accents do not matter) come first, or if none does those matching any;
    a title hit outranks a passing mention in a quote.
    """

    def ids(self) -> set[str]:
        """The ids of every indexed briefing."""

    def add(self, briefing: Briefing) -> None:
        """Index `briefing`; an earlier version with its id must have been removed."""

    def remove(self, briefing: Briefing) -> None:
        """Forget `briefing`, exactly as it was indexed, if it was."""

    def search(self, query: str, limit: int = -1) -> list[tuple[str, float]]:
        """Briefing ids matching `query`, best first, with their scores (higher is better)."""


def _row(briefing: Briefing) -> tuple[str, ...]:
    return (
        briefing.title,
        "\n".join([a.name for a in briefing.attendees] + [q.speaker for q in briefing.quotes]),
        "\n".join(briefing.tags),
        briefing.summary,
        "\n".join(briefing.key_points),
        "\n".join(q.text for q in briefing.quotes),
    )


def _term(word: str) -> str:
    # Words are letters, digits and underscores, so quoting them keeps FTS5's query syntax
    # (AND, NEAR, column filters) out of users' hands. FTS5 folds case and accents itself,
    # the same way for queries as for the text.
    return f'"{word}"*' if len(word) >= MIN_PREFIX else f'"{word}"'


class SearchIndex:
    """A full-text index of briefings by id.

    By default in a private temporary database, which SQLite deletes when it is closed; given a
    connection (the persistent briefing index's), its tables live in that database, so a
    restart finds the index built, and its writes share that connection's transactions.
    """

    def __init__(self, db: sqlite3.Connection | None = None) -> None:
        # "" is SQLite's private temporary database: its pages spill to a file in the temporary
        # folder (which SQLite needs for large sorts anyway) that is deleted on close, so a
        # 10,000-briefing index costs the page cache, not ~25 MB of the process's memory.
        self._db = db or sqlite3.connect("", check_same_thread=False)
        self._db.execute(
            # Contentless: the index only, not a second copy of every text (the shelf has them).
            f"CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5({_COLUMNS}, content = '',"
            " tokenize = 'unicode61 remove_diacritics 2')"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS doc_ids (rowid INTEGER PRIMARY KEY, briefing_id TEXT)"
        )
        self._ids: dict[int, str] = dict(self._db.execute("SELECT rowid, briefing_id FROM doc_ids"))
        self._rowid: dict[str, int] = {bid: rowid for rowid, bid in self._ids.items()}
        self._next_rowid = max(self._ids, default=0) + 1

    def ids(self) -> set[str]:
        """The ids of every indexed briefing."""
        return set(self._rowid)

    def add(self, briefing: Briefing) -> None:
        """Index `briefing`; an earlier version with its id must have been removed."""
        if briefing.id in self._rowid:
            raise ValueError(f"{briefing.id!r} is indexed already; remove it first")
        rowid = self._next_rowid
        self._next_rowid += 1
        self._db.execute(
            f"INSERT INTO docs (rowid, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (rowid, *_row(briefing)),
        )
        self._db.execute("INSERT INTO doc_ids VALUES (?, ?)", (rowid, briefing.id))
        self._rowid[briefing.id] = rowid
        self._ids[rowid] = briefing.id

    def remove(self, briefing: Briefing) -> None:
        """Forget `briefing`, exactly as it was indexed, if it was."""
        rowid = self._rowid.pop(briefing.id, None)
        if rowid is not None:
            del self._ids[rowid]
            self._db.execute("DELETE FROM doc_ids WHERE rowid = ?", (rowid,))
            # A contentless table forgets a row by being told what the row held.
            self._db.execute(
                f"INSERT INTO docs (docs, rowid, {_COLUMNS})"
                " VALUES ('delete', ?, ?, ?, ?, ?, ?, ?)",
                (rowid, *_row(briefing)),
            )

    def search(self, query: str, limit: int = -1) -> list[tuple[str, float]]:
        """Briefing ids matching `query`, best first, with their scores (higher is better).

        Briefings that match every query word (as a word, or as a prefix when long enough) come
        first; if none does, those matching any of them. At most `limit` (-1: all of them).
        """
        terms = [_term(w) for w in dict.fromkeys(_WORD.findall(query.casefold()))]
        if not terms:
            return []
        hits = self._query(" AND ".join(terms), limit)
        if not hits and len(terms) > 1:
            hits = self._query(" OR ".join(terms), limit)
        return hits

    def _query(self, match: str, limit: int) -> list[tuple[str, float]]:
        rows = self._db.execute(
            f"SELECT rowid, {_RANK} AS rank FROM docs WHERE docs MATCH ?"
            " ORDER BY rank, rowid LIMIT ?",
            (match, limit),
        ).fetchall()
        # bm25() is negative, lower is better; flip it so callers read higher as better.
        return [(self._ids[rowid], -rank) for rowid, rank in rows]
