"""Load time, reload time, lookup latency and memory of `BriefingLibrary` with 10,000 briefings.

Set-up: `bench/_gen.py` writes `--count` briefings shaped like the seed (same sections, ~12 KB
each, seeded `random.Random(1234)`) into a temporary folder, read once so they sit in the page
cache. Every figure is printed with its baseline or target and the ratio against it:

(a) Full load: `BriefingLibrary([folder]).reload()` on a fresh library (scan, read, parse,
    validate, index), against reading and parsing the same files with
    `yaml.load(data, Loader=yaml.CSafeLoader)` and nothing else. Best of `--runs` each, garbage
    collector on, as in the bot. Target: ratio <= 1.5.
(b) Incremental reload with one changed file in the full library (the file is rewritten with
    a new title, so its size changes), median and max of `--reloads` runs; target <= 50 ms. The
    no-change reload the bot runs every `reload_seconds` is shown too.
(c) Lookups, each timed call by call with perf_counter_ns: median and p99 in microseconds.
(d) Memory, in fresh child processes that only load the library: tracemalloc's peak during
    `reload()` and what stays allocated after it; and, in another child without tracemalloc
    (whose own records would inflate it), the process's peak RSS (VmHWM, which includes
    the interpreter and imported modules); target <= 200 MB. Also the peak RSS of
    `briefbot validate`'s load (no search or speaker index), of a first start that writes the
    persistent index, and of a restart from it. Each load but validate's is followed by
    `warm_listings()`, as the bot lists every briefing for search results after its first load.
(e) Start-up with the persistent index (`bot.briefing.index_store`), against the raw parse of
    (a) measured again alongside: the first start with no index (parse everything and write the
    index; target <= 1.0x the raw parse), and a restart with nothing changed (ready to answer:
    index opened and checked, every briefing installed, folder compared; target <= 1.5 s and
    <= 0.1x), and with 10 files changed while the bot was down.
(f) The bot at scale, in-process on the fake Bot API with the indexed library:
    - save-to-visible: a file is rewritten with a new title, then `/summary <id>` is asked every
      5 ms until the new title appears; p95 of `--saves` saves with the folder watched (target
      <= 1 s), against the periodic scan every `reload_seconds` (5 s, `--baseline-saves` saves);
    - idle CPU of the process over 10 s, watched against scanned every 5 s;
    - `/search` p95 through the bot (target <= 20 ms), and the library search with a LIMIT in
      the SQL against fetching every hit and cutting to 10 in Python;
    - `/quotes all macron` p95 through the bot (target <= 50 ms), against unpacking every
      briefing that quotes him (`quotes_by`).

Run: ``PYTHONPATH=. python bench/bench_library.py [--count N] [--runs N] [--profile]``.
``--profile`` adds a cProfile of one full load (top functions by cumulative and own time).
``--skip-bot`` leaves out (f), the slowest part; ``--start-only`` runs only (d) and (e);
``--index-only`` runs (d), (e) and, of (f), only the searches and quotes through the bot.

``--database-url URL`` (default: ``BRIEFBOT_DATABASE_URL``) keeps the persistent index of (d), (e)
and (f) in that PostgreSQL database (`bot.briefing.index_postgres`), as the bot does when the
database is its store, instead of the SQLite file: a namespace of its own, deleted afterwards.
E.g. ``--database-url "$(.ci/postgres.sh start /tmp/bench-pg)" --index-only``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import gc
import io
import json
import os
import pstats
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _gen import write_briefings

from bot.briefing.index_store import BriefingIndex, IndexStore
from bot.briefing.library import BriefingLibrary

REPO = Path(__file__).resolve().parent.parent
LOAD_RATIO_TARGET = 1.5
RELOAD_TARGET_MS = 50.0
MEMORY_TARGET_MB = 200.0
FIRST_START_RATIO_TARGET = 1.0
RESTART_TARGET_S = 1.5
RESTART_RATIO_TARGET = 0.1
SAVE_TARGET_S = 1.0
SEARCH_TARGET_MS = 20.0
QUOTES_TARGET_MS = 50.0
# Where the persistent index lives: None for the SQLite file, else a PostgreSQL URL (`main`).
DATABASE_URL: str | None = None
SEARCHES = ["ceasefire monitoring", "macron", "security guarantees", "energy", "putin talks"]


def parse_only(paths: list[Path]) -> int:
    """Read and parse every file with libyaml's safe loader; return how many were mappings."""
    mappings = 0
    for path in paths:
        with open(path, "rb") as stream:
            data = yaml.load(stream.read(), Loader=yaml.CSafeLoader)
        mappings += isinstance(data, dict)
    return mappings


def best_of(runs: int, work: Callable[[], object]) -> tuple[float, float, object]:
    """The fastest of `runs` calls of `work` in wall-clock and in CPU seconds, and its result."""
    wall = cpu = float("inf")
    result: object = None
    for _ in range(runs):
        result = None
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = work()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu, result


def fresh_load(folder: Path) -> BriefingLibrary:
    """A new library over `folder`, fully loaded."""
    library = BriefingLibrary([folder])
    report = library.reload()
    if report.errors:
        raise SystemExit(f"generated briefings do not validate: {report.errors[0]}")
    return library


def percentile(samples: list[float], fraction: float) -> float:
    """The `fraction` quantile of `samples` (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def time_calls(calls: int, work: Callable[[int], object]) -> tuple[float, float]:
    """Median and p99 of `calls` calls of `work(i)`, in microseconds."""
    samples = []
    for i in range(calls):
        start = time.perf_counter_ns()
        work(i)
        samples.append((time.perf_counter_ns() - start) / 1000)
    return statistics.median(samples), percentile(samples, 0.99)


def rewrite(path: Path, number: int) -> None:
    """Change a briefing's title (and so its size) and make sure its mtime moves on."""
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("\n", 2)[:2], text.split("\n", 2)[2]
    title = f"title: Edited briefing number {number} " + "x" * (number % 7)
    path.write_text(f"{head[0]}\n{title}\n{rest}", encoding="utf-8")
    after = path.stat()
    os.utime(path, ns=(after.st_atime_ns, max(after.st_mtime_ns, before.st_mtime_ns + 1_000_000)))


def bench_load(folder: Path, paths: list[Path], runs: int) -> BriefingLibrary:
    """(a): full load against parse-only; returns a loaded library for the next sections."""
    library: BriefingLibrary | None = None

    def load() -> int:
        nonlocal library
        library = None
        library = fresh_load(folder)
        return len(library)

    parse_s = parse_cpu = load_s = load_cpu = float("inf")
    for _ in range(runs):  # alternate, so both see the same machine load
        wall, cpu, mappings = best_of(1, lambda: parse_only(paths))
        assert mappings == len(paths)
        parse_s, parse_cpu = min(parse_s, wall), min(parse_cpu, cpu)
        wall, cpu, loaded = best_of(1, load)
        assert loaded == len(paths)
        load_s, load_cpu = min(load_s, wall), min(load_cpu, cpu)
    assert library is not None
    ratio, cpu_ratio = load_s / parse_s, load_cpu / parse_cpu
    verdict = "met" if ratio <= LOAD_RATIO_TARGET else "MISSED"
    print(f"(a) full load of {len(paths)} files (best of {runs}; wall clock and CPU time)")
    print(
        f"    yaml.load(CSafeLoader) only : {parse_s:7.2f} s   cpu {parse_cpu:7.2f} s  (baseline)"
    )
    print(
        f"    BriefingLibrary.reload()    : {load_s:7.2f} s   cpu {load_cpu:7.2f} s  "
        f"ratio {ratio:.2f}x (cpu {cpu_ratio:.2f}x); target <= {LOAD_RATIO_TARGET}x: {verdict}"
    )
    per_file = f"{load_s / len(paths) * 1e6:.0f} µs vs {parse_s / len(paths) * 1e6:.0f} µs"
    print(f"    per file: {per_file}")
    return library


def bench_reload(library: BriefingLibrary, paths: list[Path], reloads: int) -> None:
    """(b): one changed file, and no change, in the full library."""
    rng = random.Random(99)
    changed_ms = []
    for number in range(reloads):
        path = rng.choice(paths)
        rewrite(path, number)
        start = time.perf_counter()
        report = library.reload()
        changed_ms.append((time.perf_counter() - start) * 1000)
        assert len(report.changed) == 1 and not report.errors, report
    idle_ms = []
    for _ in range(reloads):
        start = time.perf_counter()
        report = library.reload()
        idle_ms.append((time.perf_counter() - start) * 1000)
        assert not report.changed_anything
    median = statistics.median(changed_ms)
    print(f"(b) incremental reload in a library of {len(library)} ({reloads} runs)")
    print(
        f"    one file changed: median {median:6.1f} ms, max {max(changed_ms):6.1f} ms; "
        f"target <= {RELOAD_TARGET_MS:.0f} ms: ratio {median / RELOAD_TARGET_MS:.2f} "
        f"({'met' if median <= RELOAD_TARGET_MS else 'MISSED'})"
    )
    print(
        f"    nothing changed : median {statistics.median(idle_ms):6.1f} ms, "
        f"max {max(idle_ms):6.1f} ms (the periodic reload tick)"
    )


def bench_lookups(library: BriefingLibrary) -> None:
    """(c): the lookups the bot makes, call by call."""
    ids = [b.id for b in library.newest()]
    rng = random.Random(7)
    picks = [rng.choice(ids) for _ in range(20_000)]
    numbers = [str(rng.randint(1, len(ids))) for _ in range(20_000)]
    quotes = len(library.quotes_by("macron"))
    hits = len(library.search("ceasefire monitoring", limit=len(ids)))
    cases: list[tuple[str, int, Callable[[int], object]]] = [
        ("get(id)", 20_000, lambda i: library.get(picks[i])),
        ("resolve(number)", 20_000, lambda i: library.resolve(numbers[i])),
        ("newest(10)", 20_000, lambda i: library.newest(10)),
        (f'quotes_by("macron") [{quotes} quotes]', 50, lambda i: library.quotes_by("macron")),
        (
            f'search("ceasefire monitoring") [{hits} hits]',
            300,
            lambda i: library.search("ceasefire monitoring"),
        ),
    ]
    print("(c) lookups (µs per call)")
    for name, calls, work in cases:
        median, p99 = time_calls(calls, work)
        print(f"    {name:45s} median {median:10.1f}  p99 {p99:10.1f}  ({calls} calls)")


def open_index(folder: Path, index: Path) -> BriefingIndex:
    """The persistent index of `folder`: the SQLite file `index`, or in `DATABASE_URL`."""
    if DATABASE_URL is None:
        return IndexStore(index)
    from bot.briefing.index_postgres import PostgresIndex

    return PostgresIndex(DATABASE_URL, [folder], location="the bench database")


def drop_index(folder: Path, index: Path) -> None:
    """Delete the persistent index of `folder`, so the next start is a first one."""
    if DATABASE_URL is None:
        for leftover in index.parent.glob(f"{index.name}*"):
            leftover.unlink()
        return
    import psycopg

    from bot.briefing.index_postgres import namespace_of

    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        for table in ("briefing_index_files", "briefing_index_meta"):
            if conn.execute("SELECT to_regclass(%s)", (table,)).fetchone() == (None,):
                continue  # no index was ever made in this database
            conn.execute(
                f"DELETE FROM {table} WHERE namespace = %s".encode(), (namespace_of([folder]),)
            )


def index_size_mb(index: Path) -> float:
    """The size of the persistent index: its file, or its PostgreSQL tables."""
    if DATABASE_URL is None:
        return index.stat().st_size / 2**20
    import psycopg

    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        row = conn.execute(
            "SELECT pg_total_relation_size('briefing_index_files')"
            " + pg_total_relation_size('briefing_index_meta')"
        ).fetchone()
    return float(row[0]) / 2**20 if row else 0.0


def settle_index() -> None:
    """In PostgreSQL, what autovacuum does within a minute or two of a bulk write.

    Called after a first start, before the restart is timed, and before (f): autovacuum
    busy with the rows just written would otherwise share the machine with the measurement.
    Deleting and rewriting the index also leaves dead rows that searches would still visit,
    and the planner needs the statistics of the rows now there.
    """
    if DATABASE_URL is None:
        return
    import psycopg

    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) briefing_index_files")


def where_index() -> str:
    """Where the persistent index lives, for headings."""
    return "SQLite file" if DATABASE_URL is None else "PostgreSQL"


def indexed_load(folder: Path, index: Path) -> BriefingLibrary:
    """A library over `folder` with its persistent index at `index`, loaded as the bot starts."""
    library = BriefingLibrary([folder], index=open_index(folder, index))
    report = library.reload()
    if report.errors:
        raise SystemExit(f"generated briefings do not validate: {report.errors[0]}")
    return library


def checking_load(folder: Path) -> BriefingLibrary:
    """A library over `folder` as `briefbot validate` loads it: no search or speaker index."""
    library = BriefingLibrary([folder], lookups=False)
    report = library.reload()
    if report.errors:
        raise SystemExit(f"generated briefings do not validate: {report.errors[0]}")
    return library


def measure_memory(
    folder: Path, trace: bool, index: Path | None = None, check: bool = False
) -> dict[str, float]:
    """(d), in this process: peak RSS of a load, or tracemalloc's figures. For a fresh child.

    tracemalloc keeps a record per allocated block, which itself costs hundreds of MB with
    millions of blocks, so peak RSS is measured in a child that does not trace.
    """
    gc.collect()
    if trace:
        tracemalloc.start()
    if check:
        library = checking_load(folder)
    else:
        library = fresh_load(folder) if index is None else indexed_load(folder, index)
        # As the bot does once its first load is done: the listings search results show.
        library.warm_listings()
    figures: dict[str, float] = {"briefings": len(library)}
    if trace:
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        figures |= {"peak_mb": peak / 2**20, "retained_mb": current / 2**20}
    else:
        figures["maxrss_mb"] = peak_rss_kb() / 1024
    return figures


def peak_rss_kb() -> int:
    """Peak resident set size of the current process, in KiB.

    Linux keeps ru_maxrss across fork and exec, so a child started by this (large) benchmark
    would report the parent's peak; VmHWM belongs to the process's own address space.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_child(folder: Path, *flags: str) -> dict[str, float]:
    """`measure_memory` in a fresh interpreter, so nothing else inflates its figures."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    if DATABASE_URL is not None:
        flags = (*flags, "--database-url", DATABASE_URL)
    child = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(folder), *flags],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(child.stdout)
    return figures


def bench_memory(folder: Path) -> None:
    """(d): tracemalloc in one fresh process, peak RSS in another."""
    traced = run_child(folder, "--trace")
    plain = run_child(folder)
    check = run_child(folder, "--check")["maxrss_mb"]
    with tempfile.TemporaryDirectory(prefix="briefbot-index-") as tmp:
        index = str(Path(tmp) / "state.index.sqlite3")
        drop_index(folder, Path(index))
        first = run_child(folder, "--index", index)["maxrss_mb"]
        again = run_child(folder, "--index", index)["maxrss_mb"]
    peak, rss = traced["peak_mb"], plain["maxrss_mb"]
    print(
        f"(d) memory of a fresh process loading {int(plain['briefings'])} briefings"
        f" (persistent index: {where_index()})"
    )
    print(
        f"    tracemalloc peak during load : {peak:7.1f} MB  ratio {peak / MEMORY_TARGET_MB:.2f} "
        f"of {MEMORY_TARGET_MB:.0f} MB"
    )
    print(f"    still allocated after load   : {traced['retained_mb']:7.1f} MB")
    print(
        f"    peak RSS (no tracemalloc)    : {rss:7.1f} MB  ratio {rss / MEMORY_TARGET_MB:.2f} "
        f"(target <= {MEMORY_TARGET_MB:.0f} MB: {'met' if rss <= MEMORY_TARGET_MB else 'MISSED'})"
    )
    for name, figure in (
        ("validate (lookups=False)", check),
        ("first start, writing index", first),
        ("restart from the index", again),
    ):
        verdict = "met" if figure <= MEMORY_TARGET_MB else "MISSED"
        print(
            f"    peak RSS, {name:29s}: {figure:7.1f} MB  ratio {figure / MEMORY_TARGET_MB:.2f} "
            f"(target <= {MEMORY_TARGET_MB:.0f} MB: {verdict})"
        )


def bench_index(folder: Path, paths: list[Path], runs: int) -> None:
    """(e): first start writing the index, restart from it, restart with a few changes."""
    parse_s = parse_cpu = first_s = first_cpu = restart_s = restart_cpu = float("inf")
    with tempfile.TemporaryDirectory(prefix="briefbot-index-") as tmp:
        index = Path(tmp) / "state.index.sqlite3"
        for run in range(runs):
            wall, cpu, _ = best_of(1, lambda: parse_only(paths))
            parse_s, parse_cpu = min(parse_s, wall), min(parse_cpu, cpu)
            drop_index(folder, index)
            wall, cpu, library = best_of(1, lambda: indexed_load(folder, index))
            assert isinstance(library, BriefingLibrary) and len(library) == len(paths)
            first_s, first_cpu = min(first_s, wall), min(first_cpu, cpu)
            library = None
            settle_index()
            wall, cpu, library = best_of(1, lambda: indexed_load(folder, index))
            assert isinstance(library, BriefingLibrary) and len(library) == len(paths)
            restart_s, restart_cpu = min(restart_s, wall), min(restart_cpu, cpu)
            library = None
            del run
        rng = random.Random(5)
        for number, path in enumerate(rng.sample(paths, min(10, len(paths)))):
            rewrite(path, 1000 + number)
        changed_s, changed_cpu, library = best_of(1, lambda: indexed_load(folder, index))
        assert isinstance(library, BriefingLibrary)
        index_mb = index_size_mb(index)
        library = None
    first_ratio = first_s / parse_s
    restart_ratio = restart_s / parse_s
    print(
        f"(e) start-up with the persistent index ({where_index()}, {index_mb:.0f} MB;"
        f" best of {runs})"
    )
    print(
        f"    yaml.load(CSafeLoader) only : {parse_s:7.2f} s   cpu {parse_cpu:7.2f} s  (baseline)"
    )
    print(
        f"    first start, no index       : {first_s:7.2f} s   cpu {first_cpu:7.2f} s  ratio "
        f"{first_ratio:.2f}x (cpu {first_cpu / parse_cpu:.2f}x); target <= "
        f"{FIRST_START_RATIO_TARGET}x: "
        f"{'met' if first_ratio <= FIRST_START_RATIO_TARGET else 'MISSED'}"
    )
    met = restart_s <= RESTART_TARGET_S and restart_ratio <= RESTART_RATIO_TARGET
    print(
        f"    restart, nothing changed    : {restart_s:7.2f} s   cpu {restart_cpu:7.2f} s  ratio "
        f"{restart_ratio:.3f}x (cpu {restart_cpu / parse_cpu:.3f}x); target <= "
        f"{RESTART_TARGET_S} s and <= {RESTART_RATIO_TARGET}x: {'met' if met else 'MISSED'}"
    )
    print(
        f"    restart, 10 files changed   : {changed_s:7.2f} s   cpu {changed_cpu:7.2f} s  ratio "
        f"{changed_s / parse_s:.3f}x"
    )


def p95_ms(samples: list[float]) -> str:
    """Median and p95 of samples in seconds, as milliseconds."""
    return (
        f"median {statistics.median(samples) * 1000:8.1f} ms, "
        f"p95 {percentile(samples, 0.95) * 1000:8.1f} ms"
    )


async def timed_say(bot: Any, text: str, runs: int) -> list[float]:
    """Seconds per `bot.say(text)`, call by call."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await bot.say(text)
        samples.append(time.perf_counter() - start)
    return samples


async def save_to_visible(
    bot: Any, paths: list[Path], ids: dict[str, str], saves: int, seed: int
) -> list[float]:
    """Seconds from writing a new title into a file to `/summary <id>` showing it."""
    rng = random.Random(seed)
    samples = []
    for number in range(saves):
        path = rng.choice(paths)
        rewrite(path, 5000 + seed * 1000 + number)
        title = path.read_text(encoding="utf-8").split("\n", 2)[1].removeprefix("title: ")
        start = time.perf_counter()
        while True:
            [answer] = await bot.say(f"/summary {ids[str(path)]}")
            if answer.visible_text.startswith(title.strip()):
                break
            if time.perf_counter() - start > 30:
                raise SystemExit(f"{path.name}: the new title never appeared")
            await asyncio.sleep(0.005)
        samples.append(time.perf_counter() - start)
        await asyncio.sleep(rng.uniform(0.05, 0.3))  # saves come at no particular phase
    return samples


async def scanning(library: BriefingLibrary, every: float) -> None:
    """The periodic reload job the bot runs where the folder is not watched."""
    while True:
        await asyncio.sleep(every)
        library.reload()


async def idle_cpu(seconds: float = 10.0) -> float:
    """CPU seconds this process spends while the bot waits for `seconds`."""
    start = time.process_time()
    await asyncio.sleep(seconds)
    return time.process_time() - start


async def bot_at_scale(
    folder: Path,
    paths: list[Path],
    saves: int,
    baseline_saves: int,
    calls: int,
    *,
    lookups_only: bool = False,
) -> None:
    """(f): the bot on the fake Bot API, watching its folder, against the periodic scan.

    With `lookups_only`, only the searches and quotes, not the saves nor the idle CPU.
    """
    # Imported here: the memory children of (d) load only the library, as the bot's would.
    from bot.config import Config
    from bot.simulation.harness import SimulatedBot

    with tempfile.TemporaryDirectory(prefix="briefbot-bot-") as tmp:
        state = Path(tmp) / "state.sqlite3"
        config = Config.model_validate(
            {"briefings": {"dir": str(folder)}, "storage": {"path": str(state)}}
        )
        store = open_index(folder, Path(tmp) / "state.index.sqlite3")
        library = BriefingLibrary([folder], index=store)
        library.reload()
        library.warm_listings()  # as the bot does after its first load
        ids = {str(library.path_of(bid)): bid for bid in library.newest_ids()}
        start = dt.datetime.now(dt.UTC)
        every = config.briefings.reload_seconds
        async with SimulatedBot(
            config, storage_path=state, start=start, library=library, watch=True
        ) as bot:
            await asyncio.sleep(0.5)  # the watcher is up
            if not lookups_only:
                watched = await save_to_visible(bot, paths, ids, saves, seed=1)
                watched_idle = await idle_cpu()
            search = [s for q in SEARCHES for s in await timed_say(bot, f"/search {q}", calls)]
            quotes = await timed_say(bot, "/quotes all macron", calls)
            [page] = await bot.say("/quotes all macron")
            assert not bot.errors, bot.errors
        if not lookups_only:
            async with SimulatedBot(
                config, storage_path=state, start=start, library=library, watch=False
            ) as bot:
                job = asyncio.create_task(scanning(library, every))
                scanned = await save_to_visible(bot, paths, ids, baseline_saves, seed=2)
                scanned_idle = await idle_cpu()
                job.cancel()

    def library_search(limit: int, old: bool) -> Callable[[int], object]:
        index = library._index  # the search index itself, as the library uses it

        def work(i: int) -> object:
            query = SEARCHES[i % len(SEARCHES)]
            hits = index.search(query)[:limit] if old else index.search(query, limit)
            return [library.get(bid) for bid, _ in hits]

        return work

    new_lib = time_calls(calls * len(SEARCHES), library_search(10, old=False))
    old_lib = time_calls(calls * len(SEARCHES), library_search(10, old=True))
    old_quotes = []
    for _ in range(max(3, calls // 10)):
        begin = time.perf_counter()
        library.quotes_by("macron")
        old_quotes.append(time.perf_counter() - begin)
    total = page.visible_text.split("\n")[1]
    store.close()

    print(
        f"(f) the bot at scale, {len(library)} briefings, through the fake Bot API"
        f" (persistent index: {where_index()})"
    )
    if not lookups_only:
        print_saves(watched, scanned, watched_idle, scanned_idle, saves, baseline_saves, every)
    p95 = percentile(search, 0.95) * 1000
    print(
        f"    /search through the bot     : {p95_ms(search)} ({len(search)} calls, "
        f"{len(SEARCHES)} queries); target <= {SEARCH_TARGET_MS:.0f} ms: "
        f"{'met' if p95 <= SEARCH_TARGET_MS else 'MISSED'}"
    )
    per_query = ", ".join(
        f"{query} {percentile(search[i * calls : (i + 1) * calls], 0.95) * 1000:.1f}"
        for i, query in enumerate(SEARCHES)
    )
    print(f"    /search p95 by query (ms)   : {per_query}")
    print(
        f"    library search, top 10      : LIMIT in SQL median {new_lib[0]:8.0f} µs p99 "
        f"{new_lib[1]:8.0f} µs; all hits then cut (baseline) median {old_lib[0]:8.0f} µs p99 "
        f"{old_lib[1]:8.0f} µs"
    )
    p95 = percentile(quotes, 0.95) * 1000
    print(
        f"    /quotes all macron (bot)    : {p95_ms(quotes)} ({total}); target <= "
        f"{QUOTES_TARGET_MS:.0f} ms: {'met' if p95 <= QUOTES_TARGET_MS else 'MISSED'}"
    )
    print(
        f"    quotes_by unpacking all     : {p95_ms(old_quotes)} (baseline) ratio "
        f"{p95 / 1000 / percentile(old_quotes, 0.95):.3f}"
    )


def print_saves(
    watched: list[float],
    scanned: list[float],
    watched_idle: float,
    scanned_idle: float,
    saves: int,
    baseline_saves: int,
    every: float,
) -> None:
    """(f)'s save-to-visible and idle CPU figures."""
    p95 = percentile(watched, 0.95)
    print(
        f"    save to visible, watched    : {p95_ms(watched)} ({saves} saves); target <= "
        f"{SAVE_TARGET_S:.0f} s: {'met' if p95 <= SAVE_TARGET_S else 'MISSED'}"
    )
    print(
        f"    save to visible, scan {every:g} s  : {p95_ms(scanned)} ({baseline_saves} saves; "
        f"baseline) ratio {p95 / percentile(scanned, 0.95):.3f}"
    )
    print(
        f"    idle CPU over 10 s          : watched {watched_idle * 1000:.0f} ms "
        f"({watched_idle / 10 * 100:.2f}%), scanned {scanned_idle * 1000:.0f} ms "
        f"({scanned_idle / 10 * 100:.2f}%) (baseline)"
    )


def profile_load(folder: Path, top: int = 25) -> None:
    """Where the time of one full load goes."""
    profiler = cProfile.Profile()
    profiler.enable()
    fresh_load(folder)
    profiler.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(top)
        print(f"--- profile of one full load, by {order} ---")
        print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="briefings to generate")
    parser.add_argument("--runs", type=int, default=3, help="full loads to take the best of")
    parser.add_argument("--reloads", type=int, default=20, help="incremental reloads to time")
    parser.add_argument("--profile", action="store_true", help="cProfile one full load")
    parser.add_argument("--saves", type=int, default=40, help="saves to time, watched")
    parser.add_argument(
        "--baseline-saves", type=int, default=6, help="saves to time with the periodic scan"
    )
    parser.add_argument("--calls", type=int, default=40, help="commands to time, each kind")
    parser.add_argument("--skip-bot", action="store_true", help="leave out (f)")
    parser.add_argument("--start-only", action="store_true", help="only (d) and (e)")
    parser.add_argument(
        "--index-only", action="store_true", help="only (d), (e) and the lookups of (f)"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BRIEFBOT_DATABASE_URL"),
        help="keep the persistent index in this PostgreSQL database (BRIEFBOT_DATABASE_URL)",
    )
    parser.add_argument("--memory-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--check", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    global DATABASE_URL
    DATABASE_URL = args.database_url or None

    if args.memory_child is not None:
        print(json.dumps(measure_memory(args.memory_child, args.trace, args.index, args.check)))
        return

    with tempfile.TemporaryDirectory(prefix="briefbot-bench-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        paths = write_briefings(folder, args.count, seed=1234)
        size = sum(p.stat().st_size for p in paths)
        parse_only(paths)  # warm the page cache
        print(
            f"generated {len(paths)} briefings, {size / 2**20:.1f} MB "
            f"({size / len(paths) / 1024:.1f} KB each) in {time.perf_counter() - start:.1f} s; "
            f"Python {sys.version.split()[0]}, PyYAML {yaml.__version__} "
            f"(libyaml {'yes' if yaml.__with_libyaml__ else 'no'})"
        )
        if not (args.start_only or args.index_only):
            library = bench_load(folder, paths, args.runs)
            bench_reload(library, paths, args.reloads)
            bench_lookups(library)
            del library
        bench_memory(folder)
        bench_index(folder, paths, args.runs)
        settle_index()
        if args.index_only:
            asyncio.run(
                bot_at_scale(
                    folder, paths, args.saves, args.baseline_saves, args.calls, lookups_only=True
                )
            )
        elif not (args.skip_bot or args.start_only):
            asyncio.run(bot_at_scale(folder, paths, args.saves, args.baseline_saves, args.calls))
        drop_index(folder, Path(tmp) / "unused")
        if args.profile:
            profile_load(folder)


if __name__ == "__main__":
    main()
