"""Several real `briefbot run` replicas on one PostgreSQL database, against the HTTP fake Bot API.

Shared by tests/test_replicas.py and bench/bench_replicas.py. Each replica is its own process
in webhook mode, listening on its own port on 127.0.0.1; its log goes to a file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bot.simulation.fake_api import FakeBotAPI, decode_params
from bot.simulation.updates import UpdateFactory

ROOT = Path(__file__).resolve().parent.parent
FIRST_CHAT = 700_000_001
ADMIN = 42


class StampingAPI(FakeBotAPI):
    """A FakeBotAPI that timestamps every accepted sendMessage on its own flood clock."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.accepted: list[tuple[float, int]] = []

    def handle(self, method: str, params: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer as the fake does; record (monotonic time, chat id) of accepted sendMessage."""
        if method.lower() != "sendmessage":
            return super().handle(method, params)
        with self._lock:  # the lock the fake checks its flood limits under
            stamp = time.monotonic()
            status, body = super().handle(method, params)
            if status == 200:
                self.accepted.append((stamp, decode_params(params)["chat_id"]))
        return status, body


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def subscribe_chats(db_url: str, count: int) -> list[int]:
    """Subscribe `count` private chats, all due this minute; returns their ids."""
    from bot.storage.postgres import PostgresStore

    due = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    store = PostgresStore(db_url)
    chats = list(range(FIRST_CHAT, FIRST_CHAT + count))
    for chat in chats:
        store.subscribe(chat, None, due, due)
    store.close()
    return chats


@dataclass
class Replica:
    """One `briefbot run` process."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        """Where this replica takes webhook updates."""
        return f"http://127.0.0.1:{self.port}/telegram"

    def output(self) -> str:
        """Everything the replica logged so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")


@dataclass
class Cluster:
    """The replicas, started with one config."""

    folder: Path
    base_url: str
    db_url: str
    token: str
    lease_seconds: float = 5.0
    replicas: list[Replica] = field(default_factory=list)

    def config(self) -> Path:
        """The config every replica shares (its webhook port is overridden per replica)."""
        path = self.folder / "bot.yaml"
        path.write_text(
            f"briefings: {{dir: {ROOT / 'briefings'}}}\n"
            f"storage: {{path: {self.folder / 'unused.sqlite3'}}}\n"
            # Every minute is a slot, so chats due this minute are sent at once.
            f"digest: {{cron: '* * * * *', claim_lease_seconds: {self.lease_seconds}}}\n"
            "telegram: {webhook: {url: 'http://127.0.0.1:9/telegram', listen: 127.0.0.1}}\n"
            f"admins: [{ADMIN}]\n",
            encoding="utf-8",
        )
        return path

    def start(self, count: int) -> None:
        """Start `count` replicas: the first ones with --port, the last with the variable."""
        config = self.config()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEFBOT_", "TELEGRAM_"))}
        env |= {
            "TELEGRAM_API_BASE_URL": self.base_url,
            "TELEGRAM_BOT_TOKEN": self.token,
            "BRIEFBOT_DATABASE_URL": self.db_url,
            "PYTHONPATH": str(ROOT),
        }
        for number in range(count):
            port = free_port()
            command = [sys.executable, "-m", "bot", "run", "--config", str(config)]
            own = dict(env)
            if number == count - 1:
                own["BRIEFBOT_WEBHOOK_PORT"] = str(port)
            else:
                command += ["--port", str(port)]
            log = self.folder / f"replica-{number}.log"
            with log.open("wb") as sink:
                process = subprocess.Popen(
                    command, env=own, stdout=sink, stderr=subprocess.STDOUT, cwd=self.folder
                )
            self.replicas.append(Replica(process, port, log))

    def post(self, replica: Replica, text: str, chat_id: int) -> int | None:
        """Deliver a message update to one replica; its HTTP status, None if not listening."""
        update = json.dumps(UpdateFactory().message(text, chat_id=chat_id, user_id=chat_id))
        try:
            answer = httpx.post(
                replica.url,
                content=update,
                headers={"Content-Type": "application/json"},
                timeout=5,
            )
        except httpx.TransportError:
            return None
        return answer.status_code

    def kill(self, replica: Replica) -> None:
        """kill -9: no clean-up of any kind."""
        replica.process.send_signal(signal.SIGKILL)
        replica.process.wait(timeout=10)

    def stop(self) -> list[int]:
        """SIGTERM every replica still running; their exit codes (negative: killed)."""
        for replica in self.replicas:
            if replica.process.poll() is None:
                replica.process.send_signal(signal.SIGTERM)
        codes = []
        for replica in self.replicas:
            try:
                codes.append(replica.process.wait(timeout=20))
            except subprocess.TimeoutExpired:
                replica.process.kill()
                codes.append(replica.process.wait())
        return codes


def held_by(db_url: str, pid: int) -> set[int]:
    """The chats a replica has claimed and not finished (its id holds its pid)."""
    import psycopg

    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT chat_id FROM chats WHERE claimed_by LIKE %s", (f"%-{pid}-%",)
        ).fetchall()
    return {int(chat) for (chat,) in rows}


def digest_counts(api: StampingAPI, chats: list[int]) -> Counter[int]:
    """How many messages each subscriber chat received."""
    wanted = set(chats)
    return Counter(chat for _, chat in api.accepted if chat in wanted)
