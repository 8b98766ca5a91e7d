"""The bot on PostgreSQL while the database goes away and comes back."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import SEED_ID, T0, make_config
from pg_fixtures import server_url

from bot.config import StorageConfig
from bot.handlers.common import NO_DATABASE
from bot.simulation.harness import SimulatedBot

CHAT = 1001
OTHER = 2002
EIGHT = T0.replace(hour=8)


@contextmanager
def database_gone(pg_url: str) -> Iterator[None]:
    """No new connections to the test database, and its open ones cut, until the block ends."""
    import psycopg

    name = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(server_url(), autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        try:
            yield
        finally:
            admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")


async def test_reading_answers_digests_wait_and_resume_once(
    pg_url: str,
    briefings_dir: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.storage import postgres

    # Calls fail at once while the database is down; the first after it is back tries it.
    monkeypatch.setattr(postgres, "RETRY_SECONDS", 3600.0)
    config = make_config(briefings_dir, tmp_path / "state.sqlite3")
    config = config.model_copy(update={"storage": StorageConfig(url=pg_url)})
    caplog.set_level(logging.INFO)
    async with SimulatedBot(config, storage_path=None, start=T0) as bot:
        assert "Subscribed" in (await bot.say("/subscribe", chat_id=CHAT))[0].visible_text
        with database_gone(pg_url):
            summary = await bot.say(f"/summary {SEED_ID}", chat_id=CHAT)
            assert summary[0].visible_text.startswith("Ukraine’s allies rally")
            refused = await bot.say("/subscribe", chat_id=OTHER)
            assert [m.visible_text for m in refused] == [NO_DATABASE]
            # The digest tick, as the job queue runs it, several times over.
            bot.clock.set(EIGHT + dt.timedelta(minutes=1))
            for _ in range(3):
                stats = await bot.services.runner.run_due()
                assert stats.due == 0
            assert bot.api.messages_to(CHAT)[-1].visible_text.startswith("Ukraine’s allies")
        monkeypatch.setattr(postgres, "RETRY_SECONDS", 0.0)
        bot.clock.set(EIGHT + dt.timedelta(minutes=2))
        stats = await bot.services.runner.run_due()
        assert stats.sent == 1
        assert bot.api.messages_to(CHAT)[-1].visible_text.startswith("Your digest")
        sent, _ = await bot.advance(dt.timedelta(days=1))
        assert sent == []
        assert "Subscribed" in (await bot.say("/subscribe", chat_id=OTHER))[0].visible_text
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.storage.postgres"]
    assert sum("unavailable" in m for m in messages) == 1, messages
    assert sum("available again" in m for m in messages) == 1, messages
    assert not any(r.exc_info for r in caplog.records if r.levelno >= logging.ERROR)
