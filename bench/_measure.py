"""Figures the benchmarks share."""

from __future__ import annotations


def max_in_window(stamps: list[float], span: float = 1.0) -> int:
    """The most stamps in any half-open window [t, t + span)."""
    ordered = sorted(stamps)
    best = start = 0
    for end, stamp in enumerate(ordered):
        while ordered[start] <= stamp - span:
            start += 1
        best = max(best, end - start + 1)
    return best
