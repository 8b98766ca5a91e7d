"""The PostgreSQL store: the same state as the SQLite store, shared by any number of replicas.

Needs the ``postgres`` extra (psycopg 3 and psycopg_pool). Queries go through a small sync
connection pool; each is short, so the bot's handlers call the store as they call SQLite.
Migrations run at start-up in one transaction under a transaction-scoped advisory lock, so
replicas starting together migrate once. Due chats are claimed with ``FOR UPDATE SKIP LOCKED``
and a lease, so each digest goes out from exactly one replica, and a dead replica's chats are
claimable again once its lease runs out.

When the server goes away while the bot runs, calls raise `StorageUnavailable` at once (the
first failure is logged once) and one call every few seconds tries again, so a dead database
never stalls the event loop for long.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool, PoolTimeout

from bot.storage.base import (
    CHANNEL_COLUMNS,
    CHAT_COLUMNS,
    CHAT_DEFAULTS,
    CHAT_FIELDS,
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
    StorageUnavailable,
    StoreStats,
    iso,
    safe_url,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE chats (
        chat_id          BIGINT      PRIMARY KEY,
        chat_type        TEXT        NOT NULL DEFAULT 'private',
        timezone         TEXT,
        subscribed       BOOLEAN     NOT NULL DEFAULT false,
        daily_at         TEXT,
        active           BOOLEAN     NOT NULL DEFAULT true,
        inactive_reason  TEXT,
        next_due         TIMESTAMPTZ,
        current_briefing TEXT,
        created_at       TIMESTAMPTZ NOT NULL,
        updated_at       TIMESTAMPTZ NOT NULL,
        claimed_by       TEXT,
        claimed_until    TIMESTAMPTZ
    );
    CREATE INDEX chats_due ON chats (next_due) WHERE subscribed AND active;
    CREATE TABLE deliveries (
        chat_id      BIGINT      NOT NULL,
        briefing_id  TEXT        NOT NULL,
        delivered_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (chat_id, briefing_id)
    );
    CREATE INDEX deliveries_at ON deliveries (delivered_at);
    CREATE TABLE drafts (
        draft_key  TEXT        PRIMARY KEY,
        admin_id   BIGINT      NOT NULL,
        chat_id    BIGINT      NOT NULL,
        file_name  TEXT        NOT NULL,
        yaml       TEXT        NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX drafts_created ON drafts (created_at);
    CREATE TABLE replicas (
        replica_id   TEXT        PRIMARY KEY,
        host         TEXT        NOT NULL,
        pid          INTEGER     NOT NULL,
        port         INTEGER,
        started_at   TIMESTAMPTZ NOT NULL,
        heartbeat_at TIMESTAMPTZ NOT NULL,
        role         TEXT        NOT NULL
    );
    """,
    # The chat's chosen language (`/language`); NULL: the user's Telegram language.
    """
    ALTER TABLE chats ADD COLUMN language TEXT
    """,
    # Topics a chat follows, and what the bot knows of channels it posts in.
    """
    CREATE TABLE chat_topics (
        chat_id  BIGINT  NOT NULL,
        position INTEGER NOT NULL,
        topic    TEXT    NOT NULL,
        PRIMARY KEY (chat_id, position)
    );
    ALTER TABLE chats ADD COLUMN chat_title TEXT;
    ALTER TABLE chats ADD COLUMN username TEXT;
    ALTER TABLE chats ADD COLUMN configured_by BIGINT;
    ALTER TABLE chats ADD COLUMN can_post BOOLEAN NOT NULL DEFAULT false;
    CREATE INDEX chats_configured_by ON chats (configured_by);
    """,
)

SCHEMA_VERSION = len(_MIGRATIONS)
# Any constant both old and new replicas agree on; "briefbot" in ASCII.
_MIGRATION_LOCK = 0x6272696566626F74
# While the database is down, try it again at most this often.
RETRY_SECONDS = 5.0
PROBE_SECONDS = 0.5
# How long a known active chat skips the write that `touch_chat` would do. Another replica
# may mark the chat gone meanwhile; this bounds how long a returning chat stays unnoticed here.
KNOWN_ACTIVE_SECONDS = 60.0


def _problem(exc: BaseException, url: str) -> str:
    """One line on why a connection failed, in words an operator acts on."""
    text = str(exc)
    lowered = text.lower()
    known = (
        ("connection refused", "cannot connect: connection refused"),
        ("password authentication failed", "cannot connect: password authentication failed"),
        ("no password supplied", "cannot connect: the server wants a password"),
        ("does not exist", ""),
        ("timeout expired", "cannot connect: timed out"),
        ("could not translate host name", "cannot connect: unknown host"),
        ("no such file or directory", "cannot connect: no server listens on that socket"),
    )
    for marker, problem in known:
        if marker in lowered:
            if problem:
                return problem
            break
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), type(exc).__name__)
    line = line.split("failed: ")[-1]
    password = urlsplit(url).password if "://" in url else None
    return f"cannot connect: {line.replace(password, '***') if password else line}"


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def _chat(row: tuple[Any, ...]) -> ChatRecord:
    cid, ctype, tz, sub, daily, active, reason, due, current = row
    return ChatRecord(
        chat_id=int(cid),
        chat_type=str(ctype),
        timezone=tz,
        subscribed=bool(sub),
        daily_at=daily,
        active=bool(active),
        inactive_reason=reason,
        next_due=due.astimezone(dt.UTC) if due is not None else None,
        current_briefing=current,
    )


def _channel(row: tuple[Any, ...]) -> ChannelRecord:
    cid, title, username, by, can_post, active, subscribed = row
    return ChannelRecord(
        chat_id=int(cid),
        title=title,
        username=username,
        configured_by=None if by is None else int(by),
        can_post=bool(can_post),
        active=bool(active),
        subscribed=bool(subscribed),
    )


def _plain(value: Any) -> Any:
    return iso(value) if isinstance(value, dt.datetime) else value


class PostgresStore:
    """Chats, subscriptions, deliveries, drafts and replicas in a PostgreSQL database."""

    def __init__(
        self,
        url: str,
        *,
        connect_timeout: float = 5.0,
        pool_size: int = 4,
        retry_seconds: float | None = None,
    ) -> None:
        """Connect, migrate and open the pool; `StorageError` if the server cannot be used.

        `retry_seconds` (default `RETRY_SECONDS`) is how often a call tries a database that is
        down; the others meanwhile fail at once.
        """
        self._url = url
        self._retry_seconds = retry_seconds
        self._safe = safe_url(url)
        options: dict[str, Any] = {
            "connect_timeout": max(1, round(connect_timeout)),
            "options": "-c TimeZone=UTC",
        }
        try:
            with psycopg.connect(url, autocommit=True, **options) as conn:
                self._migrate(conn)
        except psycopg.Error as exc:
            raise StorageError(self._safe, _problem(exc, url)) from None
        # The pool warns at every failed reconnection; `_call` reports an outage once instead.
        logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
        self._pool: ConnectionPool[psycopg.Connection[tuple[Any, ...]]] = ConnectionPool(
            url,
            kwargs={"autocommit": True, **options},
            min_size=1,
            max_size=pool_size,
            timeout=connect_timeout,
            reconnect_timeout=0,  # never give up on the server; `_call` reports the outage
            open=False,
            name="briefbot",
        )
        try:
            self._pool.open(wait=True, timeout=connect_timeout)
        except PoolTimeout:
            self._pool.close()
            raise StorageError(self._safe, "cannot connect: timed out") from None
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._last_try = 0.0
        self._known_active: dict[int, float] = {}

    @property
    def location(self) -> str:
        """The server and database, without the password."""
        return self._safe

    def close(self) -> None:
        """Close every connection."""
        self._pool.close()

    # -- plumbing ----------------------------------------------------------------------------

    def _migrate(self, conn: psycopg.Connection[tuple[Any, ...]]) -> None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS briefbot_schema (version INTEGER NOT NULL)")
            row = conn.execute("SELECT max(version) FROM briefbot_schema").fetchone()
            version = int(row[0]) if row and row[0] is not None else 0
            if version > SCHEMA_VERSION:
                raise StorageError(
                    self._safe,
                    f"schema version {version} is newer than this briefbot's ({SCHEMA_VERSION});"
                    " upgrade briefbot",
                )
            for number, script in enumerate(_MIGRATIONS[version:], start=version + 1):
                conn.execute(script.encode())
                conn.execute("INSERT INTO briefbot_schema (version) VALUES (%s)", (number,))
                log.info("database %s migrated to schema version %d", self._safe, number)

    @property
    def available(self) -> bool:
        """False from a failed call until a call succeeds again."""
        return self._down_since is None

    def _call(self, work: Callable[[psycopg.Connection[tuple[Any, ...]]], T]) -> T:
        with self._lock:
            down = self._down_since is not None
            retry = RETRY_SECONDS if self._retry_seconds is None else self._retry_seconds
            if down and time.monotonic() - self._last_try < retry:
                raise StorageUnavailable(self._safe, "database unavailable")
            self._last_try = time.monotonic()
        try:
            with (
                # While down, a call blocks the event loop at most this long to try again.
                self._pool.connection(timeout=PROBE_SECONDS if down else None) as conn,
                conn.transaction(),
            ):
                result = work(conn)
        except (psycopg.OperationalError, PoolTimeout) as exc:
            with self._lock:
                if self._down_since is None:
                    self._down_since = time.monotonic()
                    log.warning(
                        "database %s unavailable (%s); digests paused",
                        self._safe,
                        _problem(exc, self._url).removeprefix("cannot connect: "),
                    )
            raise StorageUnavailable(self._safe, "database unavailable") from None
        if down:
            with self._lock:
                if self._down_since is not None:
                    log.warning(
                        "database %s available again after %.0f s; digests resume",
                        self._safe,
                        time.monotonic() - self._down_since,
                    )
                    self._down_since = None
        return result

    @staticmethod
    def _ensure_chat(
        conn: psycopg.Connection[tuple[Any, ...]], chat_id: int, now: dt.datetime
    ) -> None:
        conn.execute(
            "INSERT INTO chats (chat_id, chat_type, created_at, updated_at)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (chat_id) DO NOTHING",
            (chat_id, "private" if chat_id > 0 else "group", _utc(now), _utc(now)),
        )

    def _update(self, chat_id: int, now: dt.datetime, **values: object) -> None:
        assignments = sql.SQL(", ").join(
            sql.SQL("{} = %s").format(sql.Identifier(name)) for name in values
        )
        query = sql.SQL("UPDATE chats SET {}, updated_at = %s WHERE chat_id = %s").format(
            assignments
        )

        def work(conn: psycopg.Connection[tuple[Any, ...]]) -> None:
            self._ensure_chat(conn, chat_id, now)
            conn.execute(query, (*values.values(), _utc(now), chat_id))

        self._call(work)

    # -- chats -------------------------------------------------------------------------------

    def chat(self, chat_id: int) -> ChatRecord | None:
        """The record of a chat, if the bot has seen it."""
        row = self._call(
            lambda c: c.execute(
                f"SELECT {CHAT_COLUMNS} FROM chats WHERE chat_id = %s", (chat_id,)
            ).fetchone()
        )
        return _chat(row) if row else None

    def touch_chat(self, chat_id: int, chat_type: str, now: dt.datetime) -> bool:
        """Remember a chat that talked to the bot; reactivate it. True if it was inactive."""
        seen = self._known_active.get(chat_id)
        if seen is not None and time.monotonic() - seen < KNOWN_ACTIVE_SECONDS:
            return False

        def work(conn: psycopg.Connection[tuple[Any, ...]]) -> bool:
            conn.execute(
                "INSERT INTO chats (chat_id, chat_type, created_at, updated_at)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (chat_id) DO NOTHING",
                (chat_id, chat_type, _utc(now), _utc(now)),
            )
            woke = conn.execute(
                "UPDATE chats SET active = true, inactive_reason = NULL, chat_type = %s,"
                " updated_at = %s WHERE chat_id = %s AND NOT active",
                (chat_type, _utc(now), chat_id),
            )
            return bool(woke.rowcount > 0)

        woke = self._call(work)
        self._known_active[chat_id] = time.monotonic()
        return woke

    def subscribe(
        self, chat_id: int, daily_at: str | None, next_due: dt.datetime, now: dt.datetime
    ) -> None:
        """Subscribe a chat: daily at HH:MM, or on the default schedule when None."""
        self._update(
            chat_id, now, subscribed=True, daily_at=daily_at, next_due=_utc(next_due), active=True
        )

    def unsubscribe(self, chat_id: int, now: dt.datetime) -> None:
        """Stop digests for a chat (its delivery history stays)."""
        self._update(chat_id, now, subscribed=False, next_due=None)

    def set_timezone(
        self, chat_id: int, timezone: str, next_due: dt.datetime | None, now: dt.datetime
    ) -> None:
        """Set a chat's time zone and, if subscribed, its recomputed next digest."""
        if next_due is None:
            self._update(chat_id, now, timezone=timezone)
        else:
            self._update(chat_id, now, timezone=timezone, next_due=_utc(next_due))

    def chat_language(self, chat_id: int) -> str | None:
        """The language a chat chose with /language, if any."""
        row = self._call(
            lambda c: c.execute(
                "SELECT language FROM chats WHERE chat_id = %s", (chat_id,)
            ).fetchone()
        )
        return row[0] if row and isinstance(row[0], str) else None

    def set_language(self, chat_id: int, language: str | None, now: dt.datetime) -> None:
        """Remember a chat's language (None: follow each user's Telegram language)."""
        self._update(chat_id, now, language=language)

    def set_current_briefing(self, chat_id: int, briefing_id: str, now: dt.datetime) -> None:
        """Remember the briefing a chat chose last."""
        self._update(chat_id, now, current_briefing=briefing_id)

    def set_next_due(self, chat_id: int, next_due: dt.datetime, now: dt.datetime) -> None:
        """Move a chat's next digest, releasing any claim on it."""
        self._update(chat_id, now, next_due=_utc(next_due), claimed_by=None, claimed_until=None)

    def deactivate(self, chat_id: int, reason: str, now: dt.datetime) -> None:
        """Stop trying a chat that blocked the bot or is gone, until it talks to the bot again."""
        self._known_active.pop(chat_id, None)
        self._update(chat_id, now, active=False, inactive_reason=reason)

    def migrate_chat(self, old_id: int, new_id: int, now: dt.datetime) -> None:
        """Move everything about a group to its new supergroup id."""
        self._known_active.pop(old_id, None)

        def work(conn: psycopg.Connection[tuple[Any, ...]]) -> None:
            # Only a known old chat replaces the new id's record; else the new one stays as is.
            if conn.execute("SELECT 1 FROM chats WHERE chat_id = %s", (old_id,)).fetchone():
                conn.execute("DELETE FROM chats WHERE chat_id = %s", (new_id,))
            conn.execute(
                "UPDATE chats SET chat_id = %s, chat_type = 'supergroup', updated_at = %s"
                " WHERE chat_id = %s",
                (new_id, _utc(now), old_id),
            )
            conn.execute(
                "INSERT INTO deliveries (chat_id, briefing_id, delivered_at)"
                " SELECT %s, briefing_id, delivered_at FROM deliveries WHERE chat_id = %s"
                " ON CONFLICT DO NOTHING",
                (new_id, old_id),
            )
            conn.execute("DELETE FROM deliveries WHERE chat_id = %s", (old_id,))
            # The group's topics win over any the new id had.
            if conn.execute(
                "SELECT 1 FROM chat_topics WHERE chat_id = %s LIMIT 1", (old_id,)
            ).fetchone():
                conn.execute("DELETE FROM chat_topics WHERE chat_id = %s", (new_id,))
                conn.execute(
                    "UPDATE chat_topics SET chat_id = %s WHERE chat_id = %s", (new_id, old_id)
                )

        self._call(work)

    def due_chats(self, now: dt.datetime) -> list[ChatRecord]:
        """Active subscribed chats whose next digest is due at `now`, most overdue first."""
        rows = self._call(
            lambda c: c.execute(
                f"SELECT {CHAT_COLUMNS} FROM chats WHERE subscribed AND active"
                " AND next_due <= %s ORDER BY next_due, chat_id",
                (_utc(now),),
            ).fetchall()
        )
        return [_chat(row) for row in rows]

    def claim_due(
        self, now: dt.datetime, replica: str, lease_seconds: float, limit: int
    ) -> list[ChatRecord]:
        """Claim up to `limit` due chats nobody holds (or whose lease ran out) for `replica`."""
        until = now + dt.timedelta(seconds=lease_seconds)
        rows = self._call(
            lambda c: c.execute(
                "WITH due AS (SELECT chat_id FROM chats WHERE subscribed AND active"
                " AND next_due <= %(now)s"
                " AND (claimed_until IS NULL OR claimed_until < %(now)s)"
                " ORDER BY next_due, chat_id LIMIT %(limit)s FOR UPDATE SKIP LOCKED)"
                " UPDATE chats SET claimed_by = %(replica)s, claimed_until = %(until)s"
                " FROM due WHERE chats.chat_id = due.chat_id RETURNING "
                + ", ".join(f"chats.{name.strip()}" for name in CHAT_COLUMNS.split(",")),
                {"now": _utc(now), "limit": limit, "replica": replica, "until": until},
            ).fetchall()
        )
        chats = [_chat(row) for row in rows]
        return sorted(chats, key=lambda chat: (chat.next_due or now, chat.chat_id))

    def claim_chat(
        self, chat_id: int, now: dt.datetime, replica: str, lease_seconds: float
    ) -> bool:
        """Claim one chat (due or not) for `replica`; False while another replica holds it."""

        def work(conn: psycopg.Connection[tuple[Any, ...]]) -> bool:
            row = conn.execute(
                "SELECT claimed_by, claimed_until FROM chats WHERE chat_id = %s FOR UPDATE",
                (chat_id,),
            ).fetchone()
            if row is None:
                return True
            holder, until = row
            if holder not in (None, replica) and until is not None and until >= _utc(now):
                return False
            conn.execute(
                "UPDATE chats SET claimed_by = %s, claimed_until = %s WHERE chat_id = %s",
                (replica, now + dt.timedelta(seconds=lease_seconds), chat_id),
            )
            return True

        return self._call(work)

    def release_chat(self, chat_id: int, replica: str) -> None:
        """Give up `replica`'s claim on a chat without moving its next digest."""
        self._call(
            lambda c: c.execute(
                "UPDATE chats SET claimed_by = NULL, claimed_until = NULL"
                " WHERE chat_id = %s AND claimed_by = %s",
                (chat_id, replica),
            )
        )

    def next_due_time(self) -> dt.datetime | None:
        """The earliest next digest of any active subscribed chat."""
        row = self._call(
            lambda c: c.execute(
                "SELECT min(next_due) FROM chats WHERE subscribed AND active"
            ).fetchone()
        )
        return row[0].astimezone(dt.UTC) if row and row[0] is not None else None

    def subscribed_chats(self) -> list[ChatRecord]:
        """Every subscribed chat, active or not."""
        rows = self._call(
            lambda c: c.execute(
                f"SELECT {CHAT_COLUMNS} FROM chats WHERE subscribed ORDER BY chat_id"
            ).fetchall()
        )
        return [_chat(row) for row in rows]

    # -- deliveries --------------------------------------------------------------------------

    def delivered_ids(self, chat_id: int) -> set[str]:
        """Ids of the briefings this chat has received in a digest."""
        rows = self._call(
            lambda c: c.execute(
                "SELECT briefing_id FROM deliveries WHERE chat_id = %s", (chat_id,)
            ).fetchall()
        )
        return {str(row[0]) for row in rows}

    def record_deliveries(
        self, chat_id: int, briefing_ids: Iterable[str], now: dt.datetime
    ) -> None:
        """Record that Telegram accepted a digest holding these briefings for this chat."""
        rows = [(chat_id, bid, _utc(now)) for bid in briefing_ids]

        def work(conn: psycopg.Connection[tuple[Any, ...]]) -> None:
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO deliveries (chat_id, briefing_id, delivered_at)"
                    " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                    rows,
                )

        self._call(work)

    def stats(self, since: dt.datetime) -> StoreStats:
        """How many chats, subscribers and deliveries since `since`."""

        def work(conn: psycopg.Connection[tuple[Any, ...]]) -> StoreStats:
            row = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE subscribed),"
                " count(*) FILTER (WHERE subscribed AND active) FROM chats"
            ).fetchone()
            delivered = conn.execute(
                "SELECT count(*) FROM deliveries WHERE delivered_at >= %s", (_utc(since),)
            ).fetchone()
            assert row is not None and delivered is not None
            return StoreStats(int(row[0]), int(row[1]), int(row[2]), int(delivered[0]))

        return self._call(work)

    # -- pending drafts ----------------------------------------------------------------------

    def save_draft(self, draft: PendingDraft, *, keep_since: dt.datetime | None = None) -> None:
        """Keep a pending draft (replacing one with the same key); drop any before `keep_since`."""

        def work(conn: psycopg.Connection[tuple[Any, ...]]) -> None:
            if keep_since is not None:
                conn.execute("DELETE FROM drafts WHERE created_at < %s", (_utc(keep_since),))
            conn.execute(
                "INSERT INTO drafts (draft_key, admin_id, chat_id, file_name, yaml, created_at)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (draft_key) DO UPDATE SET"
                " admin_id = EXCLUDED.admin_id, chat_id = EXCLUDED.chat_id,"
                " file_name = EXCLUDED.file_name, yaml = EXCLUDED.yaml,"
                " created_at = EXCLUDED.created_at",
                (
                    draft.key,
                    draft.admin_id,
                    draft.chat_id,
                    draft.file_name,
                    draft.yaml,
                    _utc(draft.created_at),
                ),
            )

        self._call(work)

    def draft(self, key: str) -> PendingDraft | None:
        """The pending draft with this key, if it is still pending."""
        row = self._call(
            lambda c: c.execute(
                "SELECT draft_key, admin_id, chat_id, file_name, yaml, created_at FROM drafts"
                " WHERE draft_key = %s",
                (key,),
            ).fetchone()
        )
        if row is None:
            return None
        key, admin_id, chat_id, file_name, text, created = row
        return PendingDraft(
            str(key),
            int(admin_id),
            int(chat_id),
            str(file_name),
            str(text),
            created.astimezone(dt.UTC),
        )

    def delete_draft(self, key: str) -> bool:
        """Forget a pending draft; False if there was none with this key."""
        return self._call(
            lambda c: bool(c.execute("DELETE FROM drafts WHERE draft_key = %s", (key,)).rowcount)
        )

    # -- replicas ----------------------------------------------------------------------------

    def heartbeat(self, replica: ReplicaRecord) -> None:
        """Register a replica or refresh its heartbeat and role."""
        self._call(
            lambda c: c.execute(
                "INSERT INTO replicas (replica_id, host, pid, port, started_at, heartbeat_at, role)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (replica_id) DO UPDATE SET"
                " heartbeat_at = EXCLUDED.heartbeat_at, role = EXCLUDED.role,"
                " port = EXCLUDED.port",
                (
                    replica.replica_id,
                    replica.host,
                    replica.pid,
                    replica.port,
                    replica.started_at,
                    replica.heartbeat_at,
                    replica.role,
                ),
            )
        )

    def replicas(self, now: dt.datetime, live_seconds: float = LIVE_SECONDS) -> list[ReplicaRecord]:
        """The replicas whose heartbeat is recent, oldest first."""
        rows = self._call(
            lambda c: c.execute(
                "SELECT replica_id, host, pid, port, started_at, heartbeat_at, role"
                " FROM replicas WHERE heartbeat_at >= %s ORDER BY started_at, replica_id",
                (now - dt.timedelta(seconds=live_seconds),),
            ).fetchall()
        )
        return [
            ReplicaRecord(
                str(rid),
                str(host),
                int(pid),
                port,
                started.astimezone(dt.UTC),
                beat.astimezone(dt.UTC),
                str(role),
            )
            for rid, host, pid, port, started, beat, role in rows
        ]

    def remove_replica(self, replica_id: str) -> None:
        """Forget a replica that stopped cleanly."""
        self._call(lambda c: c.execute("DELETE FROM replicas WHERE replica_id = %s", (replica_id,)))

    # -- topics and channels -----------------------------------------------------------------

    def topics(self, chat_id: int) -> list[str]:
        """The topics a chat follows, in the order it added them."""
        rows = self._call(
            lambda c: c.execute(
                "SELECT topic FROM chat_topics WHERE chat_id = %s ORDER BY position", (chat_id,)
            ).fetchall()
        )
        return [str(row[0]) for row in rows]

    def set_topics(self, chat_id: int, topics: Iterable[str]) -> None:
        """Replace the topics a chat follows (none: it gets every new briefing)."""
        rows = [(chat_id, i, topic) for i, topic in enumerate(topics)]

        def work(conn: psycopg.Connection[tuple[Any, ...]]) -> None:
            conn.execute("DELETE FROM chat_topics WHERE chat_id = %s", (chat_id,))
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO chat_topics (chat_id, position, topic) VALUES (%s, %s, %s)", rows
                )

        self._call(work)

    def channel(self, chat_id: int) -> ChannelRecord | None:
        """What the bot knows of a channel, if it is one the bot has seen."""
        row = self._call(
            lambda c: c.execute(
                f"SELECT {CHANNEL_COLUMNS} FROM chats WHERE chat_id = %s AND chat_type = 'channel'",
                (chat_id,),
            ).fetchone()
        )
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

        def work(conn: psycopg.Connection[tuple[Any, ...]]) -> None:
            conn.execute(
                "INSERT INTO chats (chat_id, chat_type, active, created_at, updated_at)"
                " VALUES (%s, 'channel', false, %s, %s) ON CONFLICT (chat_id) DO NOTHING",
                (chat_id, _utc(now), _utc(now)),
            )
            conn.execute(
                "UPDATE chats SET chat_type = 'channel', chat_title = %s, username = %s,"
                " can_post = %s, updated_at = %s WHERE chat_id = %s",
                (title, username, can_post, _utc(now), chat_id),
            )
            if not can_post:
                conn.execute(
                    "UPDATE chats SET active = false, inactive_reason = %s WHERE chat_id = %s",
                    ("the bot cannot post there", chat_id),
                )

        self._call(work)
        self._known_active.pop(chat_id, None)

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
        self._update(chat_id, now, configured_by=configured_by, active=True, inactive_reason=None)

    def channels_configured_by(self, user_id: int) -> list[ChannelRecord]:
        """The channels this user set up, by title."""
        rows = self._call(
            lambda c: c.execute(
                f"SELECT {CHANNEL_COLUMNS} FROM chats WHERE chat_type = 'channel'"
                " AND configured_by = %s ORDER BY chat_title, chat_id",
                (user_id,),
            ).fetchall()
        )
        return [_channel(row) for row in rows]

    # -- moving state between stores ---------------------------------------------------------

    def export_state(self) -> StateDump:
        """Everything worth keeping, for `briefbot export-state`."""
        dump = StateDump()

        def work(conn: psycopg.Connection[tuple[Any, ...]]) -> None:
            for table, fields, rows in (
                ("chats", CHAT_FIELDS, dump.chats),
                ("chat_topics", TOPIC_FIELDS, dump.topics),
                ("deliveries", DELIVERY_FIELDS, dump.deliveries),
                ("drafts", DRAFT_FIELDS, dump.drafts),
            ):
                query = sql.SQL("SELECT {} FROM {} ORDER BY {}, {}").format(
                    sql.SQL(", ").join(map(sql.Identifier, fields)),
                    sql.Identifier(table),
                    sql.Identifier(fields[0]),
                    sql.Identifier(fields[1]),
                )
                for row in conn.execute(query):
                    rows.append({name: _plain(v) for name, v in zip(fields, row, strict=True)})

        self._call(work)
        return dump

    def import_state(self, dump: StateDump) -> None:
        """Replace chats, topics, deliveries and drafts with a dump's (one transaction)."""
        self._known_active.clear()

        def work(conn: psycopg.Connection[tuple[Any, ...]]) -> None:
            conn.execute("TRUNCATE chats, chat_topics, deliveries, drafts")
            for table, fields, rows in (
                ("chats", CHAT_FIELDS, [{**CHAT_DEFAULTS, **chat} for chat in dump.chats]),
                ("chat_topics", TOPIC_FIELDS, dump.topics),
                ("deliveries", DELIVERY_FIELDS, dump.deliveries),
                ("drafts", DRAFT_FIELDS, dump.drafts),
            ):
                query = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                    sql.Identifier(table),
                    sql.SQL(", ").join(map(sql.Identifier, fields)),
                    sql.SQL(", ").join(sql.Placeholder() for _ in fields),
                )
                with conn.cursor() as cur:
                    cur.executemany(
                        query, [tuple(row.get(name) for name in fields) for row in rows]
                    )

        self._call(work)


def schema_version(url: str) -> int:
    """The schema version of the database at `url` (0 if briefbot never migrated it)."""
    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("SELECT to_regclass('briefbot_schema')").fetchone()
        if not exists or exists[0] is None:
            return 0
        row = conn.execute("SELECT max(version) FROM briefbot_schema").fetchone()
        return int(row[0]) if row and row[0] is not None else 0
