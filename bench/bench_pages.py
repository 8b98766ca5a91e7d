"""Cost of answering a long section one page at a time, against rendering it whole and splitting.

Set-up: a briefing at the field limits' worst case for /quotes: 200 quotes of 1500 characters
(speaker, role and context filled in too), plus 200 attendees with notes. For each section:

* "whole + split" (the baseline): render the section in one piece and cut it with
  `split_html`, which is what an answer cost when it went out as many messages.
* "one page": `paginate` the section and `pick` one page, which is what the bot does for the
  command and for every press of ‹ or ›.

Each is timed call by call with perf_counter_ns (median and p90 of `--runs`); the number of
messages each way is printed too, with the ratio of the page's time to the baseline's.

Run: ``PYTHONPATH=. python bench/bench_pages.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable

from bot.briefing.models import Briefing
from bot.briefing.pages import Section, paginate, pick, whole
from bot.briefing.render import attendees_section, quotes_section
from bot.briefing.split import split_html


def worst_case() -> Briefing:
    """A briefing with every quote and attendee field at its limit."""
    quotes = [
        {
            "speaker": f"Speaker {i:03d} " + "n" * 100,
            "role": "r" * 200,
            "text": f"Q{i:03d} " + ("word " * 300)[: 1500 - 5],
            "context": "c" * 500,
        }
        for i in range(200)
    ]
    attendees = [
        {"name": f"Attendee {i:03d}", "role": "Envoy", "country": "Country", "note": "n " * 250}
        for i in range(200)
    ]
    return Briefing.model_validate(
        {
            "id": "worst-case",
            "title": "T" * 200,
            "published": dt.date(2025, 3, 15),
            "summary": "S",
            "quotes": quotes,
            "attendees": attendees,
        }
    )


def timed(call: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and p90 of `runs` calls, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        call()
        times.append((time.perf_counter_ns() - start) / 1e6)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1]


def measure(name: str, section: Section, runs: int) -> None:
    """Print the baseline and the paged figures for one section."""
    messages = len(split_html(whole(section)))
    pages = len(paginate(section))
    base, base90 = timed(lambda: split_html(whole(section)), runs)
    page, page90 = timed(lambda: pick(paginate(section), pages // 2), runs)
    print(f"{name}")
    print(f"    whole + split : {base:7.2f} ms (p90 {base90:6.2f})  {messages} messages (baseline)")
    print(
        f"    one page      : {page:7.2f} ms (p90 {page90:6.2f})  1 message of {pages} pages"
        f"  ratio {page / base:.4f}x"
    )


def main() -> None:
    """Measure /quotes and /who_attends of the worst-case briefing."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    briefing = worst_case()
    measure(
        "/quotes, 200 quotes of 1500 characters",
        quotes_section(briefing, briefing.quotes),
        args.runs,
    )
    measure("/who_attends, 200 attendees with notes", attendees_section(briefing), args.runs)


if __name__ == "__main__":
    main()
