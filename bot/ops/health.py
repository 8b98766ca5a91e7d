"""Health: when the database and the Bot API last answered, and what failed since.

`/healthz` is healthy while every check succeeded within the window; otherwise its body says
which check failed, with the last error.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CHECKS = ("database", "bot_api")


@dataclass
class _Check:
    last_ok: float | None = None
    last_error: str | None = None


@dataclass
class HealthState:
    """The latest outcome of each check, on a monotonic clock."""

    clock: Callable[[], float] = time.monotonic
    checks: dict[str, _Check] = field(default_factory=lambda: {n: _Check() for n in CHECKS})

    def ok(self, check: str) -> None:
        """`check` succeeded just now."""
        state = self.checks[check]
        state.last_ok, state.last_error = self.clock(), None

    def failed(self, check: str, error: str) -> None:
        """`check` failed just now with `error` (one line, no secrets)."""
        self.checks[check].last_error = error

    def report(self, window: float) -> tuple[bool, dict[str, Any]]:
        """Whether every check succeeded within `window` seconds, and a JSON-ready body."""
        now = self.clock()
        healthy = True
        body: dict[str, Any] = {}
        for name, state in self.checks.items():
            age = None if state.last_ok is None else now - state.last_ok
            fresh = age is not None and age <= window
            healthy = healthy and fresh
            entry: dict[str, Any] = {
                "ok": fresh,
                "last_ok_seconds_ago": None if age is None else round(age, 1),
            }
            if not fresh:
                entry["error"] = state.last_error or f"no success in the last {window:g} s"
            body[name] = entry
        return healthy, {"status": "ok" if healthy else "failing", "checks": body}
