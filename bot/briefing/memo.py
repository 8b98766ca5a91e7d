"""Answers worked out from a briefing, kept for the next time someone asks for them.

Readers ask for the same few sections of the same few briefings over and over, and a rendered
page never changes while its briefing object lives: a reload gives a changed file a new object.
So answers are remembered by the briefing's identity, and the entry keeps that object alive,
which means an id can never be reused for another briefing while it is remembered.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from bot.briefing.models import Briefing

T = TypeVar("T")

# Entries pin their briefing: a few hundred keep the hot answers without holding an archive.
DEFAULT_SIZE = 256


class BriefingMemo(Generic[T]):
    """A least-recently-used memory of values made from a briefing and a key.

    For the event loop's thread: the bot's handlers use it one at a time.
    """

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        """Remember at most `size` values."""
        if size < 1:
            raise ValueError("a memo holds at least one value")
        self._size = size
        self._items: OrderedDict[tuple[int, Hashable], tuple[Briefing, T]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, briefing: Briefing, key: Hashable, make: Callable[[], T]) -> T:
        """The value remembered for this briefing object and `key`, else `make()`, remembered."""
        slot = (id(briefing), key)
        found = self._items.get(slot)
        if found is not None and found[0] is briefing:
            self._items.move_to_end(slot)
            self.hits += 1
            return found[1]
        self.misses += 1
        value = make()
        self._items[slot] = (briefing, value)
        self._items.move_to_end(slot)
        while len(self._items) > self._size:
            self._items.popitem(last=False)
        return value
