"""Cost of narrowing a digest to a chat's topics, against building it unfiltered.

Set-up: `--count` synthetic briefings (bench/_gen.py, seed-sized) loaded into a real
`BriefingLibrary`; a `DigestRunner` on an in-memory store; one chat that has received nothing,
following three topics (a tag, a name and a two-word phrase). Timed with perf_counter, median of
`--runs`:

* "unfiltered" (the baseline): `runner.build(chat)` for a chat that follows no topic, i.e. what a
  digest cost before topics.
* "topics, cold": the first build with topics, when every briefing's words are read (folded and
  stemmed) once; the runner keeps them for the next builds.
* "topics, warm": the same build again, as for the next chat due in the same pass.
* "topics, other chat": a second chat with other topics, profiles already read.
* "read ahead, cold": what a digest run does first on a fresh runner, `await runner.read_ahead`
  (reading every briefing's words in batches, yielding in between), then the build. Printed
  with the longest time the event loop was held between two yields ("longest block"), as
  seen by a task that wakes up on every turn of the loop: what a command answer could wait.
* "read ahead, daily chat": the same on a fresh runner for a chat that has received all but the
  20 newest briefings: only those it has not received are read.

Run: ``PYTHONPATH=. python bench/bench_topics.py [--count N] [--runs N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from bench._gen import write_briefings
from bot.briefing.library import BriefingLibrary
from bot.clock import ManualClock
from bot.digest.planner import DigestPlanner
from bot.digest.runner import DigestRunner
from bot.storage import SubscriptionStore


def _timed(work: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def _read_ahead(runner: DigestRunner, chat_id: int) -> tuple[float, float]:
    """Total time of read_ahead + build, and the longest the loop was held meanwhile."""
    longest = 0.0
    done = False

    async def ticker() -> None:
        nonlocal longest
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0)
            now = time.perf_counter()
            longest = max(longest, now - last)
            last = now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    started = time.perf_counter()
    await runner.read_ahead(chat_id)
    runner.build(chat_id)
    total = time.perf_counter() - started
    done = True
    await task
    return total, longest


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        write_briefings(Path(folder), args.count)
        library = BriefingLibrary([Path(folder)])
        library.reload()
        store = SubscriptionStore(":memory:")
        planner = DigestPlanner("0 8 * * *", "UTC", 10, 3600)
        runner = DigestRunner(store, library, planner, ManualClock(dt.datetime.now(dt.UTC)))
        store.set_topics(2, ["#ukraine", "Macron", "peace talks"])
        store.set_topics(3, ["energy", "#nato", "ceasefire monitoring"])
        baseline = _timed(lambda: runner.build(1), args.runs)
        started = time.perf_counter()
        cold_digest = runner.build(2)
        cold = time.perf_counter() - started
        warm = _timed(lambda: runner.build(2), args.runs)
        other = _timed(lambda: runner.build(3), args.runs)
        fresh = DigestRunner(store, library, planner, ManualClock(dt.datetime.now(dt.UTC)))
        ahead, longest = asyncio.run(_read_ahead(fresh, 2))
        # A chat that has had all but the 20 newest, as a daily reader's chat has.
        store.set_topics(4, ["#ukraine", "Macron", "peace talks"])
        store.record_deliveries(4, library.newest_ids()[20:], dt.datetime.now(dt.UTC))
        steady = DigestRunner(store, library, planner, ManualClock(dt.datetime.now(dt.UTC)))
        ahead_steady, _ = asyncio.run(_read_ahead(steady, 4))
        items = len(cold_digest.items) if cold_digest else 0
        print(f"{len(library)} briefings; the topic digest holds {items} items")
        for name, seconds in [
            ("unfiltered (baseline)", baseline),
            ("topics, cold", cold),
            ("topics, warm", warm),
            ("topics, other chat", other),
            ("read ahead, cold", ahead),
            ("read ahead, daily chat", ahead_steady),
        ]:
            print(f"{name:24} {seconds * 1000:9.1f} ms   {seconds / baseline:6.1f}x baseline")
        print(f"{'longest block':24} {longest * 1000:9.1f} ms   (read ahead, cold)")


if __name__ == "__main__":
    main()
