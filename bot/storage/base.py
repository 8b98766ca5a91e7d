"""What every state store offers: the `Store` protocol, its records and its errors.

Two stores implement it: `bot.storage.sqlite` (one process, one file; the default) and
`bot.storage.postgres` (any number of replicas on one server). The interface is synchronous:
every query is short, and keeping it so leaves the handlers and the digest runner unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

# A replica whose heartbeat is older than this is considered dead.
LIVE_SECONDS = 15.0


class StorageError(Exception):
    """The state database cannot be used; the message names the path and the problem."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class StorageUnavailable(StorageError):
    """The database went away while the bot was running; the call did nothing."""


@dataclass(frozen=True)
class ChatRecord:
    """What the bot remembers about one chat."""

    chat_id: int
    chat_type: str
    timezone: str | None
    subscribed: bool
    daily_at: str | None
    active: bool
    inactive_reason: str | None
    next_due: dt.datetime | None
    current_briefing: str | None


@dataclass(frozen=True)
class StoreStats:
    """Counts for the admins' `/stats`."""

    chats: int
    subscribers: int
    active_subscribers: int
    deliveries_since: int


@dataclass(frozen=True)
class PendingDraft:
    """A draft briefing an admin has been shown but not yet published or discarded."""

    key: str
    admin_id: int
    chat_id: int
    file_name: str  # `<id>.yaml`, or the name of the edited file the admin sent
    yaml: str
    created_at: dt.datetime


@dataclass(frozen=True)
class ChannelRecord:
    """A channel the bot was added to, and who set its digest up."""

    chat_id: int
    title: str | None
    username: str | None
    configured_by: int | None
    can_post: bool
    active: bool
    subscribed: bool

    @property
    def name(self) -> str:
        """How to call the channel in a message: @username, else its title, else its id."""
        if self.username:
            return f"@{self.username}"
        return self.title or str(self.chat_id)


@dataclass(frozen=True)
class ReplicaRecord:
    """One `briefbot run` process sharing the database, as it last reported itself."""

    replica_id: str
    host: str
    pid: int
    port: int | None
    started_at: dt.datetime
    heartbeat_at: dt.datetime
    role: str


@dataclass
class StateDump:
    """Everything a store holds, as plain values: chats, topics, deliveries, pending drafts.

    Times are ISO 8601 strings in UTC, so a dump is JSON as it is.
    """

    chats: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    drafts: list[dict[str, Any]] = field(default_factory=list)
    topics: list[dict[str, Any]] = field(default_factory=list)


# The columns a `ChatRecord` and a `ChannelRecord` are read from, in the order their fields take.
CHAT_COLUMNS = (
    "chat_id, chat_type, timezone, subscribed, daily_at, active, inactive_reason, next_due, "
    "current_briefing"
)
CHANNEL_COLUMNS = "chat_id, chat_title, username, configured_by, can_post, active, subscribed"

# The chat columns a dump carries, in order.
CHAT_FIELDS = (
    "chat_id", "chat_type", "timezone", "subscribed", "daily_at", "active", "inactive_reason",
    "next_due", "current_briefing", "created_at", "updated_at", "language",
    "chat_title", "username", "configured_by", "can_post",
)  # fmt: skip
# What a dump from before a column existed lacks, for columns that must hold a value.
CHAT_DEFAULTS: dict[str, Any] = {"can_post": False}
# Flags among them, stored as 0/1 in SQLite and as BOOLEAN in PostgreSQL.
CHAT_FLAGS = ("subscribed", "active", "can_post")
TOPIC_FIELDS = ("chat_id", "position", "topic")
DELIVERY_FIELDS = ("chat_id", "briefing_id", "delivered_at")
DRAFT_FIELDS = ("draft_key", "admin_id", "chat_id", "file_name", "yaml", "created_at")


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "postgresql://(unreadable URL)"
    user = f"{parts.username}@" if parts.username else ""
    if ":" in host:
        host = f"[{host}]"
    return urlunsplit((parts.scheme, f"{user}{host}{port}", parts.path, "", ""))


def iso(moment: dt.datetime) -> str:
    """A moment as the ISO text both stores and dumps use (UTC, whole seconds)."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def parse_iso(text: str | None) -> dt.datetime | None:
    """The inverse of `iso`; None stays None."""
    return dt.datetime.fromisoformat(text) if text else None


class Store(Protocol):
    """Chats, subscriptions, the delivery ledger, pending drafts and the live replicas."""

    @property
    def location(self) -> str:
        """Where the state lives, safe to print (no password)."""
        ...

    def close(self) -> None:
        """Release the database."""
        ...

    def chat(self, chat_id: int) -> ChatRecord | None:
        """The record of a chat, if the bot has seen it."""
        ...

    def touch_chat(self, chat_id: int, chat_type: str, now: dt.datetime) -> bool:
        """Remember a chat that talked to the bot; reactivate it. True if it was inactive."""
        ...

    def subscribe(
        self, chat_id: int, daily_at: str | None, next_due: dt.datetime, now: dt.datetime
    ) -> None:
        """Subscribe a chat: daily at HH:MM, or on the default schedule when None."""
        ...

    def unsubscribe(self, chat_id: int, now: dt.datetime) -> None:
        """Stop digests for a chat (its delivery history stays)."""
        ...

    def set_timezone(
        self, chat_id: int, timezone: str, next_due: dt.datetime | None, now: dt.datetime
    ) -> None:
        """Set a chat's time zone and, if subscribed, its recomputed next digest."""
        ...

    def chat_language(self, chat_id: int) -> str | None:
        """The language a chat chose with /language, if any."""
        ...

    def set_language(self, chat_id: int, language: str | None, now: dt.datetime) -> None:
        """Remember a chat's language (None: follow each user's Telegram language)."""
        ...

    def set_current_briefing(self, chat_id: int, briefing_id: str, now: dt.datetime) -> None:
        """Remember the briefing a chat chose last."""
        ...

    def set_next_due(self, chat_id: int, next_due: dt.datetime, now: dt.datetime) -> None:
        """Move a chat's next digest, releasing any claim on it."""
        ...

    def deactivate(self, chat_id: int, reason: str, now: dt.datetime) -> None:
        """Stop trying a chat that blocked the bot or is gone, until it talks to the bot again."""
        ...

    def migrate_chat(self, old_id: int, new_id: int, now: dt.datetime) -> None:
        """Move everything about a group to its new supergroup id."""
        ...

    def due_chats(self, now: dt.datetime) -> list[ChatRecord]:
        """Active subscribed chats whose next digest is due at `now`, most overdue first."""
        ...

    def claim_due(
        self, now: dt.datetime, replica: str, lease_seconds: float, limit: int
    ) -> list[ChatRecord]:
        """Claim up to `limit` due chats nobody holds (or whose lease ran out) for `replica`."""
        ...

    def claim_chat(
        self, chat_id: int, now: dt.datetime, replica: str, lease_seconds: float
    ) -> bool:
        """Claim one chat (due or not) for `replica`; False while another replica holds it."""
        ...

    def release_chat(self, chat_id: int, replica: str) -> None:
        """Give up `replica`'s claim on a chat without moving its next digest."""
        ...

    def next_due_time(self) -> dt.datetime | None:
        """The earliest next digest of any active subscribed chat."""
        ...

    def subscribed_chats(self) -> list[ChatRecord]:
        """Every subscribed chat, active or not."""
        ...

    def delivered_ids(self, chat_id: int) -> set[str]:
        """Ids of the briefings this chat has received in a digest."""
        ...

    def record_deliveries(
        self, chat_id: int, briefing_ids: Iterable[str], now: dt.datetime
    ) -> None:
        """Record that Telegram accepted a digest holding these briefings for this chat."""
        ...

    def stats(self, since: dt.datetime) -> StoreStats:
        """How many chats, subscribers and deliveries since `since`."""
        ...

    def save_draft(self, draft: PendingDraft, *, keep_since: dt.datetime | None = None) -> None:
        """Keep a pending draft (replacing one with the same key); drop any before `keep_since`."""
        ...

    def draft(self, key: str) -> PendingDraft | None:
        """The pending draft with this key, if it is still pending."""
        ...

    def delete_draft(self, key: str) -> bool:
        """Forget a pending draft; False if there was none with this key."""
        ...

    def heartbeat(self, replica: ReplicaRecord) -> None:
        """Register a replica or refresh its heartbeat and role."""
        ...

    def replicas(self, now: dt.datetime, live_seconds: float = LIVE_SECONDS) -> list[ReplicaRecord]:
        """The replicas whose heartbeat is recent, oldest first."""
        ...

    def remove_replica(self, replica_id: str) -> None:
        """Forget a replica that stopped cleanly."""
        ...

    # -- topics and channels --

    def topics(self, chat_id: int) -> list[str]:
        """The topics a chat follows, in the order it added them."""
        ...

    def set_topics(self, chat_id: int, topics: Iterable[str]) -> None:
        """Replace the topics a chat follows (none: it gets every new briefing)."""
        ...

    def channel(self, chat_id: int) -> ChannelRecord | None:
        """What the bot knows of a channel, if it is one the bot has seen."""
        ...

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
        ...

    def configure_channel(
        self,
        chat_id: int,
        title: str | None,
        username: str | None,
        configured_by: int,
        now: dt.datetime,
    ) -> None:
        """An admin of the channel (checked) set it up from a private chat: it is active."""
        ...

    def channels_configured_by(self, user_id: int) -> list[ChannelRecord]:
        """The channels this user set up, by title."""
        ...

    def export_state(self) -> StateDump:
        """Everything worth keeping, for `briefbot export-state`."""
        ...

    def import_state(self, dump: StateDump) -> None:
        """Replace chats, topics, deliveries and drafts with a dump's (one transaction)."""
        ...
