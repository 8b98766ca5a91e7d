"""Figures the benchmarks share."""

from __future__ import annotations

from telegram.ext import AIORateLimiter


def max_in_window(stamps: list[float], span: float = 1.0) -> int:
    """The most stamps in any half-open window [t, t + span)."""
    ordered = sorted(stamps)
    best = start = 0
    for end, stamp in enumerate(ordered):
        while ordered[start] <= stamp - span:
            start += 1
        best = max(best, end - start + 1)
    return best


def aio_rate_limiter() -> AIORateLimiter:
    """The baseline: the `AIORateLimiter` set-up briefbot used before `bot.ratelimit`.

    A bucket of one message refilled 28 times a second overall; per group a burst of 5, then one
    every 4 s; 429s retried 3 times.
    """
    return AIORateLimiter(
        overall_max_rate=1,
        overall_time_period=1 / 28,
        group_max_rate=5,
        group_time_period=5 * 4.0,
        max_retries=3,
    )
