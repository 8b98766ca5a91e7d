"""Time and memory to judge hostile briefing files, against the promise of the loader.

Every file of at most 1 MiB must be judged (loaded, or refused with its errors) well under a
second and within a few MB. Files: everything in `tests/fixtures/hostile/`, plus worst cases
made here that sit just inside the loader's limits:

- `full-limits.yaml`: a valid briefing filled to every field limit (~770 KB, ~5,000 values);
- `unknown-keys-4990.yaml`: 4,990 unknown keys, as many errors as fit under the value limit;
- `flow-9990.yaml`: 9,990 empty flow lists, just under the value limit;
- `amp-everywhere.yaml`: 1 MiB of text full of `&` and `*`, which makes the anchor check read
  the event stream.

Each file: `load_briefing` best of `--runs` (wall clock), then once more under tracemalloc for
its peak. Printed against the targets (time 1 s, memory 10 MB), with the ratio.

Run: ``PYTHONPATH=. python bench/bench_hostile.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import tracemalloc
from pathlib import Path

from bot.briefing.loader import BriefingFileError, load_briefing

REPO = Path(__file__).resolve().parent.parent
HOSTILE = REPO / "tests" / "fixtures" / "hostile"
TIME_TARGET_S = 1.0
MEMORY_TARGET_MB = 10.0
HEAD = "title: T\npublished: 2025-03-15\nsummary: S\n"


def text(length: int, i: int) -> str:
    """A distinct string of exactly `length` characters."""
    return f"{i} {'x' * length}"[:length]


def made_here(folder: Path) -> list[Path]:
    """Write the worst cases just inside the limits; return their paths."""
    full = {
        "title": "T" * 200,
        "published": "2025-01-01",
        "source": {"name": "n" * 120, "url": "https://example.org/a"},
        "tags": [text(40, i) for i in range(20)],
        "summary": "s" * 2000,
        "key_points": [text(500, i) for i in range(20)],
        "attendees": [
            {"name": text(120, i), "role": text(200, i), "country": text(80, i)}
            | {"note": text(500, i)}
            for i in range(200)
        ],
        "quotes": [
            {"speaker": text(120, i), "role": text(200, i)}
            | {"text": text(1500, i), "context": text(500, i)}
            for i in range(200)
        ],
        "related": [{"title": text(300, i), "url": f"https://example.org/{i}"} for i in range(100)],
        "timeline": [{"when": text(80, i), "what": text(500, i)} for i in range(100)],
    }
    files = {
        "full-limits.yaml": json.dumps(full, indent=1),
        "unknown-keys-4990.yaml": HEAD + "".join(f"k{i}: 1\n" for i in range(4990)),
        "flow-9990.yaml": HEAD + "tags: [" + ",".join(["[]"] * 9990) + "]\n",
        "amp-everywhere.yaml": HEAD + "key_points:\n" + "- 'a & b * c'\n" * 80_000,
    }
    paths = []
    for name, content in files.items():
        path = folder / name
        path.write_text(content[: 1024 * 1024 - 1], encoding="utf-8")
        paths.append(path)
    return paths


def judge(path: Path) -> str:
    """Load `path`; return "valid" or its first error."""
    try:
        load_briefing(path)
    except BriefingFileError as exc:
        return str(exc.errors[0]).removeprefix(f"{path}")
    return "valid"


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="briefbot-hostile-") as tmp:
        paths = sorted(HOSTILE.glob("*.yaml")) + made_here(Path(tmp))
        worst_s = worst_mb = 0.0
        print(f"{'file':26} {'size':>9} {'time':>9} {'peak':>8}  outcome")
        for path in paths:
            best = float("inf")
            for _ in range(args.runs):
                start = time.perf_counter()
                outcome = judge(path)
                best = min(best, time.perf_counter() - start)
            tracemalloc.start()
            judge(path)
            peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            worst_s, worst_mb = max(worst_s, best), max(worst_mb, peak_mb)
            size = path.stat().st_size
            print(
                f"{path.name:26} {size:>9} {best * 1000:>7.1f}ms {peak_mb:>6.1f}MB  {outcome[:60]}"
            )
    print(
        f"worst time {worst_s * 1000:.1f} ms: ratio {worst_s / TIME_TARGET_S:.2f} of "
        f"{TIME_TARGET_S:.0f} s; worst peak {worst_mb:.1f} MB: ratio "
        f"{worst_mb / MEMORY_TARGET_MB:.2f} of {MEMORY_TARGET_MB:.0f} MB"
    )


if __name__ == "__main__":
    main()
