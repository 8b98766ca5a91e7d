"""State that must survive restarts: chats, subscriptions, the delivery ledger, pending drafts.

`open_store` picks the backend from the configuration: PostgreSQL when a database URL is set
(``BRIEFBOT_DATABASE_URL`` or ``storage.url``), else the SQLite file at ``storage.path``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from bot.config import DATABASE_URL_ENV, Config
from bot.storage.base import (
    LIVE_SECONDS,
    ChannelRecord,
    ChatRecord,
    PendingDraft,
    ReplicaRecord,
    StateDump,
    StorageError,
    StorageUnavailable,
    Store,
    StoreStats,
    safe_url,
)
from bot.storage.sqlite import _MIGRATIONS, SCHEMA_VERSION, SubscriptionStore

__all__ = [
    "LIVE_SECONDS",
    "SCHEMA_VERSION",
    "_MIGRATIONS",
    "ChannelRecord",
    "ChatRecord",
    "PendingDraft",
    "ReplicaRecord",
    "StateDump",
    "StorageError",
    "StorageUnavailable",
    "Store",
    "StoreStats",
    "SubscriptionStore",
    "database_url",
    "open_store",
]


def database_url(config: Config, environ: Mapping[str, str] = os.environ) -> str | None:
    """The PostgreSQL URL to use, if any: the environment beats ``storage.url``."""
    url = environ.get(DATABASE_URL_ENV) or config.storage.url
    return url.strip() if url and url.strip() else None


def open_store(
    config: Config,
    *,
    path: Path | str | None = None,
    environ: Mapping[str, str] = os.environ,
) -> Store:
    """Open the configured store, migrating it; `StorageError` if it cannot be used.

    An explicit `path` (the simulator's ``--state``) always means SQLite.
    """
    url = None if path is not None else database_url(config, environ)
    if url is None:
        return SubscriptionStore(path or config.storage.path)
    try:
        from bot.storage.postgres import PostgresStore
    except ImportError:
        problem = "PostgreSQL needs the postgres extra: pip install 'briefbot[postgres]'"
        raise StorageError(safe_url(url), problem) from None
    return PostgresStore(url)
