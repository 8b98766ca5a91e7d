"""Digest fan-out to N private chats through the real sender, rate limiter and HTTP client.

Set-up, all in this process: a `FakeBotAPIServer` on 127.0.0.1 whose `FakeBotAPI` enforces
Telegram's broadcast limits (`FloodLimits(overall_per_second=30, group_per_minute=20)`: a 31st
message inside any one-second window gets a 429); briefbot built by `create_services` and
`build_application` exactly as `briefbot run` does (real `HTTPXRequest` to the fake, real
`AIORateLimiter`, real `TelegramSender`), without the job queue. N private chats are subscribed
directly in a fresh SQLite store, all due now by the real clock (the bench config's digest cron
fires every minute and each chat's next_due is the current minute's slot, so the planner decides
"send"). Then `await services.runner.run_due()` is timed. `--chats N` runs one size; by default
1000 and then 10000 (the latter takes ~6 minutes at 28 messages/s, by design).

How to read the figures:

* total: wall time of `run_due()`, from the first due query to the last ledger write.
* steady rate: accepted sendMessage calls per second as timestamped by the fake (time.monotonic,
  taken under the fake's lock, i.e. on its own flood clock) from one second after the first
  message to the last; "of 30" is that rate as a fraction of Telegram's 30/s. The limiter is set
  to 28/s (0.93), but its bucket holds one message, so every late wake-up of the event loop is
  lost rather than made up: expect ~27-27.4/s (0.90-0.91). The target band is 0.90-1.00.
* max in 1 s: the most accepted messages in any sliding one-second window at the fake; the fake
  (and Telegram) refuse the 31st, so this is at most 30, and 29 is the most the limiter should
  ever let through (a bucket of one plus 28/s).
* gaps: time between consecutive accepted messages at the fake; 1/28 s = 35.7 ms is the pacing.
* 429s: flood refusals counted by the fake (target 0). A 429 costs the sender a retry after the
  wait Telegram names. AIORateLimiter pauses requests for that wait only *after* they took their
  slot, so everything that took a slot meanwhile fires at once when the wait ends: one 429 tends
  to bring a cluster of them every ~1.7 s (see bench/window_limiter.py).
* lost / duplicated: chats with no accepted sendMessage / with more than one (targets 0).
* ledger: chats whose `store.delivered_ids` holds exactly the briefings of their digest.
* memory: tracemalloc's peak over the whole run (it includes the fake's own records of every
  request and message, which a real deployment does not have) and the process's ru_maxrss (the
  high-water mark of the whole process since it started, so it never goes down between runs).
  `--no-tracemalloc` turns tracing off, which also removes its overhead (the event loop runs
  ~2x slower under tracing, so any stall between the limiter and the socket grows with it).
* `--limiter window` swaps the bot's AIORateLimiter for the prototype in bench/window_limiter.py
  (which see) to compare; the default measures the bot as it is.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _measure import max_in_window
from window_limiter import WindowRateLimiter

from bot import application as application_module
from bot.application import build_application, create_services
from bot.config import Config
from bot.simulation.fake_api import FakeBotAPI, FakeBotAPIServer, FloodLimits, decode_params

REPO = Path(__file__).resolve().parent.parent
FIRST_CHAT = 700_000_001
PROGRESS_EVERY = 1000


class StampingAPI(FakeBotAPI):
    """A FakeBotAPI that timestamps every accepted sendMessage on its own flood clock."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.accepted: list[tuple[float, int]] = []

    def handle(self, method: str, params: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer as the fake does; record (monotonic time, chat id) of accepted sendMessage."""
        if method.lower() != "sendmessage":
            return super().handle(method, params)
        with self._lock:  # the same (re-entrant) lock the fake checks its flood limits under
            stamp = time.monotonic()
            status, body = super().handle(method, params)
            if status == 200:
                self.accepted.append((stamp, decode_params(params)["chat_id"]))
        return status, body


class WarningCounter(logging.Handler):
    """Counts log records at WARNING and above; keeps the first few."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0
        self.first: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Count the record."""
        self.count += 1
        if len(self.first) < 5:
            self.first.append(f"{record.levelname} {record.name}: {record.getMessage()}")


@dataclass
class Figures:
    """What one run measured."""

    chats: int
    total: float
    steady_rate: float
    max_window: int
    gaps: list[float]
    rejections: int
    lost: int
    duplicated: int
    ledger_ok: int
    stats: str
    peak_mb: float
    maxrss_mb: float


def steady_rate(stamps: list[float]) -> float:
    """Messages per second from one second after the first message to the last."""
    if len(stamps) < 2:
        return 0.0
    begin = stamps[0] + 1.0
    later = [s for s in stamps if s >= begin]
    if len(later) < 2:
        return (len(stamps) - 1) / (stamps[-1] - stamps[0])
    return (len(later) - 1) / (later[-1] - later[0])


async def progress(api: StampingAPI, chats: int, started: float) -> None:
    shown = 0
    while True:
        await asyncio.sleep(0.25)
        done = len(api.accepted)
        while done >= shown + PROGRESS_EVERY:
            shown += PROGRESS_EVERY
            elapsed = time.monotonic() - started
            print(
                f"  {shown:>6}/{chats} sent after {elapsed:6.1f} s"
                f" ({shown / elapsed:5.1f}/s so far, {api.flood_rejections} x 429)",
                flush=True,
            )


async def run(chats: int, trace: bool) -> Figures:
    if trace:
        tracemalloc.start()
        tracemalloc.reset_peak()
    api = StampingAPI(flood=FloodLimits(overall_per_second=30, group_per_minute=20))
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp, FakeBotAPIServer(api) as srv:
        config = Config.model_validate(
            {
                "telegram": {"base_url": srv.base_url},
                "briefings": {"dir": str(REPO / "briefings")},
                "storage": {"path": str(Path(tmp) / "fanout.sqlite3")},
                "digest": {"cron": "* * * * *"},
            }
        )
        services = create_services(config, storage_path=Path(tmp) / "fanout.sqlite3")
        application = build_application(services, api.token, jobs=False)
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        store, runner = services.store, services.runner
        try:
            now = services.clock.now()
            slot = now.replace(second=0, microsecond=0)  # this minute's slot: due, within grace
            chat_ids = range(FIRST_CHAT, FIRST_CHAT + chats)
            for chat_id in chat_ids:
                store.subscribe(chat_id, None, slot, now)
            digest = runner.build(FIRST_CHAT)
            if digest is None:
                raise SystemExit("the briefings folder holds nothing to send")
            expected = {b.id for b in digest.items}
            print(
                f"{chats} chats subscribed; each digest: {len(digest.parts)} message(s),"
                f" {len(digest.parts[0])} characters, briefings {sorted(expected)}",
                flush=True,
            )
            started = time.monotonic()
            reporter = asyncio.create_task(progress(api, chats, started))
            try:
                stats = await runner.run_due()
            finally:
                reporter.cancel()
            total = time.monotonic() - started
            print(
                f"  run_due done after {total:.1f} s: {len(api.accepted)} accepted,"
                f" {api.flood_rejections} x 429",
                flush=True,
            )
            await asyncio.sleep(0.2)  # let any stray request land before counting
            ledger_ok = sum(store.delivered_ids(chat_id) == expected for chat_id in chat_ids)
        finally:
            await application.shutdown()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        if trace:
            tracemalloc.stop()
        accepted = sorted(api.accepted)
        stamps = [stamp for stamp, _ in accepted]
        per_chat = Counter(chat_id for _, chat_id in accepted)
        return Figures(
            chats=chats,
            total=total,
            steady_rate=steady_rate(stamps),
            max_window=max_in_window(stamps),
            gaps=[b - a for a, b in itertools.pairwise(stamps)],
            rejections=api.flood_rejections,
            lost=sum(per_chat[chat_id] == 0 for chat_id in chat_ids),
            duplicated=sum(per_chat[chat_id] > 1 for chat_id in chat_ids),
            ledger_ok=ledger_ok,
            stats=(
                f"due {stats.due}, sent {stats.sent}, empty {stats.empty}, skipped"
                f" {stats.skipped}, failed {stats.failed}, gone {stats.gone}"
            ),
            peak_mb=peak / 2**20,
            maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        )


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(f: Figures, warnings: WarningCounter, trace: bool) -> None:
    fraction = f.steady_rate / 30
    q = statistics.quantiles(f.gaps, n=100, method="inclusive") if len(f.gaps) > 1 else [0] * 99
    print(f"\nFan-out to {f.chats} private chats")
    print(f"  run_due stats        {f.stats}")
    print(f"  total time           {f.total:.2f} s ({f.chats / f.total:.1f} chats/s overall)")
    print(
        f"  steady rate          {f.steady_rate:.2f} msg/s = {fraction:.3f} of 30"
        f"  [target 0.90-1.00: {verdict(0.9 <= fraction <= 1.0)}]"
    )
    print(f"  max in 1 s window    {f.max_window}  [limit 30: {verdict(f.max_window <= 30)}]")
    print(
        f"  gaps ms              p1 {q[0] * 1000:.1f}, p50 {q[49] * 1000:.1f},"
        f" p99 {q[98] * 1000:.1f}, max {max(f.gaps, default=0) * 1000:.1f}"
    )
    print(f"  429s                 {f.rejections}  [target 0: {verdict(f.rejections == 0)}]")
    print(f"  lost deliveries      {f.lost}  [target 0: {verdict(f.lost == 0)}]")
    print(f"  duplicated           {f.duplicated}  [target 0: {verdict(f.duplicated == 0)}]")
    print(
        f"  ledger               {f.ledger_ok}/{f.chats} chats record their briefings"
        f"  [{verdict(f.ledger_ok == f.chats)}]"
    )
    peak = f"{f.peak_mb:.1f} MB" if trace else "not traced"
    print(f"  memory               tracemalloc peak {peak}, ru_maxrss {f.maxrss_mb:.1f} MB")
    if warnings.count:
        print(f"  log warnings         {warnings.count}, first: {warnings.first}")
    warnings.count, warnings.first = 0, []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--chats", type=int, action="append", help="chats to fan out to (default: 1000, 10000)"
    )
    parser.add_argument("--no-tracemalloc", action="store_true", help="do not trace memory")
    parser.add_argument(
        "--limiter",
        choices=("aio", "window"),
        default="aio",
        help="aio: the bot's AIORateLimiter (default); window: bench/window_limiter.py prototype",
    )
    args = parser.parse_args()
    if args.limiter == "window":  # build_application calls build_rate_limiter() by name
        application_module.build_rate_limiter = WindowRateLimiter  # type: ignore[assignment]
    print(f"limiter: {args.limiter}; tracemalloc: {'off' if args.no_tracemalloc else 'on'}")
    warnings = WarningCounter()
    logging.basicConfig(level=logging.WARNING, format="  log: %(levelname)s %(name)s: %(message)s")
    logging.getLogger().addHandler(warnings)
    failed = False
    for chats in args.chats or [1000, 10000]:
        figures = asyncio.run(run(chats, trace=not args.no_tracemalloc))
        report(figures, warnings, trace=not args.no_tracemalloc)
        failed |= bool(figures.rejections or figures.lost or figures.duplicated)
        failed |= figures.ledger_ok != figures.chats
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
