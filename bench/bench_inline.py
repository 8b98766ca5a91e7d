"""Inline-mode answer time on a large library, next to `/search` for the same words.

Set-up: `bench/_gen.py` writes `--count` briefings (default 2,000) shaped like the seed into a
temporary folder; the real application runs in-process on the fake Bot API (`SimulatedBot`),
so the figures are the bot's own work — dispatch, the library lookup, rendering 50 summary
cards, PTB serialising the answer and the fake checking every card's HTML — without a network.

Rows: the first and the last page for no query (the newest), the first page of a common word
and its last page (matches stop at `bot.briefing.sharing.MAX_MATCHES`), and the baseline
`/search <word>` (one message of up to 10 matches with its page buttons, same search). Each
is timed `--repeat` times after one warm-up; the median and the 95th percentile are printed,
and the ratio of the inline median to the baseline's. Repeats find the page's briefings in the
shelf's cache of unpacked ones; a deep search page unpacks the matches before it too, which the
cache cannot hold. There is no hard target: an answer is expected well under Telegram's
10-second limit for inline answers; the ratio shows what rendering 50 cards costs over one
search message.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from _gen import write_briefings

from bot.briefing.sharing import MAX_MATCHES
from bot.config import Config
from bot.simulation.harness import SimulatedBot


def percentile(values: list[float], pct: int) -> float:
    """The `pct`th percentile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


async def timed(run: Callable[[], Awaitable[object]], repeat: int) -> list[float]:
    """Seconds taken by each of `repeat` runs, after one warm-up run."""
    await run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await run()
        times.append(time.perf_counter() - started)
    return times


async def measure(folder: Path, state: Path, word: str, repeat: int) -> int:
    config = Config.model_validate(
        {"briefings": {"dir": str(folder)}, "storage": {"path": str(state)}}
    )
    start = dt.datetime(2026, 11, 25, 7, tzinfo=dt.UTC)
    async with SimulatedBot(config, storage_path=state, start=start) as bot:
        count = len(bot.services.library)
        matches = len(bot.services.library.search(word, limit=count))
        last = str((max(min(matches, MAX_MATCHES) - 1, 0) // 50) * 50)
        deepest = str(((count - 1) // 50) * 50)

        async def inline(query: str, offset: str = "") -> None:
            answer = await bot.inline(query, offset)
            assert answer is not None and answer.results, "no inline answer"

        rows = {
            "inline, no query (newest 50)": lambda: inline(""),
            f"inline, no query, offset {deepest}": lambda: inline("", deepest),
            f"inline, “{word}” first page": lambda: inline(word),
            f"inline, “{word}” offset {last}": lambda: inline(word, last),
            f"baseline: /search {word}": lambda: bot.say(f"/search {word}"),
        }
        results = {name: await timed(run, repeat) for name, run in rows.items()}
        if bot.errors:
            print(f"handlers raised: {bot.errors!r}", file=sys.stderr)
            return 1
    baseline = statistics.median(results[f"baseline: /search {word}"])
    print(f"{count} briefings, “{word}” matches {matches}; {repeat} runs each")
    print(f"{'':34} {'median':>9} {'p95':>9} {'× baseline':>11}")
    for name, times in results.items():
        median = statistics.median(times)
        print(
            f"{name:34} {median * 1000:8.1f}ms {percentile(times, 95) * 1000:8.1f}ms"
            f" {median / baseline:10.2f}x"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="briefings to generate")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per row")
    parser.add_argument("--word", default="ceasefire", help="the query word")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-inline-") as tmp:
        folder = Path(tmp) / "briefings"
        folder.mkdir()
        write_briefings(folder, args.count)
        return asyncio.run(measure(folder, Path(tmp) / "state.sqlite3", args.word, args.repeat))


if __name__ == "__main__":
    raise SystemExit(main())
