"""Three `briefbot run` replicas on one PostgreSQL database sharing one digest fan-out.

Set-up: a `FakeBotAPIServer` on 127.0.0.1 enforcing Telegram's limits (`FloodLimits()`: the 31st
message in any one-second window gets a 429) and timestamping every accepted sendMessage on its
own clock; a fresh database on the server named by BRIEFBOT_TEST_DATABASE_URL (or a throw-away
cluster started with .ci/postgres.sh when it is unset); N private chats subscribed and due this
minute; then `--replicas` real `briefbot run` processes in webhook mode (tests/replica_cluster.py).
Each sends at most 28/s divided by the live replicas (`bot.replicas`), so the sum stays under 30.

With `--kill`, the first replica gets SIGKILL once a third of the chats have their digest; its
claimed chats move to the others when their lease (`--lease`, 5 s here, 20 s by default) ends.

Figures: total (first to last digest), steady rate (accepted messages per second from one
second after the first to the last; "of 30" is that over Telegram's 30/s), max in 1 s (the most
accepted in any sliding one-second window, over all replicas together; the fake refuses a 31st),
429s (flood refusals counted by the fake, target 0), lost (chats without a digest, target 0),
duplicated (chats with more than one digest; target ≤ 16, the fan-out workers of the killed
replica), left claimed (chats the killed replica had claimed but not finished), and take-over
(from the kill to the last digest of those chats, sent by the others).
"""

from __future__ import annotations

import argparse
import itertools
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from _measure import max_in_window  # noqa: E402
from replica_cluster import (  # noqa: E402
    Cluster,
    StampingAPI,
    digest_counts,
    held_by,
    subscribe_chats,
)

from bot.simulation.fake_api import FakeBotAPIServer, FloodLimits  # noqa: E402

TOKEN = "123456789:AA" + "BenchTokenNotReal" * 2
TELEGRAM_LIMIT = 30


def steady_rate(stamps: list[float]) -> float:
    """Messages per second from one second after the first message to the last."""
    later = [s for s in stamps if s >= stamps[0] + 1.0]
    if len(later) < 2:
        return 0.0
    return (len(later) - 1) / (later[-1] - later[0])


def server_url() -> tuple[str, Path | None]:
    """The PostgreSQL server to use, and the folder of the cluster this bench started for it."""
    import os

    url = os.environ.get("BRIEFBOT_TEST_DATABASE_URL")
    if url:
        return url, None
    folder = Path(tempfile.mkdtemp(prefix="briefbot-bench-pg."))
    started = subprocess.run(
        [str(REPO / ".ci" / "postgres.sh"), "start", str(folder)],
        check=True,
        capture_output=True,
        text=True,
    )
    return started.stdout.strip(), folder


def run(chats: int, replicas: int, kill: bool, lease: float, server: str) -> None:
    """One run; prints its figures."""
    name = f"briefbot_bench_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    db_url = server.rsplit("/", 1)[0] + f"/{name}"
    api = StampingAPI(token=TOKEN, flood=FloodLimits())
    try:
        with FakeBotAPIServer(api) as fake, tempfile.TemporaryDirectory() as folder:
            subscribed = subscribe_chats(db_url, chats)
            cluster = Cluster(Path(folder), fake.base_url, db_url, TOKEN, lease_seconds=lease)
            cluster.start(replicas)
            killed_at = None
            unfinished: set[int] = set()
            deadline = time.monotonic() + 120 + chats / 20
            try:
                while time.monotonic() < deadline:
                    done = len(digest_counts(api, subscribed))
                    if kill and killed_at is None and done >= chats // 3:
                        victim = cluster.replicas[0]
                        cluster.kill(victim)
                        killed_at = time.monotonic()
                        unfinished = held_by(db_url, victim.process.pid)
                    if done == chats:
                        break
                    time.sleep(0.05)
            finally:
                codes = cluster.stop()
        stamps = sorted(stamp for stamp, chat in api.accepted if chat >= subscribed[0])
        counts = digest_counts(api, subscribed)
        parts = min(counts.values()) if counts else 1
        print(f"{chats} chats, {replicas} replicas{', one killed' if kill else ''}:")
        print(f"  total        {stamps[-1] - stamps[0]:.1f} s")
        rate = steady_rate(stamps)
        print(f"  steady rate  {rate:.1f}/s ({rate / TELEGRAM_LIMIT:.2f} of 30)")
        print(f"  max in 1 s   {max_in_window(stamps)} (limit {TELEGRAM_LIMIT})")
        print(f"  429s         {api.flood_rejections}")
        print(f"  lost         {chats - len(counts)}")
        print(f"  duplicated   {sum(1 for n in counts.values() if n > parts)}")
        gaps = [b - a for a, b in itertools.pairwise(stamps)]
        print(f"  longest gap  {max(gaps):.2f} s")
        if killed_at is not None:
            moved = [s for s, chat in api.accepted if chat in unfinished and s > killed_at]
            print(f"  left claimed {len(unfinished)} chat(s) by the killed replica")
            if moved:
                print(f"  take-over    {max(moved) - killed_at:.1f} s after the kill")
        print(f"  exit codes   {codes}")
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main() -> None:
    """Parse options, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=600)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--kill", action="store_true", help="kill -9 one replica mid-fan-out")
    parser.add_argument("--lease", type=float, default=5.0, help="claim lease in seconds")
    args = parser.parse_args()
    server, folder = server_url()
    try:
        run(args.chats, args.replicas, args.kill, args.lease, server)
    finally:
        if folder is not None:
            subprocess.run([str(REPO / ".ci" / "postgres.sh"), "stop", str(folder)], check=False)


if __name__ == "__main__":
    main()
