"""The drafting evaluation set: real articles in tests/fixtures/articles/ and their gold briefings.

Each article (``<slug>.txt`` or ``<slug>.html``) has a hand-curated ``<slug>.gold.yaml``. These
tests keep the gold honest: it must be a valid briefing, and every quote and related title it
claims must be found in the article it was curated from.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from bot.briefing.loader import load_briefing
from bot.briefing.models import Briefing

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
ARTICLE_SUFFIXES = (".txt", ".html")
# A quote split around its speech verb has two parts; one that also runs over a paragraph break
# (where the next paragraph reopens the quotation marks) has three.
MAX_QUOTE_PARTS = 3

_QUOTE_MARKS = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'"}
)


def normalise(text: str) -> str:
    """Collapse runs of whitespace and map curly quotation marks to straight ones."""
    return " ".join(text.translate(_QUOTE_MARKS).split())


def article_text(path: Path) -> str:
    """The article as plain text: HTML files lose their tags and entities."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        raw = html.unescape(re.sub(r"<[^>]+>", " ", raw))
    return normalise(raw)


def found_in_parts(quote: str, article: str, parts: int = MAX_QUOTE_PARTS) -> bool:
    """Whether `quote` appears in `article` whole, or as up to `parts` pieces split at spaces.

    Gold joins the parts of a split quote with one space (dropping the comma that closes the
    first part), so a split point must be where the article closes the quotation (or a paragraph
    that reopens it follows) and the next part must open a quotation.
    """
    return _found(normalise(quote), article, parts, opens=False)


def _found(quote: str, article: str, parts: int, *, opens: bool) -> bool:
    lead = '"' if opens else ""
    if lead + quote in article:
        return True
    if parts <= 1:
        return False
    spaces = [i for i, ch in enumerate(quote) if ch == " "]
    return any(
        any(lead + quote[:i] + end in article for end in _PART_ENDS)
        and _found(quote[i + 1 :], article, parts - 1, opens=True)
        for i in reversed(spaces)
    )


_PART_ENDS = ('"', ',"', ' "')


def article_paths() -> list[Path]:
    """Every article in the evaluation set."""
    return sorted(p for p in ARTICLES.iterdir() if p.suffix in ARTICLE_SUFFIXES)


def gold_path(article: Path) -> Path:
    """The gold briefing curated for `article`."""
    return article.with_name(article.stem + ".gold.yaml")


ARTICLE_PATHS = article_paths()


def test_the_set_has_at_least_seven_articles_each_with_gold() -> None:
    assert len(ARTICLE_PATHS) >= 7
    assert [p.name for p in ARTICLE_PATHS if not gold_path(p).is_file()] == []
    golds = sorted(ARTICLES.glob("*.gold.yaml"))
    assert len(golds) == len(ARTICLE_PATHS)


@pytest.fixture(params=ARTICLE_PATHS, ids=lambda p: p.stem)
def pair(request: pytest.FixtureRequest) -> tuple[str, Briefing]:
    """One article's normalised text and its validated gold briefing."""
    article: Path = request.param
    return article_text(article), load_briefing(gold_path(article))


def test_gold_quotes_are_the_articles_words(pair: tuple[str, Briefing]) -> None:
    article, gold = pair
    missing = [q.text for q in gold.quotes if not found_in_parts(q.text, article)]
    assert missing == []


def test_gold_related_titles_are_in_the_article(pair: tuple[str, Briefing]) -> None:
    article, gold = pair
    missing = [r.title for r in gold.related if normalise(r.title) not in article]
    assert missing == []


def test_gold_ids_match_their_file_names() -> None:
    for article in ARTICLE_PATHS:
        assert load_briefing(gold_path(article)).id == article.stem


class TestQuoteMatching:
    """The matcher accepts split and re-marked quotes but not words the article lacks."""

    ARTICLE = normalise(
        "“We will not sign,” he said. “Not today.”\n\nShe called it ‘a  stalling tactic’."
    )

    def test_whole_and_split_quotes_are_found(self) -> None:
        assert found_in_parts("a stalling tactic", self.ARTICLE)
        assert found_in_parts("We will not sign Not today.", self.ARTICLE)

    def test_words_not_in_the_article_are_not_found(self) -> None:
        assert not found_in_parts("We will sign today.", self.ARTICLE)
        assert not found_in_parts("We will not sign Not today. Never.", self.ARTICLE, parts=2)
