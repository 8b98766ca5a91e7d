"""Briefings kept compact in memory: compressed JSON, with the most used ones kept as objects.

A validated briefing as pydantic objects takes about five times the memory of its text; a
library of 10,000 would need over half a gigabyte. The shelf keeps each briefing's last good
version as zlib-compressed JSON (about a third of its YAML) and rebuilds the object on demand
(a quarter of a millisecond), keeping the most recently used ones ready.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from collections.abc import Iterator

from bot.briefing.models import Briefing

# Enough for the briefings chats are reading at any one time; each costs ~50 KB as objects.
CACHE_SIZE = 64


def pack(briefing: Briefing) -> bytes:
    """A briefing as compressed JSON."""
    return zlib.compress(briefing.model_dump_json().encode(), 1)


class BriefingShelf:
    """Briefings by id, stored packed, with an LRU cache of unpacked ones."""

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        self._packed: dict[str, bytes] = {}
        self._cache: OrderedDict[str, Briefing] = OrderedDict()
        self._cache_size = cache_size

    def put(self, briefing: Briefing, packed: bytes) -> None:
        """Store `briefing` (as `packed`, from `pack`), replacing any with its id."""
        self._packed[briefing.id] = packed
        self._remember(briefing)

    def put_packed(self, briefing_id: str, packed: bytes) -> None:
        """Store a briefing only in packed form (as the persistent index keeps it)."""
        self._packed[briefing_id] = packed
        self._cache.pop(briefing_id, None)

    def get(self, briefing_id: str) -> Briefing | None:
        """The briefing with this id, if stored."""
        briefing = self._cache.get(briefing_id)
        if briefing is not None:
            self._cache.move_to_end(briefing_id)
            return briefing
        packed = self._packed.get(briefing_id)
        if packed is None:
            return None
        briefing = Briefing.model_validate_json(zlib.decompress(packed))
        self._remember(briefing)
        return briefing

    def packed(self, briefing_id: str) -> bytes | None:
        """The briefing with this id as stored (a new object whenever it is stored again)."""
        return self._packed.get(briefing_id)

    def remove(self, briefing_id: str) -> None:
        """Forget the briefing with this id."""
        self._packed.pop(briefing_id, None)
        self._cache.pop(briefing_id, None)

    def _remember(self, briefing: Briefing) -> None:
        self._cache[briefing.id] = briefing
        self._cache.move_to_end(briefing.id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def __contains__(self, briefing_id: object) -> bool:
        return briefing_id in self._packed

    def __len__(self) -> int:
        return len(self._packed)

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)
