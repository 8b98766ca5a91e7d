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
    the interpreter and imported modules); target <= 200 MB.

Run: ``PYTHONPATH=. python bench/bench_library.py [--count N] [--runs N] [--profile]``.
``--profile`` adds a cProfile of one full load (top functions by cumulative and own time).
"""

from __future__ import annotations

import argparse
import cProfile
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

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _gen import write_briefings

from bot.briefing.library import BriefingLibrary

REPO = Path(__file__).resolve().parent.parent
LOAD_RATIO_TARGET = 1.5
RELOAD_TARGET_MS = 50.0
MEMORY_TARGET_MB = 200.0


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


def measure_memory(folder: Path, trace: bool) -> dict[str, float]:
    """(d), in this process: peak RSS of a load, or tracemalloc's figures. For a fresh child.

    tracemalloc keeps a record per allocated block, which itself costs hundreds of MB with
    millions of blocks, so peak RSS is measured in a child that does not trace.
    """
    gc.collect()
    if trace:
        tracemalloc.start()
    library = fresh_load(folder)
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
    peak, rss = traced["peak_mb"], plain["maxrss_mb"]
    print(f"(d) memory of a fresh process loading {int(plain['briefings'])} briefings")
    print(
        f"    tracemalloc peak during load : {peak:7.1f} MB  ratio {peak / MEMORY_TARGET_MB:.2f} "
        f"of {MEMORY_TARGET_MB:.0f} MB"
    )
    print(f"    still allocated after load   : {traced['retained_mb']:7.1f} MB")
    print(
        f"    peak RSS (no tracemalloc)    : {rss:7.1f} MB  ratio {rss / MEMORY_TARGET_MB:.2f} "
        f"(target <= {MEMORY_TARGET_MB:.0f} MB: {'met' if rss <= MEMORY_TARGET_MB else 'MISSED'})"
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
    parser.add_argument("--memory-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.memory_child is not None:
        print(json.dumps(measure_memory(args.memory_child, args.trace)))
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
        library = bench_load(folder, paths, args.runs)
        bench_reload(library, paths, args.reloads)
        bench_lookups(library)
        del library
        bench_memory(folder)
        if args.profile:
            profile_load(folder)


if __name__ == "__main__":
    main()
