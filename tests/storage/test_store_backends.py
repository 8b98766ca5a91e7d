"""One store suite, run against SQLite and a real PostgreSQL server.

The PostgreSQL half is skipped without a server (the reason says how to start one) and fails
instead when BRIEFBOT_REQUIRE_POSTGRES=1, as in CI.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage import (
    PendingDraft,
    ReplicaRecord,
    StateDump,
    StorageError,
    StorageUnavailable,
    Store,
    SubscriptionStore,
)

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 25, 7, tzinfo=UTC)
EIGHT = dt.datetime(2026, 11, 25, 8, tzinfo=UTC)
MINUTE = dt.timedelta(minutes=1)


def open_backend(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    if kind == "sqlite":
        return SubscriptionStore(tmp_path / "state.sqlite3")
    url = request.getfixturevalue("pg_url")
    from bot.storage.postgres import PostgresStore

    return PostgresStore(url, retry_seconds=0.0)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = open_backend(request.param, tmp_path, request)
    yield opened
    opened.close()


def populate(store: Store) -> None:
    """A store with something in every table: chats of every kind, a ledger, drafts."""
    store.subscribe(1001, "07:30", EIGHT, NOW)
    store.set_timezone(1001, "Europe/Berlin", EIGHT + MINUTE, NOW)
    store.set_current_briefing(1001, "seed", NOW)
    store.subscribe(-2002, None, EIGHT, NOW)
    store.touch_chat(3003, "private", NOW)
    store.subscribe(4004, None, EIGHT, NOW)
    store.deactivate(4004, "Forbidden: bot was blocked by the user", NOW)
    store.record_deliveries(1001, ["a", "b"], NOW)
    store.record_deliveries(-2002, ["a"], EIGHT)
    store.save_draft(PendingDraft("k1", 42, 42, "a.yaml", "id: a\ntitle: «A»\n", NOW))
    store.set_topics(1001, ["#nato", '"peace talks"'])
    store.configure_channel(-1005005, "Newsroom", "newsroom", 1001, NOW)
    store.subscribe(-1005005, "08:00", EIGHT, NOW)


class TestChats:
    def test_subscription_round_trip(self, store: Store) -> None:
        store.subscribe(1001, "07:30", EIGHT, NOW)
        record = store.chat(1001)
        assert record is not None
        assert (record.subscribed, record.daily_at, record.next_due) == (True, "07:30", EIGHT)
        store.unsubscribe(1001, NOW)
        record = store.chat(1001)
        assert record is not None and not record.subscribed and record.next_due is None
        assert store.chat(9999) is None

    def test_a_gone_chat_that_speaks_is_back(self, store: Store) -> None:
        assert store.touch_chat(5, "private", NOW) is False
        store.deactivate(5, "blocked", NOW)
        assert store.touch_chat(5, "private", NOW) is True
        record = store.chat(5)
        assert record is not None and record.active and record.inactive_reason is None

    def test_due_chats_most_overdue_first(self, store: Store) -> None:
        store.subscribe(1, None, EIGHT, NOW)
        store.subscribe(2, None, EIGHT - MINUTE, NOW)
        store.subscribe(3, None, EIGHT + MINUTE, NOW)
        assert [c.chat_id for c in store.due_chats(EIGHT)] == [2, 1]
        assert store.next_due_time() == EIGHT - MINUTE
        assert [c.chat_id for c in store.subscribed_chats()] == [1, 2, 3]

    def test_migrated_group_keeps_its_ledger(self, store: Store) -> None:
        store.subscribe(-100, None, EIGHT, NOW)
        store.record_deliveries(-100, ["a"], NOW)
        store.migrate_chat(-100, -1000100, NOW)
        assert store.chat(-100) is None
        record = store.chat(-1000100)
        assert record is not None and record.subscribed and record.chat_type == "supergroup"
        assert store.delivered_ids(-1000100) == {"a"}


class TestTopicsAndChannels:
    def test_topics_are_replaced_in_order_per_chat(self, store: Store) -> None:
        assert store.topics(1) == []
        store.set_topics(1, ["b", "a"])
        store.set_topics(1, ["c", "b", "a"])
        store.set_topics(2, ["x"])
        assert store.topics(1) == ["c", "b", "a"] and store.topics(2) == ["x"]
        store.set_topics(1, [])
        assert store.topics(1) == [] and store.topics(2) == ["x"]

    def test_a_migrated_group_keeps_its_topics(self, store: Store) -> None:
        store.set_topics(-100, ["nato"])
        store.set_topics(-1000100, ["stale"])
        store.subscribe(-100, None, EIGHT, NOW)
        store.migrate_chat(-100, -1000100, NOW)
        assert store.topics(-1000100) == ["nato"] and store.topics(-100) == []

    def test_a_channel_is_paused_until_an_admin_configures_it(self, store: Store) -> None:
        store.remember_channel(-1009, "News", None, True, NOW)
        channel = store.channel(-1009)
        assert channel is not None and channel.name == "News" and not channel.active
        store.configure_channel(-1009, "News", None, 7, NOW)
        channel = store.channel(-1009)
        assert channel is not None and channel.active and channel.configured_by == 7
        assert store.channels_configured_by(7) == [channel]
        store.remember_channel(-1009, "News", None, False, NOW)
        channel = store.channel(-1009)
        assert channel is not None and not channel.active and not channel.can_post
        assert store.chat(-1009) is not None and store.channel(7) is None

    def test_channels_are_listed_by_title_for_who_set_them_up(self, store: Store) -> None:
        store.configure_channel(-1002, "Beta", "beta", 7, NOW)
        store.configure_channel(-1001, "Alpha", None, 7, NOW)
        store.configure_channel(-1003, "Gamma", None, 8, NOW)
        assert [c.name for c in store.channels_configured_by(7)] == ["Alpha", "@beta"]
        assert store.channels_configured_by(9) == []


class TestClaims:
    def test_a_due_chat_goes_to_one_replica(self, store: Store) -> None:
        for chat in (1, 2, 3):
            store.subscribe(chat, None, EIGHT, NOW)
        first = store.claim_due(EIGHT, "a", 20, 2)
        second = store.claim_due(EIGHT, "b", 20, 5)
        assert [c.chat_id for c in first] == [1, 2]
        assert [c.chat_id for c in second] == [3]
        assert store.claim_due(EIGHT, "c", 20, 5) == []

    def test_an_expired_lease_is_claimable_again(self, store: Store) -> None:
        store.subscribe(1, None, EIGHT, NOW)
        assert store.claim_due(EIGHT, "dead", 20, 1)
        assert store.claim_due(EIGHT + dt.timedelta(seconds=10), "b", 20, 1) == []
        taken = store.claim_due(EIGHT + dt.timedelta(seconds=21), "b", 20, 1)
        assert [c.chat_id for c in taken] == [1]

    def test_moving_the_next_digest_releases_the_claim(self, store: Store) -> None:
        store.subscribe(1, None, EIGHT, NOW)
        assert store.claim_due(EIGHT, "a", 20, 1)
        store.set_next_due(1, EIGHT, EIGHT)  # e.g. a failed send, due again at once
        assert [c.chat_id for c in store.claim_due(EIGHT, "b", 20, 1)] == [1]

    def test_one_chat_is_claimed_on_request_unless_another_holds_it(self, store: Store) -> None:
        store.subscribe(1, None, EIGHT, NOW)
        assert store.claim_chat(1, EIGHT, "a", 20) is True
        assert store.claim_chat(1, EIGHT, "a", 20) is True  # its own claim: renewed
        assert store.claim_chat(1, EIGHT, "b", 20) is False
        assert store.claim_due(EIGHT, "b", 20, 5) == []
        store.release_chat(1, "b")  # not b's to release
        assert store.claim_chat(1, EIGHT, "b", 20) is False
        store.release_chat(1, "a")
        assert store.claim_chat(1, EIGHT, "b", 20) is True
        assert store.claim_chat(2, EIGHT, "b", 20) is True  # a chat never seen holds no claim

    def test_not_yet_due_inactive_and_unsubscribed_are_never_claimed(self, store: Store) -> None:
        store.subscribe(1, None, EIGHT + MINUTE, NOW)
        store.subscribe(2, None, EIGHT, NOW)
        store.deactivate(2, "gone", NOW)
        store.subscribe(3, None, EIGHT, NOW)
        store.unsubscribe(3, NOW)
        assert store.claim_due(EIGHT, "a", 20, 10) == []


class TestLedgerAndDrafts:
    def test_deliveries_are_recorded_once(self, store: Store) -> None:
        store.record_deliveries(1, ["a", "b"], NOW)
        store.record_deliveries(1, ["b", "c"], EIGHT)
        assert store.delivered_ids(1) == {"a", "b", "c"}
        store.subscribe(1, None, EIGHT, NOW)
        stats = store.stats(since=EIGHT)
        assert (stats.chats, stats.subscribers, stats.deliveries_since) == (1, 1, 1)

    def test_drafts_replace_expire_and_delete(self, store: Store) -> None:
        old = PendingDraft("old", 42, 42, "old.yaml", "id: old\n", NOW - dt.timedelta(days=2))
        store.save_draft(old)
        draft = PendingDraft("k", 42, 42, "a.yaml", "id: a\n", NOW)
        store.save_draft(draft, keep_since=NOW - dt.timedelta(days=1))
        store.save_draft(PendingDraft("k", 42, 42, "b.yaml", "id: b\n", NOW))
        assert store.draft("old") is None
        kept = store.draft("k")
        assert kept is not None and (kept.file_name, kept.created_at) == ("b.yaml", NOW)
        assert store.delete_draft("k") is True
        assert store.delete_draft("k") is False


class TestReplicas:
    def test_live_replicas_are_those_with_a_recent_heartbeat(self, store: Store) -> None:
        def beat(rid: str, at: dt.datetime) -> None:
            store.heartbeat(ReplicaRecord(rid, "host", 1, 8443, NOW, at, "webhook :8443"))

        beat("a", EIGHT)
        beat("b", EIGHT - dt.timedelta(seconds=30))
        beat("c", EIGHT - dt.timedelta(seconds=5))
        assert [r.replica_id for r in store.replicas(EIGHT)] == ["a", "c"]
        store.remove_replica("a")
        assert [r.replica_id for r in store.replicas(EIGHT)] == ["c"]


class TestExportImport:
    def test_a_populated_store_survives_export_and_import(
        self, store: Store, tmp_path: Path
    ) -> None:
        populate(store)
        dump = store.export_state()
        assert (len(dump.chats), len(dump.deliveries), len(dump.drafts)) == (5, 3, 1)
        assert [t["topic"] for t in dump.topics] == ["#nato", '"peace talks"']
        copy = SubscriptionStore(tmp_path / "copy.sqlite3")
        copy.import_state(dump)
        assert copy.export_state() == dump
        store.import_state(StateDump())
        assert store.chat(1001) is None
        store.import_state(copy.export_state())
        assert store.export_state() == dump
        record = store.chat(4004)
        assert record is not None and not record.active
        assert record.inactive_reason == "Forbidden: bot was blocked by the user"
        assert store.topics(1001) == ["#nato", '"peace talks"']
        channel = store.channel(-1005005)
        assert channel is not None and channel.configured_by == 1001 and channel.can_post
        copy.close()

    def test_a_dump_from_before_channels_loads(self, store: Store) -> None:
        populate(store)
        dump = store.export_state()
        for chat in dump.chats:
            for name in ("chat_title", "username", "configured_by", "can_post"):
                del chat[name]
        dump.topics = []
        store.import_state(dump)
        channel = store.channel(-1005005)
        assert channel is not None and not channel.can_post and channel.name == "-1005005"
        assert store.topics(1001) == []


class TestPostgresOnly:
    """What only a server shared by several processes has: concurrent start-up, outages."""

    def test_replicas_starting_together_migrate_once(self, pg_url: str) -> None:
        import psycopg

        from bot.storage.postgres import SCHEMA_VERSION, PostgresStore

        opened: list[PostgresStore] = []
        errors: list[BaseException] = []

        def start() -> None:
            try:
                opened.append(PostgresStore(pg_url))
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=start) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == [] and len(opened) == 4
        with psycopg.connect(pg_url) as conn:
            versions = conn.execute("SELECT version FROM briefbot_schema ORDER BY 1").fetchall()
        assert [v for (v,) in versions] == list(range(1, SCHEMA_VERSION + 1))
        for store in opened:
            store.close()

    def test_concurrent_claims_never_overlap(self, pg_url: str) -> None:
        from bot.storage.postgres import PostgresStore

        setup = PostgresStore(pg_url)
        for chat in range(1, 201):
            setup.subscribe(chat, None, EIGHT, NOW)
        claimed: dict[str, list[int]] = {"a": [], "b": [], "c": []}

        def claim(replica: str) -> None:
            store = PostgresStore(pg_url)
            while batch := store.claim_due(EIGHT, replica, 20, 3):
                claimed[replica] += [c.chat_id for c in batch]
            store.close()

        threads = [threading.Thread(target=claim, args=(name,)) for name in claimed]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        every = sorted(chat for chats in claimed.values() for chat in chats)
        assert every == list(range(1, 201))
        setup.close()

    def test_newer_schema_is_refused(self, pg_url: str) -> None:
        import psycopg

        from bot.storage.postgres import SCHEMA_VERSION, PostgresStore

        PostgresStore(pg_url).close()
        with psycopg.connect(pg_url) as conn:
            conn.execute("INSERT INTO briefbot_schema VALUES (%s)", (SCHEMA_VERSION + 1,))
        with pytest.raises(StorageError, match="newer than this briefbot's"):
            PostgresStore(pg_url)

    def test_an_outage_is_logged_once_and_nothing_is_recorded_twice(
        self, pg_url: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        import psycopg
        from pg_fixtures import server_url

        from bot.storage.postgres import PostgresStore

        store = PostgresStore(pg_url, retry_seconds=0.0, connect_timeout=1.0)
        store.record_deliveries(1, ["a"], NOW)
        name = pg_url.rsplit("/", 1)[1]
        with psycopg.connect(server_url(), autocommit=True) as admin:
            admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            caplog.set_level(logging.WARNING, logger="bot.storage.postgres")
            for _ in range(3):
                with pytest.raises(StorageUnavailable):
                    store.record_deliveries(1, ["a", "b"], NOW)
            admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
        store.record_deliveries(1, ["a", "b"], NOW)
        assert store.delivered_ids(1) == {"a", "b"}
        messages = [r.getMessage() for r in caplog.records]
        assert sum("unavailable" in m for m in messages) == 1, messages
        assert sum("available again" in m for m in messages) == 1, messages
        store.close()

    def test_unreachable_server_is_one_line_without_the_password(self) -> None:
        import socket

        pytest.importorskip("psycopg", reason="the postgres extra is not installed")

        from bot.storage.postgres import PostgresStore

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        with pytest.raises(StorageError) as caught:
            PostgresStore(f"postgresql://briefbot:s3cret@127.0.0.1:{port}/briefbot")
        assert str(caught.value) == (
            f"postgresql://briefbot@127.0.0.1:{port}/briefbot: cannot connect: connection refused"
        )
