"""Quotes by a speaker: ranked matches, and a short key that selects the same quotes again."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.briefing.library import speaker_matches, speaker_rank
from bot.briefing.models import Briefing, Quote
from bot.briefing.quotefilter import quotes_for_key, quotes_matching


def briefing(**fields: object) -> Briefing:
    data: dict[str, object] = {
        "id": "b",
        "title": "T",
        "published": dt.date(2025, 3, 15),
        "summary": "S",
    }
    data.update(fields)
    return Briefing.model_validate(data)


QUOTES = [
    {"speaker": "Ron Weasley", "text": "q0"},
    {"speaker": "Emmanuel Macron", "role": "President", "text": "q1"},
    {"speaker": "Keir Starmer", "text": "q2"},
    {"speaker": "Emmanuel Macron", "role": "President", "text": "q3"},
    {"speaker": "Ron Weasley", "text": "q4"},
    {"speaker": "Emmanuel Macron", "text": "q5"},
]


class TestSpeakerFilter:
    """Quotes by a speaker, with a short key that selects the same quotes again."""

    @staticmethod
    def texts(quotes: object) -> list[str]:
        assert isinstance(quotes, list)
        return [q.text for q in quotes]

    def test_names_from_the_start_of_a_word_come_first(self) -> None:
        b = briefing(quotes=QUOTES)
        quotes, key = quotes_matching(b, "ron")
        assert self.texts(quotes) == ["q0", "q4", "q1", "q3", "q5"]
        assert key == "0~1.3"
        assert self.texts(quotes_for_key(b, key)) == self.texts(quotes)

    def test_role_and_accents(self) -> None:
        b = briefing(quotes=[*QUOTES, {"speaker": "António Costa", "text": "q6"}])
        assert self.texts(quotes_matching(b, "president")[0]) == ["q1", "q3"]
        assert self.texts(quotes_matching(b, "ANTONIO")[0]) == ["q6"]

    def test_nobody(self) -> None:
        assert quotes_matching(briefing(quotes=QUOTES), "meloni") == ([], "")

    @pytest.mark.parametrize("key", ["9", "x.", "zzzz", "0~zz", "0:1"])
    def test_bad_keys(self, key: str) -> None:
        assert quotes_for_key(briefing(quotes=QUOTES), key) is None


class TestSpeakerRank:
    """How well a query names a speaker: from the start of words, inside a word, or not."""

    @pytest.mark.parametrize(
        ("query", "rank"),
        [
            ("macron", 2),
            ("Emmanuel Mac", 2),
            ("PRESIDENT", 2),
            ("ron", 1),
            ("manuel acron", 1),
            ("RÓN", 1),
            ("on", 0),  # too short to match inside a word
            ("macron starmer", 0),
            ("", 0),
        ],
    )
    def test_ranks(self, query: str, rank: int) -> None:
        quote = Quote(speaker="Emmanuel Macron", role="President of France", text="t")
        assert speaker_rank(query, quote) == rank
        assert speaker_matches(query, quote) == (rank > 0)
