"""Replicas: three `briefbot run` processes on one PostgreSQL database, and polling's 409.

The replica test is the slowest in the suite (~25 s) by necessity: it waits for real processes
to start, for a real fan-out at Telegram's rate, and for a killed replica's leases to run out.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import token_like
from replica_cluster import (
    ADMIN,
    Cluster,
    StampingAPI,
    digest_counts,
    held_by,
    subscribe_chats,
)
from test_run import start_bot, stop, wait_for

from bot.digest.runner import FANOUT_WORKERS
from bot.runner_cli import CONFLICT
from bot.simulation.fake_api import FakeBotAPI, FakeBotAPIServer, FloodLimits
from bot.simulation.updates import UpdateFactory

TOKEN = token_like()
SUBSCRIBERS = 150


@pytest.fixture
def fake() -> Iterator[tuple[StampingAPI, FakeBotAPIServer]]:
    api = StampingAPI(token=TOKEN, flood=FloodLimits())
    with FakeBotAPIServer(api) as server:
        yield api, server


class TestPollingConflict:
    def test_a_second_poller_is_one_line_and_exit_2(self, tmp_path: Path) -> None:
        api = FakeBotAPI(token=TOKEN)
        # Telegram answers a conflicting poll at once; the fake holds a poll until an update
        # is waiting, so one is.
        api.push_update(UpdateFactory().message("/help", chat_id=5))
        api.fail(
            "getUpdates",
            times=1000,
            status=409,
            description="Conflict: terminated by other getUpdates request; make sure that only"
            " one bot instance is running",
        )
        with FakeBotAPIServer(api) as server:
            process = start_bot(tmp_path, server.base_url, token=TOKEN)
            code, output = stop(process, terminate=False)
        assert code == 2, output
        assert output.strip().splitlines()[-1] == CONFLICT
        assert "Traceback" not in output
        assert api.messages_to(5) == []
        polls = [r for r in api.requests if r.method.lower() == "getupdates"]
        assert 1 <= len(polls) <= 3


class TestThreeReplicas:
    def test_kill_one_mid_fanout_every_subscriber_gets_the_digest(
        self, fake: tuple[StampingAPI, FakeBotAPIServer], pg_url: str, tmp_path: Path
    ) -> None:
        api, server = fake
        chats = subscribe_chats(pg_url, SUBSCRIBERS)
        cluster = Cluster(tmp_path, server.base_url, pg_url, TOKEN, lease_seconds=5.0)
        cluster.start(3)
        victim, *survivors = cluster.replicas
        try:
            # Every replica answers whatever update reaches it.
            for number, replica in enumerate(cluster.replicas):
                chat = 900 + number
                assert wait_for(lambda r=replica, c=chat: cluster.post(r, "/help", c) == 200, 30)
                assert wait_for(lambda c=chat: api.messages_to(c), 10)

            # /stats lists the three once each has had a heartbeat.
            def three_live() -> bool:
                cluster.post(survivors[0], "/stats", ADMIN)
                time.sleep(0.3)
                return any("Replicas</b>: 3 live" in m.text for m in api.messages_to(ADMIN))

            assert wait_for(three_live, 15)
            # Kill one as soon as the fan-out is under way.
            assert wait_for(lambda: len(digest_counts(api, chats)) >= 30, 30)
            cluster.kill(victim)
            killed_at = time.monotonic()
            orphaned = held_by(pg_url, victim.process.pid)
            assert wait_for(lambda: len(digest_counts(api, chats)) == SUBSCRIBERS, 40)
            took_over = time.monotonic() - killed_at
        finally:
            codes = cluster.stop()
        counts = digest_counts(api, chats)
        parts = min(counts.values())
        duplicated = [chat for chat, n in counts.items() if n > parts]
        logs = "\n".join(r.output() for r in cluster.replicas)
        assert orphaned, "the killed replica held no chats: it was not mid-fan-out"
        assert set(counts) == set(chats), logs
        assert len(duplicated) <= FANOUT_WORKERS, (duplicated, took_over)
        assert api.flood_rejections == 0, logs
        assert codes[0] == -9 and codes[1:] == [0, 0], logs
        assert "Traceback" not in logs
        assert TOKEN not in logs
        stats = [m.visible_text for m in api.messages_to(ADMIN)]
        assert any("webhook :" in text and "digest fan-out" in text for text in stats)
