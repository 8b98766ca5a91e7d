"""The SQLite store: state that must survive restarts, in one file, for one process.

All of its SQL lives in this module. The schema is versioned with SQLite's ``user_version``; each
migration runs once, in order, inside a transaction.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.storage.base import (
    CHANNEL_COLUMNS,
    CHAT_COLUMNS,
    CHAT_DEFAULTS,
    CHAT_FIELDS,
    CHAT_FLAGS,
    DELIVERY_FIELDS,
    DRAFT_FIELDS,
    LIVE_SECONDS,
    TOPIC_FIELDS,
    ChannelRecord,
    ChatRecord,
    PendingDraft,
    ReplicaRecord,
    StateDump,
    StorageError,
    StoreStats,
)
from bot.storage.base import iso as _iso
from bot.storage.base import parse_iso as _parse

_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE chats (
        chat_id          INTEGER PRIMARY KEY,
        chat_type        TEXT    NOT NULL DEFAULT 'private',
        timezone         TEXT,
        subscribed       INTEGER NOT NULL DEFAULT 0,
        daily_at         TEXT,
        active           INTEGER NOT NULL DEFAULT 1,
        inactive_reason  TEXT,
        next_due         TEXT,
        current_briefing TEXT,
        created_at       TEXT    NOT NULL,
        updated_at       TEXT    NOT NULL
    );
    CREATE INDEX chats_due ON chats (next_due) WHERE subscribed = 1 AND active = 1;
    CREATE TABLE deliveries (
        chat_id      INTEGER NOT NULL,
        briefing_id  TEXT    NOT NULL,
        delivered_at TEXT    NOT NULL,
        PRIMARY KEY (chat_id, briefing_id)
    ) WITHOUT ROWID;
    CREATE INDEX deliveries_at ON deliveries (delivered_at);
    """,
    """
    CREATE TABLE drafts (
        draft_key  TEXT    PRIMARY KEY,
        admin_id   INTEGER NOT NULL,
        chat_id    INTEGER NOT NULL,
        file_name  TEXT    NOT NULL,
        yaml       TEXT    NOT NULL,
        created_at TEXT    NOT NULL
    );
    CREATE INDEX drafts_created ON drafts (created_at);
    """,
    """
    ALTER TABLE chats ADD COLUMN claimed_by TEXT;
    ALTER TABLE chats ADD COLUMN claimed_until TEXT;
    CREATE TABLE replicas (
        replica_id   TEXT    PRIMARY KEY,
        host         TEXT    NOT NULL,
        pid          INTEGER NOT NULL,
        port         INTEGER,
        started_at   TEXT    NOT NULL,
        heartbeat_at TEXT    NOT NULL,
        role         TEXT    NOT NULL
    );
    """,
    # The chat's chosen language (`/language`); NULL: the user's Telegram language.
    """
    ALTER TABLE chats ADD COLUMN language TEXT
    """,
    # Topics a chat follows, and what the bot knows of channels it posts in.
    """
    CREATE TABLE chat_topics (
        chat_id  INTEGER NOT NULL,
        position INTEGER NOT NULL,
        topic    TEXT    NOT NULL,
        PRIMARY KEY (chat_id, position)
    );
    ALTER TABLE chats ADD COLUMN chat_title TEXT;
    ALTER TABLE chats ADD COLUMN username TEXT;
    ALTER TABLE chats ADD COLUMN configured_by INTEGER;
    ALTER TABLE chats ADD COLUMN can_post INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX chats_configured_by ON chats (configured_by);
    """,
)

SCHEMA_VERSION = len(_MIGRATIONS)

# What SQLite's primary result codes mean for someone who configured `storage.path`.
_PROBLEMS = {
    sqlite3.SQLITE_NOTADB: "not a SQLite database",
    sqlite3.SQLITE_CORRUPT: "the database file is damaged",
    sqlite3.SQLITE_BUSY: "the database is locked by another process",
    sqlite3.SQLITE_LOCKED: "the database is locked by another process",
    sqlite3.SQLITE_READONLY: "read-only: no permission to write the file or its folder",
    sqlite3.SQLITE_PERM: "permission denied",
    sqlite3.SQLITE_CANTOPEN: "cannot open the file (check the folder exists and is writable)",
    sqlite3.SQLITE_FULL: "the disk is full",
    sqlite3.SQLITE_IOERR: "input/output error",
}


def _problem(exc: sqlite3.Error) -> str:
    code = getattr(exc, "sqlite_errorcode", None)
    return _PROBLEMS.get(code & 0xFF, str(exc)) if isinstance(code, int) else str(exc)


def _precheck(path: Path) -> None:
    """Name the common mistakes before SQLite reports them as a vague "unable to open"."""
    if path.is_dir():
        raise StorageError(path, "is a directory, not a database file")
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        files = (p for p in (folder, *folder.parents) if p.exists() and not p.is_dir())
        blocker = next(files, folder)
        raise StorageError(path, f"{blocker} is a file, not a folder") from None
    except OSError as exc:
        raise StorageError(path, f"cannot create the folder {folder}: {exc.strerror}") from None
    # SQLite's write-ahead log needs to create files beside the database.
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorageError(path, f"no permission to write in the folder {folder}")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise StorageError(path, "permission denied (the file must be readable and writable)")


def _channel(row: sqlite3.Row | tuple[object, ...]) -> ChannelRecord:
    cid, title, username, by, can_post, active, subscribed = row
    return ChannelRecord(
        chat_id=int(str(cid)),
        title=title if isinstance(title, str) else None,
        username=username if isinstance(username, str) else None,
        configured_by=int(by) if isinstance(by, int) else None,
        can_post=bool(can_post),
        active=bool(active),
        subscribed=bool(subscribed),
    )


def _chat(row: sqlite3.Row | tuple[object, ...]) -> ChatRecord:
    cid, ctype, tz, sub, daily, active, reason, due, current = row
    return ChatRecord(
        chat_id=int(str(cid)),
        chat_type=str(ctype),
        timezone=tz if isinstance(tz, str) else None,
        subscribed=bool(sub),
        daily_at=daily if isinstance(daily, str) else None,
        active=bool(active),
        inactive_reason=reason if isinstance(reason, str) else None,
        next_due=_parse(due if isinstance(due, str) else None),
        current_briefing=current if isinstance(current, str) else None,
    )


# Chat records kept in memory; past this many, the rest are read from the file each time.
CHAT_CACHE_SIZE = 20_000


class SubscriptionStore:
    """Chats, subscriptions and deliveries in one SQLite file."""

    def __init__(self, path: Path | str, *, busy_timeout: float = 5.0) -> None:
        """Open (and create or migrate) the database; `StorageError` if it cannot be used."""
        if str(path) != ":memory:":
            _precheck(Path(path))
        self.path = path
        # Chat records as last read: every command reads its chat's, and writes are rare. Any
        # write empties it, and a read overlapping a write is not kept (`_writes` moved on).
        self._chats: dict[int, ChatRecord | None] = {}
        # The same for the chat's language, which every answer reads to pick its wording.
        self._languages: dict[int, str | None] = {}
        self._writes = 0
        # isolation_level=None: transactions are explicit (`_transaction`), never implicit.
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        try:
            self._db.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode survives a killed process; only a power cut can lose the last
            # commit.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.Error as exc:
            self._db.close()
            raise StorageError(path, _problem(exc)) from None
        except StorageError:
            self._db.close()
            raise
        # Chats known to exist and be active: every update touches its chat, and this saves a
        # write transaction per update for all but a chat's first message.
        self._known_active: set[int] = set()

    @property
    def location(self) -> str:
        """The database file."""
        return str(self.path)

    def close(self) -> None:
        """Close the database file."""
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._forget_chats()
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        finally:
            self._forget_chats()

    def _forget_chats(self) -> None:
        self._writes += 1
        self._chats = {}
        self._languages = {}

    def _migrate(self) -> None:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StorageError(
                self.path,
                f"schema version {version} is newer than this briefbot's ({SCHEMA_VERSION});"
                " upgrade briefbot",
            )
        for number, script in enumerate(_MIGRATIONS[version:], start=version + 1):
            with self._transaction() as db:
                for statement in script.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")

    # -- chats -----------------------------------------------------------------------------

    def chat(self, chat_id: int) -> ChatRecord | None:
        """The record of a chat, if the bot has seen it."""
        chats = self._chats
        if chat_id in chats:
            return chats[chat_id]
        writes = self._writes
        row = self._db.execute(
            f"SELECT {CHAT_COLUMNS} FROM chats WHERE chat_id = ?", (chat_id,)
        ).fetchone()
        record = _chat(row) if row else None
        if writes == self._writes and len(chats) < CHAT_CACHE_SIZE:
            chats[chat_id] = record
        return record

    def touch_chat(self, chat_id: int, chat_type: str, now: dt.datetime) -> bool:
        """Remember a chat that talked to the bot; reactivate it. True if it was inactive."""
        if chat_id in self._known_active:
            return False
        with self._transaction() as db:
            row = db.execute("SELECT active FROM chats WHERE chat_id = ?", (chat_id,)).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO chats (chat_id, chat_type, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?)",
                    (chat_id, chat_type, _iso(now), _iso(now)),
                )
            elif not row[0]:
                db.execute(
                    "UPDATE chats SET active = 1, inactive_reason = NULL, chat_type = ?,"
                    " updated_at = ? WHERE chat_id = ?",
                    (chat_type, _iso(now), chat_id),
                )
        self._known_active.add(chat_id)
        return row is not None and not row[0]

    def _update(self, chat_id: int, now: dt.datetime, **values: object) -> None:
        columns = ", ".join(f"{name} = ?" for name in values)
        with self._transaction() as db:
            exists = db.execute("SELECT 1 FROM chats WHERE chat_id = ?", (chat_id,)).fetchone()
            if not exists:
                db.execute(
                    "INSERT INTO chats (chat_id, chat_type, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?)",
                    (chat_id, "private" if chat_id > 0 else "group", _iso(now), _iso(now)),
                )
            db.execute(
                f"UPDATE chats SET {columns}, updated_at = ? WHERE chat_id = ?",
                (*values.values(), _iso(now), chat_id),
            )

    def subscribe(
        self, chat_id: int, daily_at: str | None, next_due: dt.datetime, now: dt.datetime
    ) -> None:
        """Subscribe a chat: daily at HH:MM, or on the default schedule when None."""
        self._update(
            chat_id, now, subscribed=1, daily_at=daily_at, next_due=_iso(next_due), active=1
        )

    def unsubscribe(self, chat_id: int, now: dt.datetime) -> None:
        """Stop digests for a chat (its delivery history stays)."""
        self._update(chat_id, now, subscribed=0, next_due=None)

    def set_timezone(
        self, chat_id: int, timezone: str, next_due: dt.datetime | None, now: dt.datetime
    ) -> None:
        """Set a chat's time zone and, if subscribed, its recomputed next digest."""
        if next_due is None:
            self._update(chat_id, now, timezone=timezone)
        else:
            self._update(chat_id, now, timezone=timezone, next_due=_iso(next_due))

    # -- the chat's language (/language) -----------------------------------------------------
    # Kept apart from `CHAT_COLUMNS` so the column stays one migration and these two methods.

    def chat_language(self, chat_id: int) -> str | None:
        """The language a chat chose with /language, if any."""
        languages = self._languages
        if chat_id in languages:
            return languages[chat_id]
        writes = self._writes
        row = self._db.execute(
            "SELECT language FROM chats WHERE chat_id = ?", (chat_id,)
        ).fetchone()
        language = row[0] if row and isinstance(row[0], str) else None
        if writes == self._writes and len(languages) < CHAT_CACHE_SIZE:
            languages[chat_id] = language
        return language

    def set_language(self, chat_id: int, language: str | None, now: dt.datetime) -> None:
        """Remember a chat's language (None: follow each user's Telegram language)."""
        self._update(chat_id, now, language=language)

    # -- end of the chat's language -----------------------------------------------------------

    def set_current_briefing(self, chat_id: int, briefing_id: str, now: dt.datetime) -> None:
        """Remember the briefing a chat chose last."""
        self._update(chat_id, now, current_briefing=briefing_id)

    def set_next_due(self, chat_id: int, next_due: dt.datetime, now: dt.datetime) -> None:
        """Move a chat's next digest, releasing any claim on it."""
        self._update(chat_id, now, next_due=_iso(next_due), claimed_by=None, claimed_until=None)

    def deactivate(self, chat_id: int, reason: str, now: dt.datetime) -> None:
        """Stop trying a chat that blocked the bot or is gone, until it talks to the bot again."""
        self._known_active.discard(chat_id)
        self._update(chat_id, now, active=0, inactive_reason=reason)

    def migrate_chat(self, old_id: int, new_id: int, now: dt.datetime) -> None:
        """Move everything about a group to its new supergroup id."""
        self._known_active.discard(old_id)
        with self._transaction() as db:
            # Only a known old chat replaces the new id's record; else the new one stays as is.
            if db.execute("SELECT 1 FROM chats WHERE chat_id = ?", (old_id,)).fetchone():
                db.execute("DELETE FROM chats WHERE chat_id = ?", (new_id,))
            db.execute(
                "UPDATE chats SET chat_id = ?, chat_type = 'supergroup', updated_at = ?"
                " WHERE chat_id = ?",
                (new_id, _iso(now), old_id),
            )
            db.execute(
                "INSERT OR IGNORE INTO deliveries (chat_id, briefing_id, delivered_at)"
                " SELECT ?, briefing_id, delivered_at FROM deliveries WHERE chat_id = ?",
                (new_id, old_id),
            )
            db.execute("DELETE FROM deliveries WHERE chat_id = ?", (old_id,))
            db.execute(
                "DELETE FROM chat_topics WHERE chat_id = ? AND EXISTS"
                " (SELECT 1 FROM chat_topics WHERE chat_id = ?)",
                (new_id, old_id),
            )
            db.execute("UPDATE chat_topics SET chat_id = ? WHERE chat_id = ?", (new_id, old_id))

    def due_chats(self, now: dt.datetime) -> list[ChatRecord]:
        """Active subscribed chats whose next digest is due at `now`, most overdue first."""
        rows = self._db.execute(
            f"SELECT {CHAT_COLUMNS} FROM chats WHERE subscribed = 1 AND active = 1"
            " AND next_due <= ? ORDER BY next_due, chat_id",
            (_iso(now),),
        ).fetchall()
        return [_chat(row) for row in rows]

    def claim_due(
        self, now: dt.datetime, replica: str, lease_seconds: float, limit: int
    ) -> list[ChatRecord]:
        """Claim up to `limit` due chats nobody holds (or whose lease ran out) for `replica`."""
        until = _iso(now + dt.timedelta(seconds=lease_seconds))
        with self._transaction() as db:
            rows = db.execute(
                f"SELECT {CHAT_COLUMNS} FROM chats WHERE subscribed = 1 AND active = 1"
                " AND next_due <= ? AND (claimed_until IS NULL OR claimed_until < ?)"
                " ORDER BY next_due, chat_id LIMIT ?",
                (_iso(now), _iso(now), limit),
            ).fetchall()
            db.executemany(
                "UPDATE chats SET claimed_by = ?, claimed_until = ? WHERE chat_id = ?",
                [(replica, until, row[0]) for row in rows],
            )
        return [_chat(row) for row in rows]

    def claim_chat(
        self, chat_id: int, now: dt.datetime, replica: str, lease_seconds: float
    ) -> bool:
        """Claim one chat (due or not) for `replica`; False while another replica holds it."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT claimed_by, claimed_until FROM chats WHERE chat_id = ?", (chat_id,)
            ).fetchone()
            if row is None:
                return True
            holder, until = row
            if holder not in (None, replica) and until is not None and until >= _iso(now):
                return False
            db.execute(
                "UPDATE chats SET claimed_by = ?, claimed_until = ? WHERE chat_id = ?",
                (replica, _iso(now + dt.timedelta(seconds=lease_seconds)), chat_id),
            )
        return True

    def release_chat(self, chat_id: int, replica: str) -> None:
        """Give up `replica`'s claim on a chat without moving its next digest."""
        with self._transaction() as db:
            db.execute(
                "UPDATE chats SET claimed_by = NULL, claimed_until = NULL"
                " WHERE chat_id = ? AND claimed_by = ?",
                (chat_id, replica),
            )

    def next_due_time(self) -> dt.datetime | None:
        """The earliest next digest of any active subscribed chat."""
        row = self._db.execute(
            "SELECT MIN(next_due) FROM chats WHERE subscribed = 1 AND active = 1"
        ).fetchone()
        return _parse(row[0]) if row else None

    def subscribed_chats(self) -> list[ChatRecord]:
        """Every subscribed chat, active or not."""
        rows = self._db.execute(
            f"SELECT {CHAT_COLUMNS} FROM chats WHERE subscribed = 1 ORDER BY chat_id"
        ).fetchall()
        return [_chat(row) for row in rows]

    # -- deliveries --------------------------------------------------------------------------

    def delivered_ids(self, chat_id: int) -> set[str]:
        """Ids of the briefings this chat has received in a digest."""
        rows = self._db.execute(
            "SELECT briefing_id FROM deliveries WHERE chat_id = ?", (chat_id,)
        ).fetchall()
        return {str(row[0]) for row in rows}

    def record_deliveries(
        self, chat_id: int, briefing_ids: Iterable[str], now: dt.datetime
    ) -> None:
        """Record that Telegram accepted a digest holding these briefings for this chat."""
        with self._transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO deliveries (chat_id, briefing_id, delivered_at)"
                " VALUES (?, ?, ?)",
                [(chat_id, bid, _iso(now)) for bid in briefing_ids],
            )

    def stats(self, since: dt.datetime) -> StoreStats:
        """How many chats, subscribers and deliveries since `since`."""
        chats, subscribers, active = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(subscribed), 0),"
            " COALESCE(SUM(subscribed AND active), 0) FROM chats"
        ).fetchone()
        (delivered,) = self._db.execute(
            "SELECT COUNT(*) FROM deliveries WHERE delivered_at >= ?", (_iso(since),)
        ).fetchone()
        return StoreStats(int(chats), int(subscribers), int(active), int(delivered))

    # -- pending drafts --------------------------------------------------------------------

    def save_draft(self, draft: PendingDraft, *, keep_since: dt.datetime | None = None) -> None:
        """Keep a pending draft (replacing one with the same key); drop any before `keep_since`."""
        with self._transaction() as db:
            if keep_since is not None:
                db.execute("DELETE FROM drafts WHERE created_at < ?", (_iso(keep_since),))
            db.execute(
                "INSERT OR REPLACE INTO drafts"
                " (draft_key, admin_id, chat_id, file_name, yaml, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    draft.key,
                    draft.admin_id,
                    draft.chat_id,
                    draft.file_name,
                    draft.yaml,
                    _iso(draft.created_at),
                ),
            )

    def draft(self, key: str) -> PendingDraft | None:
        """The pending draft with this key, if it is still pending."""
        row = self._db.execute(
            "SELECT draft_key, admin_id, chat_id, file_name, yaml, created_at FROM drafts"
            " WHERE draft_key = ?",
            (key,),
        ).fetchone()
        if row is None:
            return None
        key, admin_id, chat_id, file_name, text, created = row
        return PendingDraft(
            str(key),
            int(admin_id),
            int(chat_id),
            str(file_name),
            str(text),
            dt.datetime.fromisoformat(str(created)),
        )

    def delete_draft(self, key: str) -> bool:
        """Forget a pending draft; False if there was none with this key."""
        with self._transaction() as db:
            return db.execute("DELETE FROM drafts WHERE draft_key = ?", (key,)).rowcount > 0

    # -- topics and channels -----------------------------------------------------------------

    def topics(self, chat_id: int) -> list[str]:
        """The topics a chat follows, in the order it added them."""
        rows = self._db.execute(
            "SELECT topic FROM chat_topics WHERE chat_id = ? ORDER BY position", (chat_id,)
        ).fetchall()
        return [str(row[0]) for row in rows]

    def set_topics(self, chat_id: int, topics: Iterable[str]) -> None:
        """Replace the topics a chat follows (none: it gets every new briefing)."""
        with self._transaction() as db:
            db.execute("DELETE FROM chat_topics WHERE chat_id = ?", (chat_id,))
            db.executemany(
                "INSERT INTO chat_topics (chat_id, position, topic) VALUES (?, ?, ?)",
                [(chat_id, i, topic) for i, topic in enumerate(topics)],
            )

    def channel(self, chat_id: int) -> ChannelRecord | None:
        """What the bot knows of a channel, if it is one the bot has seen."""
        row = self._db.execute(
            f"SELECT {CHANNEL_COLUMNS} FROM chats WHERE chat_id = ? AND chat_type = 'channel'",
            (chat_id,),
        ).fetchone()
        return _channel(row) if row else None

    def remember_channel(
        self,
        chat_id: int,
        title: str | None,
        username: str | None,
        can_post: bool,
        now: dt.datetime,
    ) -> None:
        """Record a channel the bot was added to, promoted in or removed from.

        A channel where the bot can no longer post stops getting digests until an admin
        configures it again.
        """
        with self._transaction() as db:
            if not db.execute("SELECT 1 FROM chats WHERE chat_id = ?", (chat_id,)).fetchone():
                db.execute(
                    "INSERT INTO chats (chat_id, chat_type, active, created_at, updated_at)"
                    " VALUES (?, 'channel', 0, ?, ?)",
                    (chat_id, _iso(now), _iso(now)),
                )
            db.execute(
                "UPDATE chats SET chat_type = 'channel', chat_title = ?, username = ?,"
                " can_post = ?, updated_at = ? WHERE chat_id = ?",
                (title, username, int(can_post), _iso(now), chat_id),
            )
            if not can_post:
                db.execute(
                    "UPDATE chats SET active = 0, inactive_reason = ? WHERE chat_id = ?",
                    ("the bot cannot post there", chat_id),
                )
        self._known_active.discard(chat_id)

    def configure_channel(
        self,
        chat_id: int,
        title: str | None,
        username: str | None,
        configured_by: int,
        now: dt.datetime,
    ) -> None:
        """An admin of the channel (checked) set it up from a private chat: it is active."""
        self.remember_channel(chat_id, title, username, True, now)
        self._update(chat_id, now, configured_by=configured_by, active=1, inactive_reason=None)

    def channels_configured_by(self, user_id: int) -> list[ChannelRecord]:
        """The channels this user set up, by title."""
        rows = self._db.execute(
            f"SELECT {CHANNEL_COLUMNS} FROM chats WHERE chat_type = 'channel'"
            " AND configured_by = ? ORDER BY chat_title, chat_id",
            (user_id,),
        ).fetchall()
        return [_channel(row) for row in rows]

    # -- replicas --------------------------------------------------------------------------

    def heartbeat(self, replica: ReplicaRecord) -> None:
        """Register a replica or refresh its heartbeat and role."""
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO replicas"
                " (replica_id, host, pid, port, started_at, heartbeat_at, role)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    replica.replica_id,
                    replica.host,
                    replica.pid,
                    replica.port,
                    _iso(replica.started_at),
                    _iso(replica.heartbeat_at),
                    replica.role,
                ),
            )

    def replicas(self, now: dt.datetime, live_seconds: float = LIVE_SECONDS) -> list[ReplicaRecord]:
        """The replicas whose heartbeat is recent, oldest first."""
        since = _iso(now - dt.timedelta(seconds=live_seconds))
        rows = self._db.execute(
            "SELECT replica_id, host, pid, port, started_at, heartbeat_at, role FROM replicas"
            " WHERE heartbeat_at >= ? ORDER BY started_at, replica_id",
            (since,),
        ).fetchall()
        return [
            ReplicaRecord(
                str(rid),
                str(host),
                int(pid),
                None if port is None else int(port),
                dt.datetime.fromisoformat(str(started)),
                dt.datetime.fromisoformat(str(beat)),
                str(role),
            )
            for rid, host, pid, port, started, beat, role in rows
        ]

    def remove_replica(self, replica_id: str) -> None:
        """Forget a replica that stopped cleanly."""
        with self._transaction() as db:
            db.execute("DELETE FROM replicas WHERE replica_id = ?", (replica_id,))

    # -- moving state between stores -------------------------------------------------------

    def export_state(self) -> StateDump:
        """Everything worth keeping, for `briefbot export-state`."""
        dump = StateDump()
        for table, fields, rows in (
            ("chats", CHAT_FIELDS, dump.chats),
            ("chat_topics", TOPIC_FIELDS, dump.topics),
            ("deliveries", DELIVERY_FIELDS, dump.deliveries),
            ("drafts", DRAFT_FIELDS, dump.drafts),
        ):
            for row in self._db.execute(
                f"SELECT {', '.join(fields)} FROM {table} ORDER BY {fields[0]}, {fields[1]}"
            ):
                record: dict[str, Any] = dict(zip(fields, row, strict=True))
                for flag in CHAT_FLAGS:
                    if flag in record:
                        record[flag] = bool(record[flag])
                rows.append(record)
        return dump

    def import_state(self, dump: StateDump) -> None:
        """Replace chats, topics, deliveries and drafts with a dump's (one transaction)."""
        self._known_active.clear()
        with self._transaction() as db:
            for table, fields, rows in (
                ("chats", CHAT_FIELDS, [{**CHAT_DEFAULTS, **chat} for chat in dump.chats]),
                ("chat_topics", TOPIC_FIELDS, dump.topics),
                ("deliveries", DELIVERY_FIELDS, dump.deliveries),
                ("drafts", DRAFT_FIELDS, dump.drafts),
            ):
                db.execute(f"DELETE FROM {table}")
                marks = ", ".join("?" for _ in fields)
                db.executemany(
                    f"INSERT INTO {table} ({', '.join(fields)}) VALUES ({marks})",
                    [tuple(row.get(name) for name in fields) for row in rows],
                )
