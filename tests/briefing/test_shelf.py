"""The shelf keeps briefings packed and gives back equal objects, most used ones cached."""

from __future__ import annotations

from pathlib import Path

from conftest import HOSTILE, SHIPPED_BRIEFINGS

from bot.briefing.loader import load_briefing
from bot.briefing.models import Briefing
from bot.briefing.shelf import BriefingShelf, pack


def briefings() -> list[Briefing]:
    return [load_briefing(p) for p in [*sorted(SHIPPED_BRIEFINGS.glob("*.yaml")), HOSTILE]]


class TestShelf:
    """What goes on the shelf comes back equal, whether cached or unpacked."""

    def test_round_trip_through_the_packed_form(self) -> None:
        shelf = BriefingShelf(cache_size=0)
        for briefing in briefings():
            shelf.put(briefing, pack(briefing))
        for briefing in briefings():
            back = shelf.get(briefing.id)
            assert back == briefing
            assert back is not None and back.published_at == briefing.published_at

    def test_packed_is_smaller_than_the_yaml(self, tmp_path: Path) -> None:
        seed = next(SHIPPED_BRIEFINGS.glob("*.yaml"))
        assert len(pack(load_briefing(seed))) < seed.stat().st_size / 2

    def test_cache_keeps_the_most_recently_used(self) -> None:
        shelf = BriefingShelf(cache_size=1)
        first, second = briefings()
        shelf.put(first, pack(first))
        shelf.put(second, pack(second))
        assert shelf.get(second.id) is shelf.get(second.id)
        assert shelf.get(first.id) == first

    def test_remove(self) -> None:
        shelf = BriefingShelf()
        [first, _] = briefings()
        shelf.put(first, pack(first))
        shelf.remove(first.id)
        assert shelf.get(first.id) is None
        assert first.id not in shelf
        assert len(shelf) == 0
