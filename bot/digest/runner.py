"""Running digests: find due chats, build each digest, hand it to a sender, keep the ledger.

Deliveries are recorded right after the sender reports Telegram accepted the message, so a crash
at any point loses nothing and never resends what was recorded. Due chats are claimed one at a
time with a lease (`Store.claim_due`), so replicas sharing a database share the fan-out, each
digest goes out from one of them, and a dead replica's chats move on when their leases run out.
How a message gets through Telegram (rate limits, retries, blocked chats) is the sender's
business, not this module's.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from bot.briefing.library import BriefingLibrary
from bot.briefing.models import Briefing
from bot.briefing.render import render_digest
from bot.briefing.split import split_html
from bot.briefing.topics import ProfileCache, Topic, TopicError, TopicFilter
from bot.clock import Clock
from bot.digest.planner import DigestContent, DigestPlanner
from bot.i18n import DEFAULT_LANGUAGE, choose
from bot.ops.metrics import Metrics
from bot.storage import ChatRecord, StorageUnavailable, Store

log = logging.getLogger(__name__)

# Briefings whose words are read for topic matching between two yields to the event loop: about
# 20-40 ms of work, so answers to commands are not held up while a large library is read.
READ_AHEAD_BATCH = 50

# How many digests are in flight at once. The rate limiter sets the pace; this only needs to keep
# it busy (28/s with answers taking up to ~0.5 s), and every queued digest is one that a user's
# command answer waits behind in the limiter.
FANOUT_WORKERS = 16
# How long a claimed chat stays with its replica. A digest takes a second or two to send; a
# replica killed mid-send leaves its chats to the others this long after it claimed them, plus at
# most one tick.
CLAIM_LEASE_SECONDS = 20.0


class Outcome(enum.Enum):
    """How a send ended."""

    DELIVERED = "delivered"
    GONE = "gone"  # blocked, kicked or deleted: stop trying until the chat speaks again
    MIGRATED = "migrated"  # delivered, but the group now lives under a new id
    FAILED = "failed"  # retries exhausted; try again at the next slot


# A migrated chat got its digest: for the metrics it was sent.
_METRIC_OUTCOME = {
    Outcome.DELIVERED: "sent",
    Outcome.MIGRATED: "sent",
    Outcome.GONE: "gone",
    Outcome.FAILED: "failed",
}


@dataclass(frozen=True)
class SendResult:
    """The outcome of one send, with the new chat id after a migration."""

    outcome: Outcome
    new_chat_id: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class Digest:
    """A rendered digest for one chat."""

    chat_id: int
    parts: list[str]
    items: list[Briefing]
    channel: bool = False  # a channel post: buttons link to the bot rather than answer there
    language: str = DEFAULT_LANGUAGE  # the chat's, for the words around the briefings


class Sender(Protocol):
    """Gets a digest to a chat through Telegram."""

    async def send_digest(self, digest: Digest) -> SendResult:
        """Send every part of `digest`; report how it went."""
        ...


@dataclass
class RunStats:
    """What one pass over the due chats did."""

    due: int = 0
    sent: int = 0
    empty: int = 0
    skipped: int = 0
    failed: int = 0
    gone: int = 0


class DigestRunner:
    """Pushes digests to due chats, exactly once per briefing and chat."""

    def __init__(
        self,
        store: Store,
        library: BriefingLibrary,
        planner: DigestPlanner,
        clock: Clock,
        sender: Sender | None = None,
        *,
        metrics: Metrics | None = None,
        replica_id: str = "local",
        lease_seconds: float = CLAIM_LEASE_SECONDS,
    ) -> None:
        self.store = store
        self.replica_id = replica_id
        self.lease_seconds = lease_seconds
        # No fan-out before this moment: a replica that just joined waits until the others have
        # seen it and lowered their share of the rate budget.
        self.hold_until: dt.datetime | None = None
        self._waiting = 0  # due chats not yet claimed in the running fan-out
        self.library = library
        self.planner = planner
        self.clock = clock
        self.sender = sender
        self.metrics = metrics or Metrics()
        self._in_flight: set[int] = set()
        # One delivery per chat at a time, so a tick and /digest never build the same digest.
        self._chat_locks: dict[int, asyncio.Lock] = {}
        self._lock_users: dict[int, int] = {}
        self._profiles = ProfileCache()
        # Told when a channel stops taking digests (the bot was removed or lost its rights).
        self.on_channel_gone: Callable[[int], Awaitable[None]] | None = None
        self._fanning_out = False
        # Digests Telegram accepted while the database was away, recorded when it is back.
        self._unrecorded: list[tuple[int, list[str], dt.datetime]] = []

    def topic_filter(self, chat_id: int) -> TopicFilter:
        """Which briefings a chat wants: those about its topics, or all if it follows none."""
        topics = []
        for text in self.store.topics(chat_id):
            try:
                topics.append(Topic.parse(text))
            except TopicError:  # stored by an older, laxer version: not worth failing over
                log.warning("chat %s: ignoring the topic %r", chat_id, text)
        return TopicFilter(topics, self._profiles)

    async def read_ahead(self, chat_id: int) -> None:
        """Read the words of the briefings a chat's topics are checked against, not yet read.

        Those the chat has not received, which are all its next digest can hold.

        A batch at a time, letting other work run in between, so `build` then finds them read.
        """
        if not self.store.topics(chat_id):
            return
        # Only what `build` will check: a chat that has had most of the archive reads little.
        delivered = self.store.delivered_ids(chat_id)
        fresh = (bid for bid in self.library.newest_ids() if bid not in delivered)
        for n, bid in enumerate(fresh, start=1):
            self._profiles.profile(bid, self.library.stamp(bid), partial(self.library.get, bid))
            if n % READ_AHEAD_BATCH == 0:
                await asyncio.sleep(0)

    def build(
        self, chat_id: int, user_language: str | None = None, *, filtered: bool = True
    ) -> Digest | None:
        """The digest a chat would get now, or None if it has received everything.

        Only briefings about the chat's topics, if it follows any (unless not `filtered`). It is
        in the chat's chosen language, else `user_language` (the Telegram language of the user
        who asked for it), else English.
        """
        wanted = None
        if filtered:
            chosen = self.topic_filter(chat_id)
            if chosen.topics:

                def wanted(bid: str) -> bool:
                    # Unpacks a briefing only when its words were not read yet.
                    stamp = self.library.stamp(bid)
                    return chosen.matches_stored(bid, stamp, lambda: self.library.get(bid))

        content: DigestContent = self.planner.content(
            self.library.newest_ids(), self.store.delivered_ids(chat_id), wanted
        )
        items = [b for b in map(self.library.get, content.ids) if b is not None]
        if not items:
            return None
        tr = choose(self.store.chat_language(chat_id), user_language)
        parts = split_html(render_digest(items, content.more, tr))
        record = self.store.chat(chat_id)
        channel = record is not None and record.chat_type == "channel"
        return Digest(chat_id, parts, items, channel, tr.language)

    async def deliver_now(
        self, chat_id: int, user_language: str | None = None
    ) -> SendResult | None:
        """Send a chat its digest on request (`/digest`), unless another replica is sending it.

        FAILED when another replica holds the chat: its digest is on the way from there.
        """
        if not self.store.claim_chat(
            chat_id, self.clock.now(), self.replica_id, self.lease_seconds
        ):
            return SendResult(Outcome.FAILED, reason="being sent by another replica")
        try:
            return await self.deliver(chat_id, user_language)
        finally:
            self.store.release_chat(chat_id, self.replica_id)

    async def deliver(self, chat_id: int, user_language: str | None = None) -> SendResult | None:
        """Send a chat its digest now; None if there was nothing new for it (see `build`)."""
        if self.sender is None:
            raise RuntimeError("DigestRunner has no sender")
        lock = self._chat_locks.setdefault(chat_id, asyncio.Lock())
        self._lock_users[chat_id] = self._lock_users.get(chat_id, 0) + 1
        try:
            async with lock:
                return await self._deliver(chat_id, self.sender, user_language)
        finally:
            self._lock_users[chat_id] -= 1
            if not self._lock_users[chat_id]:
                del self._lock_users[chat_id], self._chat_locks[chat_id]

    def _flush_unrecorded(self) -> None:
        while self._unrecorded:
            chat_id, ids, at = self._unrecorded[0]
            self.store.record_deliveries(chat_id, ids, at)
            self._unrecorded.pop(0)

    async def _deliver(
        self, chat_id: int, sender: Sender, user_language: str | None = None
    ) -> SendResult | None:
        self._flush_unrecorded()
        await self.read_ahead(chat_id)
        digest = self.build(chat_id, user_language)
        if digest is None:
            return None
        try:
            result = await sender.send_digest(digest)
        except Exception:
            self.metrics.digest("failed")
            raise
        self.metrics.digest(_METRIC_OUTCOME[result.outcome])
        now = self.clock.now()
        if result.outcome in (Outcome.DELIVERED, Outcome.MIGRATED):
            if result.new_chat_id is not None:
                self.store.migrate_chat(chat_id, result.new_chat_id, now)
            target = result.new_chat_id or chat_id
            ids = [b.id for b in digest.items]
            try:
                self.store.record_deliveries(target, ids, now)
            except StorageUnavailable:
                self._unrecorded.append((target, ids, now))
                raise
        elif result.outcome is Outcome.GONE:
            was_active = (record := self.store.chat(chat_id)) is not None and record.active
            self.store.deactivate(chat_id, result.reason, now)
            log.info("chat %s is gone (%s); digests paused until it speaks", chat_id, result.reason)
            if digest.channel and was_active and self.on_channel_gone is not None:
                await self.on_channel_gone(chat_id)
        return result

    async def run_due(self) -> RunStats:
        """Claim due chats and send each its digest, with a bounded number in flight.

        One fan-out at a time per process: a tick while one runs does nothing, since the
        running one keeps claiming until nothing is due. While the database is away, nothing
        is claimed (the store logs the outage once).
        """
        stats = RunStats()
        if self._fanning_out or (self.hold_until and self.clock.now() < self.hold_until):
            return stats
        self._fanning_out = True
        try:
            self._flush_unrecorded()
            # What is due now, for the fan-out queue gauge; each claim takes one off.
            self._waiting = len(self.store.due_chats(self.clock.now()))
            self.metrics.fanout_queue.set(self._waiting)
            await asyncio.gather(*(self._worker(stats) for _ in range(FANOUT_WORKERS)))
        except StorageUnavailable:
            return stats
        finally:
            self._fanning_out = False
            self.metrics.fanout_queue.set(0)
        if stats.due:
            log.info(
                "digests: %d due, %d sent, %d with nothing new, %d skipped, %d failed, %d gone",
                stats.due, stats.sent, stats.empty, stats.skipped, stats.failed, stats.gone,
            )  # fmt: skip
        return stats

    async def _worker(self, stats: RunStats) -> None:
        while True:
            now = self.clock.now()
            try:
                claimed = self.store.claim_due(now, self.replica_id, self.lease_seconds, 1)
            except StorageUnavailable:
                return
            if not claimed:
                return
            chat = claimed[0]
            if chat.chat_id in self._in_flight:
                continue
            stats.due += 1
            self._waiting = max(0, self._waiting - 1)
            self.metrics.fanout_queue.set(self._waiting)
            self._in_flight.add(chat.chat_id)
            try:
                await self._run_one(chat, now, stats)
            except StorageUnavailable:
                return  # the lease runs out; this chat is claimed again once the database is back
            except Exception:
                stats.failed += 1
                log.exception("digest for chat %s failed", chat.chat_id)
            finally:
                self._in_flight.discard(chat.chat_id)
            # Let the other workers and the handlers run between digests.
            await asyncio.sleep(0)

    async def _run_one(self, chat: ChatRecord, now: dt.datetime, stats: RunStats) -> None:
        decision = self.planner.decide(chat, now)
        if not decision.send:
            stats.skipped += 1
            log.info("chat %s missed its digest by more than the grace; next at %s",
                     chat.chat_id, decision.next_due)  # fmt: skip
            self.store.set_next_due(chat.chat_id, decision.next_due, now)
            return
        try:
            result = await self.deliver(chat.chat_id)
        except Exception:
            # On to the next slot, so a chat that breaks is not retried every tick; what it
            # did not receive stays undelivered for then.
            self.store.set_next_due(chat.chat_id, decision.next_due, self.clock.now())
            raise
        chat_id = chat.chat_id
        if result is None:
            stats.empty += 1
        elif result.outcome is Outcome.FAILED:
            stats.failed += 1
        elif result.outcome is Outcome.GONE:
            stats.gone += 1
        else:
            stats.sent += 1
            chat_id = result.new_chat_id or chat.chat_id
        self.store.set_next_due(chat_id, decision.next_due, self.clock.now())
