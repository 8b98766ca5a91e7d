"""Quality and speed of `briefbot draft` on the evaluation set.

Every article in `tests/fixtures/articles/` (`<slug>.txt` or `<slug>.html`) sits next to a
hand-curated gold briefing (`<slug>.gold.yaml`). Per article and overall this prints:

- quote recall and precision: a drafted quote matches a gold quote when their normalised words
  overlap by at least 80% (shared words over the longer of the two), one to one, best first;
  targets 0.9 each;
- speaker accuracy over matched quotes: the gold speaker's last word (surname or institution)
  appears in the drafted speaker; target 0.9;
- attendee recall and status accuracy: a gold attendee matches a drafted one when the last
  distinctive word of its name (surname or country, not "minister" or "delegation") is a word of
  the drafted name or country; targets 0.85 each;
- related headlines on the seed: exactly the gold list, in order, none in summary or key points;
- time: one ~2,000-word article drafted by `python -m bot draft` as a subprocess (start-up
  included; target <= 1 s), and 100 articles drafted in one process (target <= 20 s).

Run: ``PYTHONPATH=. python bench/bench_draft.py [--dir DIR]``.
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.briefing.textnorm import fold
from bot.drafting import draft_article

REPO = Path(__file__).resolve().parent.parent
ARTICLES = REPO / "tests" / "fixtures" / "articles"
SEED = "ukraine-allies-virtual-meeting"
OVERLAP = 0.8
TARGETS = {"recall": 0.9, "precision": 0.9, "speaker": 0.9, "att_recall": 0.85, "status": 0.85}
ONE_ARTICLE_TARGET_S = 1.0
HUNDRED_TARGET_S = 20.0
_WORD = re.compile(r"\w+")
# Words that do not tell one attendee from another ("Prime Minister of Sweden" is "sweden").
GENERIC = frozenset(
    [
        "the",
        "of",
        "a",
        "an",
        "delegation",
        "delegations",
        "ministers",
        "minister",
        "states",
        "countries",
        "leaders",
        "government",
        "president",
        "prime",
        "foreign",
        "member",
    ]
)


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def overlap(a: str, b: str) -> float:
    wa, wb = Counter(words(a)), Counter(words(b))
    longest = max(sum(wa.values()), sum(wb.values()))
    return sum((wa & wb).values()) / longest if longest else 0.0


@dataclass
class Score:
    """Counts for one article, or summed over all."""

    gold_quotes: int = 0
    drafted_quotes: int = 0
    matched: int = 0
    speakers_right: int = 0
    gold_attendees: int = 0
    attendees_found: int = 0
    statuses_right: int = 0

    def add(self, other: Score) -> None:
        """Add another article's counts."""
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def ratios(self) -> dict[str, float]:
        """The five measured ratios (1.0 where nothing was there to find)."""

        def ratio(a: int, b: int) -> float:
            return a / b if b else 1.0

        return {
            "recall": ratio(self.matched, self.gold_quotes),
            "precision": ratio(self.matched, self.drafted_quotes),
            "speaker": ratio(self.speakers_right, self.matched),
            "att_recall": ratio(self.attendees_found, self.gold_attendees),
            "status": ratio(self.statuses_right, self.attendees_found),
        }


def score(draft: dict[str, Any], gold: dict[str, Any], misses: list[str]) -> Score:
    result = Score()
    gold_quotes = gold.get("quotes") or []
    drafted = draft.get("quotes") or []
    result.gold_quotes, result.drafted_quotes = len(gold_quotes), len(drafted)
    pairs = sorted(
        (
            (overlap(g["text"], d["text"]), gi, di)
            for gi, g in enumerate(gold_quotes)
            for di, d in enumerate(drafted)
        ),
        reverse=True,
    )
    used_gold: set[int] = set()
    used_draft: set[int] = set()
    for value, gi, di in pairs:
        if value < OVERLAP or gi in used_gold or di in used_draft:
            continue
        used_gold.add(gi)
        used_draft.add(di)
        result.matched += 1
        gold_last = words(gold_quotes[gi]["speaker"])[-1:]
        if gold_last and gold_last[0] in words(drafted[di]["speaker"]):
            result.speakers_right += 1
        else:
            misses.append(
                f"  speaker: {drafted[di]['speaker']!r} for {gold_quotes[gi]['speaker']!r}: "
                f"{gold_quotes[gi]['text'][:60]!r}"
            )
    for gi, quote in enumerate(gold_quotes):
        if gi not in used_gold:
            misses.append(f"  missed quote ({quote['speaker']}): {quote['text'][:70]!r}")
    for di, quote in enumerate(drafted):
        if di not in used_draft:
            misses.append(f"  extra quote ({quote['speaker']}): {quote['text'][:70]!r}")

    gold_attendees = gold.get("attendees") or []
    result.gold_attendees = len(gold_attendees)
    taken: set[int] = set()
    for attendee in gold_attendees:
        last = [w for w in words(attendee["name"]) if w not in GENERIC][-1:]
        for di, candidate in enumerate(draft.get("attendees") or []):
            names = words(candidate["name"]) + words(candidate.get("country") or "")
            if di not in taken and last and last[0] in names:
                taken.add(di)
                result.attendees_found += 1
                wanted = attendee.get("status", "expected")
                got = candidate.get("status", "expected")
                if got == wanted:
                    result.statuses_right += 1
                else:
                    misses.append(f"  status: {attendee['name']!r} {got} (gold {wanted})")
                break
        else:
            misses.append(f"  missed attendee: {attendee['name']!r} ({attendee.get('status')})")
    return result


def related_check(draft: dict[str, Any], gold: dict[str, Any]) -> str:
    got = [r["title"] for r in draft.get("related") or []]
    want = [r["title"] for r in gold.get("related") or []]
    prose = " ".join([draft.get("summary") or "", *(draft.get("key_points") or [])])
    leaks = [title for title in got if title in prose]
    exact = "exact, in order" if got == want else f"DIFFERS ({len(got)} drafted, {len(want)} gold)"
    return f"{exact}; {len(leaks)} leaked into summary/key points"


def article_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".txt", ".html") and p.is_file())


def two_thousand_words(folder: Path) -> str:
    body = (folder / f"{SEED}.txt").read_text(encoding="utf-8")
    paragraphs = body.split("\n")
    text = [paragraphs[0], ""]
    count = 0
    while count < 2000:
        for paragraph in paragraphs[1:]:
            text.append(paragraph)
            count += len(paragraph.split())
            if count >= 2000:
                break
    return "\n".join(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ARTICLES)
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    args = parser.parse_args()
    total = Score()
    header = (
        f"{'article':44} {'quotes':>7} {'recall':>6} {'prec':>5} {'spkr':>5} {'att':>5} {'stat':>5}"
    )
    print(header)
    files = article_files(args.dir)
    for path in files:
        gold_path = path.with_name(f"{path.stem}.gold.yaml")
        if not gold_path.exists():
            continue
        gold = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
        published = gold.get("published")
        draft = draft_article(path.read_bytes(), published=published)
        data = yaml.safe_load(draft.yaml)
        misses: list[str] = []
        result = score(data, gold, misses)
        total.add(result)
        r = result.ratios()
        print(
            f"{path.stem[:44]:44} {result.matched:>3}/{result.gold_quotes:<3} {r['recall']:6.2f}"
            f" {r['precision']:5.2f} {r['speaker']:5.2f} {r['att_recall']:5.2f} {r['status']:5.2f}"
        )
        if args.verbose:
            print("\n".join(misses))
        if path.stem == SEED:
            seed_related = related_check(data, gold)
    r = total.ratios()
    print(
        f"{'overall':44} {total.matched:>3}/{total.gold_quotes:<3} {r['recall']:6.2f}"
        f" {r['precision']:5.2f} {r['speaker']:5.2f} {r['att_recall']:5.2f} {r['status']:5.2f}"
    )
    for key, target in TARGETS.items():
        print(f"  {key:11} {r[key]:.2f}  target >= {target:.2f}  ratio {r[key] / target:.2f}")
    if (args.dir / f"{SEED}.txt").exists():
        print(f"related on the seed: {seed_related}")

    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "long.txt"
        big.write_text(two_thousand_words(args.dir), encoding="utf-8")
        count = len(big.read_text(encoding="utf-8").split())
        runs, cpu = [], []
        for _ in range(5):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "bot", "draft", str(big), "--published", "2025-03-15"],
                cwd=REPO,
                check=True,
                capture_output=True,
            )
            runs.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        best = min(runs)
        print(
            f"one {count}-word article, subprocess incl. start-up: best {best:.2f} s of 5"
            f" (median {statistics.median(runs):.2f} s wall, {min(cpu):.2f} s CPU)"
            f"  target <= {ONE_ARTICLE_TARGET_S:.1f} s  ratio {best / ONE_ARTICLE_TARGET_S:.2f}"
        )
    raws = [p.read_bytes() for p in files]
    start = time.perf_counter()
    for i in range(100):
        draft_article(raws[i % len(raws)], published=None)
    elapsed = time.perf_counter() - start
    print(
        f"100 articles in one process: {elapsed:.2f} s  target <= {HUNDRED_TARGET_S:.0f} s"
        f"  ratio {elapsed / HUNDRED_TARGET_S:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
