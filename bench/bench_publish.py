"""Publishing a draft into a large briefings folder: how long an admin waits after Publish.

Set-up: `bench/_gen.py` writes `--count` briefings into a temporary folder and a library loads
them. Then `--runs` drafts (small briefings with new ids) are published one by one with
`publish_draft`: temporary file, fsync, link into place, fsync of the folder, incremental reload
of the library. The baseline is the part the bot cannot avoid: writing the same file by hand
(`Path.write_text`, no fsync) and running the same incremental reload. Printed: median and max
of each in milliseconds, the ratio of the medians, and the target (Publish answered within
250 ms with 10,000 briefings).

Run: ``PYTHONPATH=. python bench/bench_publish.py [--count N] [--runs N]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _gen import write_briefings

from bot.briefing.library import BriefingLibrary
from bot.drafting.publish import publish_draft

TARGET_MS = 250.0


def draft_yaml(briefing_id: str) -> str:
    """A small valid briefing with this id."""
    return (
        f"id: {briefing_id}\ntitle: Draft {briefing_id}\npublished: 2026-11-25\n"
        "summary: A drafted article, published from Telegram.\n"
    )


def main() -> None:
    """Print publish and baseline timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="briefings in the folder")
    parser.add_argument("--runs", type=int, default=30, help="drafts published")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp:
        folder = Path(tmp) / "briefings"
        folder.mkdir()
        write_briefings(folder, args.count)
        library = BriefingLibrary([folder])
        started = time.perf_counter()
        library.reload()
        print(f"loaded {len(library)} briefings in {time.perf_counter() - started:.2f} s")

        baseline: list[float] = []
        for n in range(args.runs):
            started = time.perf_counter()
            (folder / f"by-hand-{n}.yaml").write_text(draft_yaml(f"by-hand-{n}"), "utf-8")
            library.reload()
            baseline.append((time.perf_counter() - started) * 1000)

        published: list[float] = []
        for n in range(args.runs):
            started = time.perf_counter()
            publish_draft(library, folder, draft_yaml(f"published-{n}"))
            published.append((time.perf_counter() - started) * 1000)
        assert len(library) == args.count + 2 * args.runs

    base, pub = statistics.median(baseline), statistics.median(published)
    print(f"write by hand + reload: median {base:.1f} ms, max {max(baseline):.1f} ms")
    print(f"publish_draft:          median {pub:.1f} ms, max {max(published):.1f} ms")
    print(f"ratio publish/baseline (medians): {pub / base:.2f}")
    verdict = "ok" if pub <= TARGET_MS else "OVER"
    print(f"target: median <= {TARGET_MS:.0f} ms with {args.count} briefings: {verdict}")


if __name__ == "__main__":
    main()
