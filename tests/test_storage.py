"""The SQLite store: schema migrations, chats, subscriptions, the delivery ledger and stats."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.storage import _MIGRATIONS, SCHEMA_VERSION, PendingDraft, StorageError, SubscriptionStore

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 25, 7, tzinfo=UTC)
EIGHT = dt.datetime(2026, 11, 25, 8, tzinfo=UTC)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """Where the store's file goes (in a folder that does not exist yet)."""
    return tmp_path / "var" / "state.sqlite3"


@pytest.fixture
def store(path: Path) -> Iterator[SubscriptionStore]:
    """An open store on a fresh file."""
    opened = SubscriptionStore(path)
    yield opened
    opened.close()


def user_version(path: Path) -> int:
    """The schema version recorded in the file."""
    with sqlite3.connect(path) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def at(hour: int, minute: int = 0) -> dt.datetime:
    """A time on 25 November 2026, UTC."""
    return dt.datetime(2026, 11, 25, hour, minute, tzinfo=UTC)


class TestMigrations:
    """The schema is created once and versioned; a newer file is refused, not damaged."""

    def test_fresh_file_gets_current_schema(self, store: SubscriptionStore, path: Path) -> None:
        assert path.exists()
        assert user_version(path) == SCHEMA_VERSION >= 1
        with sqlite3.connect(path) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        assert {"chats", "deliveries"} <= tables

    def test_reopening_keeps_data_and_version(self, path: Path) -> None:
        first = SubscriptionStore(path)
        first.subscribe(1001, "07:30", EIGHT, NOW)
        first.record_deliveries(1001, ["a"], NOW)
        first.close()
        again = SubscriptionStore(path)
        try:
            assert user_version(path) == SCHEMA_VERSION
            record = again.chat(1001)
            assert record is not None and record.subscribed and record.daily_at == "07:30"
            assert again.delivered_ids(1001) == {"a"}
        finally:
            again.close()

    def test_newer_schema_is_refused(self, path: Path) -> None:
        SubscriptionStore(path).close()
        with sqlite3.connect(path) as db:
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        with pytest.raises(StorageError, match="schema version"):
            SubscriptionStore(path)

    def test_in_memory_store_works(self) -> None:
        memory = SubscriptionStore(":memory:")
        memory.subscribe(1, None, EIGHT, NOW)
        assert memory.due_chats(EIGHT)[0].chat_id == 1
        memory.close()


class TestChats:
    """What the bot remembers per chat: type, subscription, time, zone, current briefing."""

    def test_unknown_chat(self, store: SubscriptionStore) -> None:
        assert store.chat(1001) is None
        assert store.delivered_ids(1001) == set()

    def test_touch_remembers_a_new_chat(self, store: SubscriptionStore) -> None:
        assert store.touch_chat(-100777, "supergroup", NOW) is False
        record = store.chat(-100777)
        assert record is not None
        assert record.chat_type == "supergroup"
        assert record.active and not record.subscribed and record.next_due is None

    def test_subscribe_and_unsubscribe(self, store: SubscriptionStore) -> None:
        store.subscribe(1001, None, EIGHT, NOW)
        record = store.chat(1001)
        assert record is not None
        assert record.subscribed and record.daily_at is None and record.next_due == EIGHT
        store.unsubscribe(1001, NOW)
        record = store.chat(1001)
        assert record is not None and not record.subscribed and record.next_due is None

    def test_subscribe_with_time_then_default_again(self, store: SubscriptionStore) -> None:
        store.subscribe(1001, "07:30", at(7, 30), NOW)
        store.subscribe(1001, None, EIGHT, NOW)
        record = store.chat(1001)
        assert record is not None and record.daily_at is None and record.next_due == EIGHT

    def test_times_are_stored_as_instants(self, store: SubscriptionStore) -> None:
        berlin_nine = dt.datetime(2026, 11, 25, 9, tzinfo=ZoneInfo("Europe/Berlin"))
        store.subscribe(1001, None, berlin_nine, NOW)
        record = store.chat(1001)
        assert record is not None and record.next_due == EIGHT
        assert record.next_due.utcoffset() == dt.timedelta(0)

    def test_timezone_with_and_without_next_due(self, store: SubscriptionStore) -> None:
        store.set_timezone(1001, "Europe/Berlin", None, NOW)
        record = store.chat(1001)
        assert record is not None and record.timezone == "Europe/Berlin"
        assert record.next_due is None and not record.subscribed
        store.subscribe(1001, None, EIGHT, NOW)
        store.set_timezone(1001, "Asia/Tokyo", at(23), NOW)
        record = store.chat(1001)
        assert record is not None and record.timezone == "Asia/Tokyo" and record.next_due == at(23)

    def test_current_briefing(self, store: SubscriptionStore) -> None:
        store.set_current_briefing(1001, "seed", NOW)
        store.set_current_briefing(1001, "other", NOW)
        record = store.chat(1001)
        assert record is not None and record.current_briefing == "other"

    def test_deactivate_then_touch_reactivates(self, store: SubscriptionStore) -> None:
        store.subscribe(1001, None, EIGHT, NOW)
        store.deactivate(1001, "Forbidden: bot was blocked by the user", NOW)
        record = store.chat(1001)
        assert record is not None and not record.active
        assert record.inactive_reason == "Forbidden: bot was blocked by the user"
        assert record.subscribed  # the subscription itself is kept
        assert store.touch_chat(1001, "private", NOW) is True
        record = store.chat(1001)
        assert record is not None and record.active and record.inactive_reason is None
        assert store.touch_chat(1001, "private", NOW) is False


class TestDueChats:
    """Who is due: active subscribers whose time has come, most overdue first."""

    def test_ordering_and_filtering(self, store: SubscriptionStore) -> None:
        store.subscribe(1, None, at(8), NOW)
        store.subscribe(2, None, at(6), NOW)
        store.subscribe(3, None, at(8), NOW)
        store.subscribe(4, None, at(9), NOW)  # not yet due
        store.subscribe(5, None, at(5), NOW)
        store.deactivate(5, "blocked", NOW)  # inactive
        store.subscribe(6, None, at(5), NOW)
        store.unsubscribe(6, NOW)  # unsubscribed
        store.touch_chat(7, "private", NOW)  # never subscribed
        due = store.due_chats(at(8))
        assert [c.chat_id for c in due] == [2, 1, 3]
        assert all(c.subscribed and c.active for c in due)

    def test_due_exactly_at_its_time_not_a_second_before(self, store: SubscriptionStore) -> None:
        store.subscribe(1, None, EIGHT, NOW)
        assert store.due_chats(EIGHT - dt.timedelta(seconds=1)) == []
        assert [c.chat_id for c in store.due_chats(EIGHT)] == [1]

    def test_mixed_zones_are_compared_as_instants(self, store: SubscriptionStore) -> None:
        tokyo = ZoneInfo("Asia/Tokyo")
        store.subscribe(1, None, dt.datetime(2026, 11, 25, 16, tzinfo=tokyo), NOW)  # 07:00 UTC
        store.subscribe(2, None, at(6, 30), NOW)
        assert [c.chat_id for c in store.due_chats(at(7))] == [2, 1]

    def test_next_due_time_ignores_inactive_and_unsubscribed(
        self, store: SubscriptionStore
    ) -> None:
        assert store.next_due_time() is None
        store.subscribe(1, None, at(9), NOW)
        store.subscribe(2, None, at(6), NOW)
        store.deactivate(2, "gone", NOW)
        store.subscribe(3, None, at(5), NOW)
        store.unsubscribe(3, NOW)
        assert store.next_due_time() == at(9)

    def test_set_next_due(self, store: SubscriptionStore) -> None:
        store.subscribe(1, None, EIGHT, NOW)
        store.set_next_due(1, EIGHT + dt.timedelta(days=1), EIGHT)
        assert store.due_chats(EIGHT) == []
        assert store.next_due_time() == EIGHT + dt.timedelta(days=1)

    def test_subscribed_chats_include_inactive(self, store: SubscriptionStore) -> None:
        store.subscribe(2, None, EIGHT, NOW)
        store.subscribe(1, None, EIGHT, NOW)
        store.deactivate(2, "gone", NOW)
        store.touch_chat(3, "private", NOW)
        assert [c.chat_id for c in store.subscribed_chats()] == [1, 2]


class TestLedger:
    """Deliveries are recorded once per chat and briefing, whatever happens twice."""

    def test_recording_twice_keeps_one_row(self, store: SubscriptionStore) -> None:
        store.record_deliveries(1, ["a", "b"], at(8))
        store.record_deliveries(1, ["b", "c"], at(9))
        assert store.delivered_ids(1) == {"a", "b", "c"}
        assert store.stats(since=at(0)).deliveries_since == 3
        # The first delivery time stays: "b" was delivered at 08:00, not 09:00.
        assert store.stats(since=at(9)).deliveries_since == 1

    def test_ledgers_are_per_chat(self, store: SubscriptionStore) -> None:
        store.record_deliveries(1, ["a"], NOW)
        store.record_deliveries(2, ["b"], NOW)
        assert store.delivered_ids(1) == {"a"}
        assert store.delivered_ids(2) == {"b"}

    def test_unsubscribing_keeps_history(self, store: SubscriptionStore) -> None:
        store.subscribe(1, None, EIGHT, NOW)
        store.record_deliveries(1, ["a"], NOW)
        store.unsubscribe(1, NOW)
        assert store.delivered_ids(1) == {"a"}

    def test_survives_reopen(self, path: Path) -> None:
        first = SubscriptionStore(path)
        first.record_deliveries(1, ["a", "b"], NOW)
        first.close()
        again = SubscriptionStore(path)
        try:
            again.record_deliveries(1, ["b"], NOW)
            assert again.delivered_ids(1) == {"a", "b"}
        finally:
            again.close()


class TestMigrateChat:
    """A group that became a supergroup keeps its subscription and ledger under the new id."""

    OLD, NEW = -4242, -1004242

    def test_moves_subscription_and_deliveries(self, store: SubscriptionStore) -> None:
        store.subscribe(self.OLD, "07:30", at(7, 30), NOW)
        store.set_timezone(self.OLD, "Europe/Berlin", at(6, 30), NOW)
        store.record_deliveries(self.OLD, ["a", "b"], NOW)
        store.migrate_chat(self.OLD, self.NEW, NOW)
        assert store.chat(self.OLD) is None
        assert store.delivered_ids(self.OLD) == set()
        record = store.chat(self.NEW)
        assert record is not None
        assert record.chat_type == "supergroup"
        assert (record.subscribed, record.daily_at, record.timezone) == (
            True,
            "07:30",
            "Europe/Berlin",
        )
        assert record.next_due == at(6, 30)
        assert store.delivered_ids(self.NEW) == {"a", "b"}
        assert [c.chat_id for c in store.due_chats(at(7))] == [self.NEW]

    def test_replaces_a_record_the_new_id_already_had(self, store: SubscriptionStore) -> None:
        store.subscribe(self.OLD, None, EIGHT, NOW)
        store.record_deliveries(self.OLD, ["a"], NOW)
        store.touch_chat(self.NEW, "supergroup", NOW)  # someone wrote in the new group first
        store.record_deliveries(self.NEW, ["b"], NOW)
        store.migrate_chat(self.OLD, self.NEW, NOW)
        record = store.chat(self.NEW)
        assert record is not None and record.subscribed
        assert store.delivered_ids(self.NEW) == {"a", "b"}

    def test_unknown_old_id_leaves_the_new_chat_alone(self, store: SubscriptionStore) -> None:
        store.subscribe(self.NEW, None, EIGHT, NOW)
        store.record_deliveries(self.NEW, ["b"], NOW)
        store.migrate_chat(self.OLD, self.NEW, NOW)
        record = store.chat(self.NEW)
        assert record is not None and record.subscribed and record.next_due == EIGHT
        assert store.delivered_ids(self.NEW) == {"b"}

    def test_survives_reopen(self, path: Path) -> None:
        first = SubscriptionStore(path)
        first.subscribe(self.OLD, None, EIGHT, NOW)
        first.record_deliveries(self.OLD, ["a"], NOW)
        first.migrate_chat(self.OLD, self.NEW, NOW)
        first.close()
        again = SubscriptionStore(path)
        try:
            record = again.chat(self.NEW)
            assert record is not None and record.subscribed
            assert again.delivered_ids(self.NEW) == {"a"}
            assert again.chat(self.OLD) is None
        finally:
            again.close()


class TestStats:
    """Counts for /stats: chats, subscribers, active subscribers, deliveries since a time."""

    def test_empty(self, store: SubscriptionStore) -> None:
        stats = store.stats(since=at(0))
        assert (stats.chats, stats.subscribers, stats.active_subscribers) == (0, 0, 0)
        assert stats.deliveries_since == 0

    def test_counts(self, store: SubscriptionStore) -> None:
        store.touch_chat(1, "private", NOW)
        store.subscribe(2, None, EIGHT, NOW)
        store.subscribe(3, None, EIGHT, NOW)
        store.deactivate(3, "blocked", NOW)
        store.subscribe(4, None, EIGHT, NOW)
        store.unsubscribe(4, NOW)
        store.record_deliveries(2, ["a", "b"], at(8))
        store.record_deliveries(3, ["a"], at(8) - dt.timedelta(days=1))
        stats = store.stats(since=at(0))
        assert (stats.chats, stats.subscribers, stats.active_subscribers) == (4, 2, 1)
        assert stats.deliveries_since == 2


class TestDrafts:
    """Pending drafts survive a restart, are found by key, and old ones are dropped."""

    def draft(self, key: str, created: dt.datetime = NOW) -> PendingDraft:
        return PendingDraft(key, 42, 42, f"{key}.yaml", f"id: {key}\n", created)

    def test_a_version_1_file_gains_the_drafts_table(self, path: Path) -> None:
        path.parent.mkdir(parents=True)
        with sqlite3.connect(path) as db:
            db.executescript(_MIGRATIONS[0] + "PRAGMA user_version = 1;")
            db.execute("INSERT INTO chats (chat_id, created_at, updated_at) VALUES (7, 'x', 'x')")
        store = SubscriptionStore(path)
        try:
            assert user_version(path) == SCHEMA_VERSION
            assert store.chat(7) is not None
            store.save_draft(self.draft("abc"))
            assert store.draft("abc") == self.draft("abc")
        finally:
            store.close()

    def test_survives_reopen_and_is_deleted_once(self, path: Path) -> None:
        first = SubscriptionStore(path)
        first.save_draft(self.draft("k1"))
        first.close()
        again = SubscriptionStore(path)
        try:
            assert again.draft("k1") == self.draft("k1")
            assert again.delete_draft("k1") is True
            assert again.delete_draft("k1") is False
            assert again.draft("k1") is None
        finally:
            again.close()

    def test_saving_drops_drafts_older_than_asked(self, store: SubscriptionStore) -> None:
        store.save_draft(self.draft("old", NOW - dt.timedelta(days=31)))
        store.save_draft(self.draft("recent", NOW - dt.timedelta(days=1)))
        store.save_draft(self.draft("new"), keep_since=NOW - dt.timedelta(days=30))
        assert store.draft("old") is None
        assert store.draft("recent") is not None and store.draft("new") is not None


class TestChatLanguage:
    """A chat's `/language` choice is kept, also in a file made before the column existed."""

    def test_set_and_clear(self, store: SubscriptionStore) -> None:
        assert store.chat_language(1001) is None
        store.set_language(1001, "uk", NOW)
        assert store.chat_language(1001) == "uk"
        store.set_language(1001, None, NOW)
        assert store.chat_language(1001) is None

    def test_an_older_file_gains_the_column_and_keeps_its_chats(self, path: Path) -> None:
        path.parent.mkdir(parents=True)
        with sqlite3.connect(path) as db:
            for script in _MIGRATIONS[:2]:
                db.executescript(script)
            db.execute("INSERT INTO chats (chat_id, created_at, updated_at) VALUES (5, 'x', 'x')")
            db.execute("PRAGMA user_version = 2")
        store = SubscriptionStore(path)
        try:
            assert user_version(path) == SCHEMA_VERSION
            assert store.chat(5) is not None and store.chat_language(5) is None
            store.set_language(5, "fr", NOW)
            assert store.chat_language(5) == "fr"
        finally:
            store.close()


class TestTopicsAndChannels:
    """A file made before topics and channels existed gains them and keeps its chats."""

    def test_a_version_4_file_gains_topics_and_channels(self, path: Path) -> None:
        path.parent.mkdir(parents=True)
        with sqlite3.connect(path) as db:
            for script in _MIGRATIONS[:4]:
                db.executescript(script)
            db.execute("PRAGMA user_version = 4")
            db.execute(
                "INSERT INTO chats (chat_id, subscribed, created_at, updated_at)"
                " VALUES (7, 1, 'x', 'x')"
            )
        store = SubscriptionStore(path)
        try:
            assert user_version(path) == SCHEMA_VERSION
            record = store.chat(7)
            assert record is not None and record.subscribed
            store.set_topics(7, ["nato", "peace talks"])
            assert store.topics(7) == ["nato", "peace talks"]
            store.configure_channel(-1009, "News", "news", 7, NOW)
            channel = store.channel(-1009)
            assert channel is not None and channel.configured_by == 7 and channel.active
            assert store.channels_configured_by(7) == [channel]
        finally:
            store.close()
