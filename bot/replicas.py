"""Replicas sharing one database: who is alive, what each does, and its share of the rate budget.

Every `briefbot run` writes a heartbeat row every few seconds. A replica whose heartbeat is
older than `LIVE_SECONDS` is dead; its unfinished digests move on by themselves (their claims'
leases run out). Telegram's ~30 messages/s are per bot, so each live replica sends at most
`OVERALL_PER_SECOND / live replicas`, recomputed at every heartbeat.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import secrets
import socket
from dataclasses import dataclass, replace

from bot.context import BotApplication, BotContext, BotServices
from bot.ratelimit import OVERALL_PER_SECOND, LaneRateLimiter
from bot.scheduling import digest_tick
from bot.storage import LIVE_SECONDS, ReplicaRecord, StorageUnavailable

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 3.0
assert HEARTBEAT_SECONDS * 3 < LIVE_SECONDS  # two missed heartbeats are not a death
# A replica sends no digests this long after it starts: by then every other replica has had a
# heartbeat, counted it, and lowered its own rate, so the sum never exceeds the budget.
JOIN_DELAY = dt.timedelta(seconds=2 * HEARTBEAT_SECONDS)


@dataclass
class ReplicaState:
    """A process as a replica: its row in the registry and what it last saw of the others."""

    record: ReplicaRecord
    duties: str
    live: int = 1
    per_second: float = OVERALL_PER_SECOND


def new_replica(port: int | None, started_at: dt.datetime, mode: str) -> ReplicaState:
    """The calling process as a replica: a fresh id, its host, pid, webhook port and duties."""
    host = socket.gethostname()
    pid = os.getpid()
    duties = f"{mode}, digest fan-out"
    record = ReplicaRecord(
        replica_id=f"{host}-{pid}-{secrets.token_hex(2)}",
        host=host,
        pid=pid,
        port=port,
        started_at=started_at,
        heartbeat_at=started_at,
        role=duties,
    )
    return ReplicaState(record, duties)


def schedule_heartbeat(application: BotApplication, *, shared: bool) -> None:
    """Beat now and then every `HEARTBEAT_SECONDS`; on a shared database, catch up on joining."""
    jobs = application.job_queue
    if jobs is None:  # pragma: no cover - the job-queue extra is a dependency
        raise RuntimeError("python-telegram-bot's job queue is not installed")
    jobs.run_repeating(heartbeat, interval=HEARTBEAT_SECONDS, first=0.0, name="replica-heartbeat")
    if shared:
        # The start-up catch-up came too early for a joining replica (`JOIN_DELAY`).
        delay = JOIN_DELAY.total_seconds() + 0.5
        jobs.run_once(digest_tick, when=delay, name="digest-catch-up-after-join")


async def heartbeat(context: BotContext) -> None:
    """Refresh this replica's row, count the live ones and take this replica's share of the rate."""
    services = context.services
    state = services.replica
    if state is None:
        return
    now = services.clock.now()
    state.record = replace(
        state.record,
        heartbeat_at=now,
        role=f"{state.duties}, {state.per_second:.1f} msg/s",
    )
    try:
        services.store.heartbeat(state.record)
        live = len(services.store.replicas(now)) or 1
    except StorageUnavailable:
        return  # the store logged the outage; the last known share stays
    if live != state.live:
        log.info(
            "%d live replica(s); this one (%s) now sends up to %.1f messages/s",
            live, state.record.replica_id, OVERALL_PER_SECOND // live,
        )  # fmt: skip
    state.live = live
    state.per_second = float(OVERALL_PER_SECOND // live)
    limiter = context.bot.rate_limiter
    if isinstance(limiter, LaneRateLimiter):
        limiter.set_share(live)


def leave(services: BotServices) -> None:
    """Take this replica out of the registry at a clean stop."""
    if services.replica is None:
        return
    # If the database is away, the row's heartbeat simply ages out.
    with contextlib.suppress(StorageUnavailable):
        services.store.remove_replica(services.replica.record.replica_id)
