"""Digest fan-out to N private chats through the real sender, rate limiter and HTTP client.

Set-up, all in this process: a `FakeBotAPIServer` on 127.0.0.1 whose `FakeBotAPI` enforces
Telegram's broadcast limits (`FloodLimits(overall_per_second=30, group_per_minute=20)`: a 31st
message inside any one-second window gets a 429); briefbot built by `create_services` and
`build_application` exactly as `briefbot run` does (real `HTTPXRequest` to the fake, real
`LaneRateLimiter`, real `TelegramSender`), without the job queue. N private chats are subscribed
directly in a fresh SQLite store, all due now by the real clock (the bench config's digest cron
fires every minute and each chat's next_due is the current minute's slot, so the planner decides
"send"). Then `await services.runner.run_due()` is timed. `--chats N` runs one size; by default
1000 and then 10000 (the latter takes ~6 minutes at ~30 messages/s, by design).

How to read the figures:

* total: wall time of `run_due()`, from the first due query to the last ledger write.
* steady rate: accepted sendMessage calls (digests and the answers to the timed commands below)
  per second, from the start of the fan-out on, as timestamped by the fake (time.monotonic,
  taken under the fake's lock, i.e. on its own flood clock) from one second after the first
  message to the last; "of 30" is that rate as a fraction of Telegram's 30/s. The limiter lets
  30 requests touch any second, counted from start to answer plus one second, so the rate is
  about 30 / (1 s + round trip): the target is 0.97 or more.
* max in 1 s: the most accepted messages in any sliding one-second window at the fake; the fake
  (and Telegram) refuse the 31st, so this is at most 30.
* gaps: time between consecutive accepted messages at the fake; the limiter spaces starts
  ~1/30 s (33.3 ms) apart (a late start is made up by the next one), and the window makes it
  ~(1 s + round trip) / 30 in the steady state.
* 429s: flood refusals counted by the fake (target 0). A 429 costs the sender a retry after the
  wait Telegram names. (The baseline's AIORateLimiter pauses requests for that wait only *after*
  they took their slot, so everything that took a slot meanwhile fires at once when the wait
  ends: one 429 tends to bring a cluster of them.)
* lost / duplicated: chats with no accepted sendMessage / with more than one (targets 0).
* ledger: chats whose `store.delivered_ids` holds exactly the briefings of their digest.
* memory: tracemalloc's peak over the whole run (it includes the fake's own records of every
  request and message, which a real deployment does not have) and the process's ru_maxrss (the
  high-water mark of the whole process since it started, so it never goes down between runs).
  `--no-tracemalloc` turns tracing off, which also removes its overhead (the event loop runs
  ~2x slower under tracing, so any stall between the limiter and the socket grows with it).
* command latency: while nothing else happens ("idle"), then during the fan-out, a /quotes from
  a new private chat every `--ask-every` seconds is handed to `application.process_update` (as
  the updater would after getUpdates; polling itself is left out) and timed from then to its
  answer's arrival at the fake. Target: p95 during the fan-out within 100 ms of p95 idle.
* `--limiter aio` runs the same with the baseline, python-telegram-bot's `AIORateLimiter` as
  briefbot used it (28/s, a bucket of one; `_measure.aio_rate_limiter`), where a command's answer
  queues behind the digests already waiting; the default, `lanes`, measures the bot as it is.

`--paid` measures paid broadcasts instead (`digest.paid_broadcast: true`): the fake allows 1000
paid messages/s (`FloodLimits(paid_per_second=1000)`, 429 above), and each replica is a process
of its own (spawned, so its CPU time and RSS are its own) with its own SQLite store holding an
equal share of the chats, started together on a signal. With N replicas (`--replicas`, default
1 and 3) each runs at `digest.paid_rate` = 1000 // N, so that together they stay within the
bot's 1000/s. Default 20000 chats. Figures: the steady rate at the fake (as above) and its
fraction of 1000 (target 0.8 or more with three replicas), max in 1 s (limit 1000), 429s, lost
and duplicated (targets 0), and per replica: wall time of `run_due()`, CPU seconds and CPU share
of that wall time, peak RSS (VmHWM); the fake's own CPU, in the parent process, for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import os
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

from _measure import aio_rate_limiter, max_in_window
from telegram import Update

from bot import application as application_module
from bot.application import build_application, create_services
from bot.config import Config
from bot.context import BotApplication
from bot.simulation.fake_api import FakeBotAPI, FakeBotAPIServer, FloodLimits, decode_params
from bot.simulation.updates import UpdateFactory

REPO = Path(__file__).resolve().parent.parent
FIRST_CHAT = 700_000_001
FIRST_ASKING_CHAT = 800_000_001
IDLE_ASKS = 40
PROGRESS_EVERY = 1000


class StampingAPI(FakeBotAPI):
    """A FakeBotAPI that timestamps every accepted sendMessage on its own flood clock."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.accepted: list[tuple[float, int]] = []
        self.first_answer: dict[int, float] = {}

    def handle(self, method: str, params: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer as the fake does; record (monotonic time, chat id) of accepted sendMessage."""
        if method.lower() != "sendmessage":
            return super().handle(method, params)
        with self._lock:  # the same (re-entrant) lock the fake checks its flood limits under
            stamp = time.monotonic()
            status, body = super().handle(method, params)
            if status == 200:
                chat_id = decode_params(params)["chat_id"]
                self.accepted.append((stamp, chat_id))
                if chat_id >= FIRST_ASKING_CHAT:
                    self.first_answer.setdefault(chat_id, stamp)
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
    idle_latency: list[float]
    busy_latency: list[float]


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


class Asker:
    """Sends /quotes from new private chats and times each until its answer reaches the fake."""

    def __init__(self, application: BotApplication, api: StampingAPI) -> None:
        self.application = application
        self.api = api
        self.updates = UpdateFactory(bot_id=api.bot_id, bot_username=api.username)
        self.next_chat = FIRST_ASKING_CHAT

    async def ask(self) -> float:
        """One command, handled as the updater would hand it over; seconds until its answer."""
        chat_id, self.next_chat = self.next_chat, self.next_chat + 1
        update = Update.de_json(
            self.updates.message("/quotes", chat_id=chat_id), self.application.bot
        )
        pushed = time.monotonic()
        await self.application.process_update(update)
        return self.api.first_answer[chat_id] - pushed

    async def ask_every(self, seconds: float, latencies: list[float]) -> None:
        """Ask until cancelled, one command every `seconds` (each on its own, as users do)."""
        pending: set[asyncio.Task[None]] = set()

        async def one() -> None:
            latencies.append(await self.ask())

        try:
            while True:
                task = asyncio.create_task(one())
                pending.add(task)
                task.add_done_callback(pending.discard)
                await asyncio.sleep(seconds)
        finally:
            await asyncio.gather(*pending)


async def run(chats: int, trace: bool, ask_every: float) -> Figures:
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
            asker = Asker(application, api)
            for _ in range(3):  # warm-up: first-call costs (imports, caches, connections)
                await asker.ask()
            idle: list[float] = []
            for _ in range(IDLE_ASKS):
                idle.append(await asker.ask())
                await asyncio.sleep(ask_every)
            busy: list[float] = []
            started = time.monotonic()
            reporter = asyncio.create_task(progress(api, chats, started))
            asking = asyncio.create_task(asker.ask_every(ask_every, busy))
            try:
                stats = await runner.run_due()
            finally:
                reporter.cancel()
                asking.cancel()
            total = time.monotonic() - started
            with contextlib.suppress(asyncio.CancelledError):
                await asking
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
        stamps = [stamp for stamp, _ in accepted if stamp >= started]  # from the fan-out on
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
            idle_latency=idle,
            busy_latency=busy,
        )


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def percentiles(values: list[float]) -> tuple[float, float]:
    """p50 and p95 of `values`, in milliseconds."""
    q = statistics.quantiles(values, n=100, method="inclusive")
    return q[49] * 1000, q[94] * 1000


def report(f: Figures, warnings: WarningCounter, trace: bool) -> None:
    fraction = f.steady_rate / 30
    q = statistics.quantiles(f.gaps, n=100, method="inclusive") if len(f.gaps) > 1 else [0] * 99
    print(f"\nFan-out to {f.chats} private chats")
    print(f"  run_due stats        {f.stats}")
    print(f"  total time           {f.total:.2f} s ({f.chats / f.total:.1f} chats/s overall)")
    print(
        f"  steady rate          {f.steady_rate:.2f} msg/s = {fraction:.3f} of 30"
        f"  [target 0.97-1.00: {verdict(0.97 <= fraction <= 1.0)}]"
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
    idle50, idle95 = percentiles(f.idle_latency)
    busy50, busy95 = percentiles(f.busy_latency)
    print(
        f"  command latency      idle p50 {idle50:.1f} ms, p95 {idle95:.1f} ms"
        f" ({len(f.idle_latency)} asked)"
    )
    print(
        f"                       during fan-out p50 {busy50:.1f} ms, p95 {busy95:.1f} ms,"
        f" max {max(f.busy_latency) * 1000:.1f} ms ({len(f.busy_latency)} asked)"
        f"  [p95 within 100 ms of idle: {verdict(busy95 - idle95 <= 100)}]"
    )
    peak = f"{f.peak_mb:.1f} MB" if trace else "not traced"
    print(f"  memory               tracemalloc peak {peak}, ru_maxrss {f.maxrss_mb:.1f} MB")
    if warnings.count:
        print(f"  log warnings         {warnings.count}, first: {warnings.first}")
    warnings.count, warnings.first = 0, []


@dataclass
class ReplicaFigures:
    """What one replica process measured about itself."""

    index: int
    chats: int
    total: float
    cpu: float
    maxrss_mb: float
    ledger_ok: int
    stats: str
    warnings: int


def peak_rss_mb() -> float:
    """Peak resident set size of this process (VmHWM), in MB.

    Unlike ru_maxrss it starts afresh at exec, so a spawned replica does not report the parent
    it was forked from.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def replica_run(
    index: int, replicas: int, chats: int, base_url: str, token: str, tmp: str, go: Any, ready: Any
) -> ReplicaFigures:
    """One replica: subscribe its share of the chats, wait for the signal, fan out."""
    warnings = WarningCounter()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger().addHandler(warnings)
    path = Path(tmp) / f"replica-{index}.sqlite3"
    config = Config.model_validate(
        {
            "telegram": {"base_url": base_url},
            "briefings": {"dir": str(REPO / "briefings")},
            "storage": {"path": str(path)},
            "digest": {"cron": "* * * * *", "paid_broadcast": True, "paid_rate": 1000 // replicas},
        }
    )
    services = create_services(config, storage_path=path)
    application = build_application(services, token, jobs=False)
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    store, runner = services.store, services.runner
    try:
        now = services.clock.now()
        slot = now.replace(second=0, microsecond=0)
        mine = range(FIRST_CHAT + index, FIRST_CHAT + chats, replicas)
        for chat_id in mine:
            store.subscribe(chat_id, None, slot, now)
        digest = runner.build(FIRST_CHAT + index)
        assert digest is not None, "the briefings folder holds nothing to send"
        expected = {b.id for b in digest.items}
        ready.put(index)
        await asyncio.to_thread(go.wait)
        cpu, started = cpu_seconds(), time.monotonic()
        stats = await runner.run_due()
        total, cpu = time.monotonic() - started, cpu_seconds() - cpu
        ledger_ok = sum(store.delivered_ids(chat_id) == expected for chat_id in mine)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
    return ReplicaFigures(
        index=index,
        chats=len(mine),
        total=total,
        cpu=cpu,
        maxrss_mb=peak_rss_mb(),
        ledger_ok=ledger_ok,
        stats=(f"sent {stats.sent}, failed {stats.failed}, gone {stats.gone}, empty {stats.empty}"),
        warnings=warnings.count,
    )


def replica_process(
    index: int,
    replicas: int,
    chats: int,
    base_url: str,
    token: str,
    tmp: str,
    go: Any,
    ready: Any,
    results: Any,
) -> None:
    """The body of a replica process: run it, hand back its figures."""
    figures = asyncio.run(replica_run(index, replicas, chats, base_url, token, tmp, go, ready))
    results.put(figures)


def run_paid(chats: int, replicas: int) -> None:
    """Paid fan-out to `chats` chats from `replicas` processes; prints the figures."""
    api = StampingAPI(flood=FloodLimits(overall_per_second=30, paid_per_second=1000))
    context = multiprocessing.get_context("spawn")
    go, ready, results = context.Event(), context.Queue(), context.Queue()
    with tempfile.TemporaryDirectory(prefix="bench-paid-") as tmp, FakeBotAPIServer(api) as srv:
        processes = [
            context.Process(
                target=replica_process,
                args=(i, replicas, chats, srv.base_url, api.token, tmp, go, ready, results),
            )
            for i in range(replicas)
        ]
        for process in processes:
            process.start()
        for _ in processes:
            ready.get(timeout=300)
        before = len(api.accepted)  # the replicas' start-up sends nothing, but be sure
        fake_cpu, started = cpu_seconds(), time.monotonic()
        go.set()
        figures = sorted((results.get(timeout=3600) for _ in processes), key=lambda f: f.index)
        wall = time.monotonic() - started
        fake_cpu = cpu_seconds() - fake_cpu
        for process in processes:
            process.join()
    accepted = sorted(api.accepted[before:])
    stamps = [stamp for stamp, _ in accepted]
    per_chat = Counter(chat_id for _, chat_id in accepted)
    chat_ids = range(FIRST_CHAT, FIRST_CHAT + chats)
    lost = sum(per_chat[chat_id] == 0 for chat_id in chat_ids)
    duplicated = sum(per_chat[chat_id] > 1 for chat_id in chat_ids)
    rate = steady_rate(stamps)
    fraction = rate / 1000
    window = max_in_window(stamps)
    print(f"\nPaid fan-out to {chats} private chats, {replicas} replica(s) at {1000 // replicas}/s")
    print(f"  wall time            {wall:.2f} s ({chats / wall:.1f} chats/s overall)")
    print(
        f"  steady rate          {rate:.1f} msg/s = {fraction:.3f} of 1000"
        f"  [target >= 0.8 with three replicas: {verdict(fraction >= 0.8)}]"
    )
    print(f"  max in 1 s window    {window}  [limit 1000: {verdict(window <= 1000)}]")
    print(f"  429s                 {api.flood_rejections}  [target 0]")
    print(f"  lost deliveries      {lost}  [target 0: {verdict(lost == 0)}]")
    print(f"  duplicated           {duplicated}  [target 0: {verdict(duplicated == 0)}]")
    for f in figures:
        print(
            f"  replica {f.index}            {f.chats} chats in {f.total:.1f} s, CPU {f.cpu:.1f} s"
            f" ({f.cpu / f.total:.0%} of one core), peak RSS {f.maxrss_mb:.1f} MB,"
            f" ledger {f.ledger_ok}/{f.chats}, {f.stats}, {f.warnings} log warnings"
        )
    print(
        f"  fake Bot API         CPU {fake_cpu:.1f} s ({fake_cpu / wall:.0%} of one core)"
        f" on {os.cpu_count()} cores"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--chats", type=int, action="append", help="chats to fan out to (default: 1000, 10000)"
    )
    parser.add_argument("--no-tracemalloc", action="store_true", help="do not trace memory")
    parser.add_argument(
        "--limiter",
        choices=("lanes", "aio"),
        default="lanes",
        help="lanes: the bot's limiter (default); aio: the AIORateLimiter baseline",
    )
    parser.add_argument(
        "--ask-every", type=float, default=0.25, help="seconds between timed commands"
    )
    parser.add_argument(
        "--paid", action="store_true", help="paid broadcasts at 1000/s (default 20000 chats)"
    )
    parser.add_argument(
        "--replicas", type=int, action="append", help="with --paid: replica processes (1, 3)"
    )
    args = parser.parse_args()
    if args.paid:
        logging.basicConfig(level=logging.WARNING)
        for replicas in args.replicas or [1, 3]:
            for chats in args.chats or [20000]:
                run_paid(chats, replicas)
        return 0
    if args.limiter == "aio":  # build_application calls build_rate_limiter() by name
        application_module.build_rate_limiter = aio_rate_limiter  # type: ignore[assignment]
    print(f"limiter: {args.limiter}; tracemalloc: {'off' if args.no_tracemalloc else 'on'}")
    warnings = WarningCounter()
    logging.basicConfig(level=logging.WARNING, format="  log: %(levelname)s %(name)s: %(message)s")
    logging.getLogger().addHandler(warnings)
    failed = False
    for chats in args.chats or [1000, 10000]:
        figures = asyncio.run(run(chats, trace=not args.no_tracemalloc, ask_every=args.ask_every))
        report(figures, warnings, trace=not args.no_tracemalloc)
        failed |= bool(figures.rejections or figures.lost or figures.duplicated)
        failed |= figures.ledger_ok != figures.chats
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
