"""Parsing many briefing files at once in worker processes, for a first load.

A first start with no index reads every file, and parsing YAML into Python objects (PyYAML's
constructor runs in Python) is most of that time. Worker processes read, parse, validate and
pack the files ahead of the library, which installs them one by one in its usual order; results
come back in that order and only a few chunks ahead, so memory stays that of a few hundred
briefings however large the folder.

The library uses a result only if the file's size and modification time are still those it
scanned; otherwise it parses the file itself, as it does for every file of a small load.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from bot.briefing.index_store import content_digest
from bot.briefing.loader import BriefingError, BriefingFileError, LoadedBriefing, read_briefing
from bot.briefing.shelf import pack

# Below this many files to parse, starting workers costs more than it saves.
MIN_FILES = 400
CHUNK = 16  # files per task
AHEAD = 6  # tasks in flight per worker


@dataclass
class Parsed:
    """One file as a worker found it: its briefing (and packed form), or its errors."""

    mtime_ns: int
    size: int
    digest: bytes | None
    loaded: LoadedBriefing | None = None
    packed: bytes | None = None
    errors: list[BriefingError] = field(default_factory=list)

    def result(self) -> LoadedBriefing:
        """The briefing and the line of its id, or the `BriefingFileError` loading it raised."""
        if self.loaded is None:
            raise BriefingFileError(self.errors)
        return self.loaded


def _parse(keys: list[str]) -> list[Parsed | None]:
    out: list[Parsed | None] = []
    for key in keys:
        try:
            stat = os.stat(key)
        except OSError:
            out.append(None)
            continue
        parsed = Parsed(stat.st_mtime_ns, stat.st_size, content_digest(key, stat))
        try:
            parsed.loaded = read_briefing(Path(key))
            parsed.packed = pack(parsed.loaded.briefing)
        except BriefingFileError as exc:
            parsed.errors = exc.errors
        out.append(parsed)
    return out


def worker_count() -> int:
    """How many worker processes to use: one per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


class Prefetch:
    """Files parsed ahead by worker processes, taken in the order they were listed."""

    def __init__(self, keys: list[str], workers: int) -> None:
        # Spawned, not forked: the bot forks from a process with threads running.
        self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        chunks = (keys[i : i + CHUNK] for i in range(0, len(keys), CHUNK))
        self._chunks: Iterator[list[str]] = chunks
        self._pending: deque[tuple[list[str], Future[list[Parsed | None]]]] = deque()
        for chunk in islice(chunks, workers * AHEAD):
            self._pending.append((chunk, self._pool.submit(_parse, chunk)))
        self._ready: dict[str, Parsed | None] = {}
        self._keys = set(keys)

    def take(self, key: str, stat: os.stat_result) -> Parsed | None:
        """The worker's result for `key` if it still describes the file as scanned, else None."""
        if key not in self._keys:
            return None
        self._keys.discard(key)
        while key not in self._ready and self._pending:
            chunk, future = self._pending.popleft()
            try:
                results = future.result()
            except Exception:  # a worker died (e.g. out of memory): parse here instead
                results = [None] * len(chunk)
            # Results the library did not ask for in order are few; keep them a while.
            self._ready.update(zip(chunk, results, strict=True))
            for more in islice(self._chunks, 1):
                self._pending.append((more, self._pool.submit(_parse, more)))
        parsed = self._ready.pop(key, None)
        if parsed is None or (parsed.mtime_ns, parsed.size) != (stat.st_mtime_ns, stat.st_size):
            return None
        return parsed

    def close(self) -> None:
        """Stop the workers."""
        self._pool.shutdown(wait=True, cancel_futures=True)
