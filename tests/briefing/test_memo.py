"""`BriefingMemo`: a value is reused only for the same briefing object, and old ones go first."""

from __future__ import annotations

import pytest

from bot.briefing.memo import BriefingMemo
from bot.briefing.models import Briefing


def briefing(title: str = "A title") -> Briefing:
    return Briefing.model_validate(
        {"id": "one", "title": title, "published": "2025-03-15", "summary": "Summary."}
    )


def test_a_value_is_made_once_per_briefing_object_and_key() -> None:
    memo: BriefingMemo[str] = BriefingMemo()
    made: list[str] = []

    def make(text: str) -> str:
        made.append(text)
        return text

    first = briefing()
    assert memo.get(first, "w", lambda: make("who")) == "who"
    assert memo.get(first, "w", lambda: make("again")) == "who"
    assert memo.get(first, "q", lambda: make("quotes")) == "quotes"
    assert made == ["who", "quotes"]
    assert (memo.hits, memo.misses) == (1, 2)


def test_a_reloaded_briefing_with_the_same_id_is_made_afresh() -> None:
    memo: BriefingMemo[str] = BriefingMemo()
    old, new = briefing("Old title"), briefing("New title")
    assert memo.get(old, "summary", lambda: old.title) == "Old title"
    assert memo.get(new, "summary", lambda: new.title) == "New title"


def test_the_least_recently_used_value_is_forgotten_first() -> None:
    memo: BriefingMemo[int] = BriefingMemo(size=2)
    b = briefing()
    memo.get(b, 1, lambda: 1)
    memo.get(b, 2, lambda: 2)
    memo.get(b, 1, lambda: -1)  # used again: 2 is now the oldest
    memo.get(b, 3, lambda: 3)
    assert len(memo) == 2
    assert memo.get(b, 1, lambda: -1) == 1
    assert memo.get(b, 2, lambda: -2) == -2


def test_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least one"):
        BriefingMemo(size=0)
