"""A chat's record as read is always what was last written, however often it is read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.storage import SubscriptionStore

NOW = dt.datetime(2025, 3, 15, 9, 0, tzinfo=dt.UTC)


def test_every_write_shows_in_the_next_read(tmp_path: Path) -> None:
    store = SubscriptionStore(tmp_path / "state.db")
    assert store.chat(7) is None
    store.touch_chat(7, "private", NOW)
    assert store.chat(7) is not None and store.chat(7) == store.chat(7)
    store.set_current_briefing(7, "first", NOW)
    assert store.chat(7).current_briefing == "first"  # type: ignore[union-attr]
    store.set_current_briefing(7, "second", NOW)
    assert store.chat(7).current_briefing == "second"  # type: ignore[union-attr]
    store.subscribe(7, "08:00", NOW + dt.timedelta(days=1), NOW)
    assert store.chat(7).subscribed  # type: ignore[union-attr]
    store.set_timezone(7, "Europe/Paris", None, NOW)
    assert store.chat(7).timezone == "Europe/Paris"  # type: ignore[union-attr]
    store.deactivate(7, "blocked", NOW)
    assert not store.chat(7).active  # type: ignore[union-attr]
    store.touch_chat(7, "private", NOW)
    assert store.chat(7).active  # type: ignore[union-attr]
    store.migrate_chat(7, -1007, NOW)
    assert store.chat(7) is None
    assert store.chat(-1007).current_briefing == "second"  # type: ignore[union-attr]
    dump = store.export_state()
    other = SubscriptionStore(tmp_path / "other.db")
    other.touch_chat(-1007, "group", NOW)
    assert other.chat(-1007).current_briefing is None  # type: ignore[union-attr]
    other.import_state(dump)
    assert other.chat(-1007).current_briefing == "second"  # type: ignore[union-attr]
    store.close()
    other.close()


def test_a_failed_write_leaves_reads_true(tmp_path: Path) -> None:
    store = SubscriptionStore(tmp_path / "state.db")
    store.set_current_briefing(7, "first", NOW)
    assert store.chat(7).current_briefing == "first"  # type: ignore[union-attr]
    try:
        with store._transaction() as db:
            db.execute("UPDATE chats SET current_briefing = 'lost' WHERE chat_id = 7")
            assert store.chat(7).current_briefing == "lost"  # type: ignore[union-attr]
            raise RuntimeError
    except RuntimeError:
        pass
    assert store.chat(7).current_briefing == "first"  # type: ignore[union-attr]
    store.close()
