"""A small ranked full-text index over briefings, updated one briefing at a time."""

from __future__ import annotations

import bisect

from bot.briefing.models import Briefing
from bot.briefing.textnorm import words, words_of_all

# How much a word counts by where it appears; a title hit outranks a passing mention in a quote.
WEIGHTS = {
    "title": 5.0,
    "names": 3.0,
    "tags": 3.0,
    "summary": 2.0,
    "key_points": 1.5,
    "quotes": 1.0,
}
# Words shorter than this only match whole words; longer ones also match as prefixes.
MIN_PREFIX = 3


def _weighted_words(briefing: Briefing) -> dict[str, float]:
    fields: dict[str, list[str]] = {
        "title": [briefing.title],
        "names": [a.name for a in briefing.attendees] + [q.speaker for q in briefing.quotes],
        "tags": list(briefing.tags),
        "summary": [briefing.summary],
        "key_points": list(briefing.key_points),
        "quotes": [q.text for q in briefing.quotes],
    }
    scores: dict[str, float] = {}
    for field, texts in fields.items():
        weight = WEIGHTS[field]
        for word in set(words_of_all(texts)):
            scores[word] = scores.get(word, 0.0) + weight
    return scores


# With 10,000 briefings the index holds millions of (word, briefing) pairs: the few distinct
# scores are shared float objects rather than one per pair.
_SCORES: dict[float, float] = {}


class SearchIndex:
    """An inverted index: word → briefing id → score."""

    def __init__(self) -> None:
        self._postings: dict[str, dict[str, float]] = {}
        # What each id was indexed from: removing it computes the same words again, which is
        # cheaper than keeping a list of words per briefing for the rare edit or removal.
        self._indexed: dict[str, Briefing] = {}
        self._vocabulary: list[str] | None = None

    def add(self, briefing: Briefing) -> None:
        """Index `briefing`, replacing any earlier version with the same id."""
        self.remove(briefing.id)
        bid = briefing.id
        postings = self._postings
        for word, score in _weighted_words(briefing).items():
            posting = postings.get(word)
            if posting is None:
                posting = postings[word] = {}
                self._vocabulary = None
            posting[bid] = _SCORES.setdefault(score, score)
        self._indexed[bid] = briefing

    def remove(self, briefing_id: str) -> None:
        """Forget the briefing with this id, if indexed."""
        briefing = self._indexed.pop(briefing_id, None)
        if briefing is None:
            return
        for word in _weighted_words(briefing):
            posting = self._postings[word]
            posting.pop(briefing_id, None)
            if not posting:
                del self._postings[word]
                self._vocabulary = None

    def search(self, query: str) -> list[tuple[str, float]]:
        """Briefing ids matching `query`, best first, with their scores.

        Briefings that match every query word (as a word, or as a prefix when long enough) come
        first; if none does, those matching the most words. Scores add up where words appear.
        """
        terms = list(dict.fromkeys(words(query)))
        totals: dict[str, float] = {}
        matched: dict[str, int] = {}
        for term in terms:
            for bid, score in self._hits(term).items():
                totals[bid] = totals.get(bid, 0.0) + score
                matched[bid] = matched.get(bid, 0) + 1
        complete = [bid for bid, count in matched.items() if count == len(terms)]
        # Partial matches only stand in when nothing matches every word.
        found = complete or list(totals)
        ranked = sorted(found, key=lambda bid: (-matched[bid], -totals[bid], bid))
        return [(bid, totals[bid]) for bid in ranked]

    def _hits(self, term: str) -> dict[str, float]:
        hits = dict(self._postings.get(term, {}))
        if len(term) < MIN_PREFIX:
            return hits
        if self._vocabulary is None:
            self._vocabulary = sorted(self._postings)
        vocab = self._vocabulary
        i = bisect.bisect_left(vocab, term)
        while i < len(vocab) and vocab[i].startswith(term):
            if vocab[i] != term:
                # A prefix match counts a little less than the whole word.
                for bid, score in self._postings[vocab[i]].items():
                    hits[bid] = max(hits.get(bid, 0.0), score * 0.8)
            i += 1
        return hits
