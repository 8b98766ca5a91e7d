"""Time as the bot sees it: the real clock, or one the simulator and tests move by hand."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current time."""

    def now(self) -> dt.datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> dt.datetime:
        """The current time, timezone-aware, in UTC."""
        return dt.datetime.now(dt.UTC)


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        """The current virtual time."""
        return self._now

    def set(self, moment: dt.datetime) -> None:
        """Jump to `moment` (forwards or backwards)."""
        self._now = moment.astimezone(dt.UTC)

    def advance(self, delta: dt.timedelta) -> None:
        """Move forwards by `delta`."""
        self._now += delta
