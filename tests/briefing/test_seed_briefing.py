"""Checks the shipped seed briefing against the article it was curated from."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import yaml

from bot.briefing.models import AttendeeStatus, Briefing

REPO_ROOT = Path(__file__).resolve().parents[2]
SLUG = "ukraine-allies-virtual-meeting"
BRIEFING_PATH = REPO_ROOT / "briefings" / f"{SLUG}.yaml"
ARTICLE_PATH = REPO_ROOT / "tests" / "fixtures" / "articles" / f"{SLUG}.txt"

SEPARATOR = "-"
EXPECTED_SPEAKERS = {
    "Keir Starmer",
    "Emmanuel Macron",
    "Volodymyr Zelensky",
    "Kathrin Deschauer",
    "Vladimir Putin",
    "Downing Street",
    "Germany",
}
CONFIRMED_PRIME_MINISTERS = {"Sweden", "Spain", "Portugal", "Latvia", "Romania"}
# Punctuation the article keeps inside its quotation marks but that curators may drop.
TRAILING_PUNCTUATION = ".,;:"


@dataclass(frozen=True)
class Article:
    """The article split into its headline, its own text and the teasers of other stories."""

    headline: str
    body_lines: tuple[str, ...]
    teasers: tuple[str, ...]

    @property
    def body(self) -> str:
        """The article's own text without headline or teasers, whitespace-normalised."""
        return normalise(" ".join(self.body_lines))


def normalise(text: str) -> str:
    """Collapse runs of whitespace to single spaces and strip the ends."""
    return " ".join(text.split())


def parse_article(text: str) -> Article:
    """Split the article: each `-` line is followed by exactly one teaser headline."""
    lines = [line.strip() for line in text.splitlines()]
    headline, rest = lines[0], lines[1:]
    body: list[str] = []
    teasers: list[str] = []
    index = 0
    while index < len(rest):
        line = rest[index]
        if line == SEPARATOR:
            teasers.append(rest[index + 1])
            index += 2
            continue
        if line:
            body.append(line)
        index += 1
    return Article(headline=headline, body_lines=tuple(body), teasers=tuple(teasers))


@cache
def load_article() -> Article:
    """The article fixture, parsed."""
    return parse_article(ARTICLE_PATH.read_text(encoding="utf-8"))


@cache
def load_briefing() -> Briefing:
    """The shipped briefing, validated against the models."""
    data = yaml.safe_load(BRIEFING_PATH.read_text(encoding="utf-8"))
    return Briefing.model_validate(data)


def quoted_passages(text: str) -> list[str]:
    """Every passage set in typographic double quotation marks, without trailing punctuation."""
    return [match.rstrip(TRAILING_PUNCTUATION) for match in re.findall(r"“([^”]*)”", text)]


def is_subheading(line: str) -> bool:
    """Whether a body line is a quoted section subheading such as “Concrete Commitments”."""
    return line.startswith("“") and line.endswith("”") and line.count("“") == 1


def attendee_statuses(briefing: Briefing) -> dict[str, AttendeeStatus]:
    """Each attendee's status by name."""
    return {attendee.name: attendee.status for attendee in briefing.attendees}


class TestArticleFixture:
    """The fixture parses into the shape the other tests rely on."""

    def test_teasers_come_in_pairs(self) -> None:
        """Ten teaser blocks of two headlines each are found."""
        article = load_article()
        assert len(article.teasers) == 20
        assert all(article.teasers)
        assert SEPARATOR not in article.teasers

    def test_body_keeps_the_article_text(self) -> None:
        """The body starts with the lead and ends with Meloni's absence."""
        article = load_article()
        assert article.body_lines[0].startswith("Ukraine’s allies are holding a virtual meeting")
        assert article.body_lines[-1].startswith("In contrast, Italian Prime Minister")
        assert not set(article.teasers) & set(article.body_lines)


class TestIdentity:
    """The file validates and identifies itself consistently."""

    def test_id_matches_file_name(self) -> None:
        """The id is the file's stem."""
        assert load_briefing().id == BRIEFING_PATH.stem == SLUG

    def test_published_date(self) -> None:
        """The briefing is dated 15 March 2025."""
        assert load_briefing().published_date == dt.date(2025, 3, 15)

    def test_title_is_the_article_headline(self) -> None:
        """The title is the article's headline, character for character."""
        assert load_briefing().title == load_article().headline

    def test_tags_are_lowercase(self) -> None:
        """Tags are lowercase and include the core topics."""
        tags = load_briefing().tags
        assert all(tag == tag.lower() for tag in tags)
        assert {"ukraine", "russia", "ceasefire"} <= set(tags)

    def test_no_invented_urls(self) -> None:
        """The article gives no URLs, so the briefing carries none."""
        briefing = load_briefing()
        assert briefing.source is None or briefing.source.url is None
        assert all(item.url is None for item in briefing.related)

    def test_key_point_count(self) -> None:
        """There are five to eight key points."""
        assert 5 <= len(load_briefing().key_points) <= 8


class TestQuotes:
    """Quotes are verbatim, correctly attributed and complete."""

    def test_every_quote_is_verbatim_in_the_body(self) -> None:
        """Each quote's text occurs in the article's own text (not in a teaser)."""
        body = load_article().body
        missing = [q.text for q in load_briefing().quotes if normalise(q.text) not in body]
        assert missing == []

    def test_every_quote_is_inside_quotation_marks(self) -> None:
        """Each quote's text lies within a passage the article sets in quotation marks."""
        passages = quoted_passages(load_article().body)
        stray = [
            q.text
            for q in load_briefing().quotes
            if not any(normalise(q.text).rstrip(TRAILING_PUNCTUATION) in p for p in passages)
        ]
        assert stray == []

    def test_speakers_are_expected(self) -> None:
        """Every speaker is one of the people or bodies the article quotes."""
        speakers = {quote.speaker for quote in load_briefing().quotes}
        assert speakers <= EXPECTED_SPEAKERS

    def test_every_expected_speaker_is_quoted(self) -> None:
        """Nobody the article quotes is left out."""
        speakers = {quote.speaker for quote in load_briefing().quotes}
        assert speakers >= EXPECTED_SPEAKERS

    def test_every_quoted_passage_is_covered(self) -> None:
        """Each passage in quotation marks in the article body is part of some quote."""
        article = load_article()
        text = " ".join(line for line in article.body_lines if not is_subheading(line))
        quotes = [normalise(quote.text) for quote in load_briefing().quotes]
        uncovered = [p for p in quoted_passages(text) if not any(p in q for q in quotes)]
        assert uncovered == []

    def test_every_quote_has_a_role(self) -> None:
        """Each quote says in what capacity the speaker spoke."""
        assert all(quote.role for quote in load_briefing().quotes)

    @pytest.mark.parametrize(
        ("speaker", "fragment"),
        [
            ("Germany", "a stalling tactic at best"),
            ("Vladimir Putin", "a long-lasting peace"),
            ("Kathrin Deschauer", "One of the most serious questions"),
            ("Volodymyr Zelensky", "technical aspects"),
            ("Emmanuel Macron", "end its violations"),
            ("Keir Starmer", "concrete commitments"),
            ("Keir Starmer", "President Donald Trump‘s settlement"),
            ("Downing Street", "deepen the understanding"),
            ("Downing Street", "increase economic pressure on Russia to force Putin"),
            ("Downing Street", "prepare to support a just and lasting peace"),
        ],
    )
    def test_attribution(self, speaker: str, fragment: str) -> None:
        """A known quote is attributed to the right speaker."""
        speakers = {q.speaker for q in load_briefing().quotes if fragment in q.text}
        assert speakers == {speaker}


class TestRelated:
    """Teaser headlines of other stories go to `related`, and only there."""

    def test_related_titles_are_the_teasers_in_order(self) -> None:
        """The related titles equal the teaser headlines, in the article's order."""
        titles = [item.title for item in load_briefing().related]
        assert titles == list(load_article().teasers)

    def test_teasers_stay_out_of_the_briefing_text(self) -> None:
        """No teaser headline leaks into the summary, key points, quotes or timeline."""
        briefing = load_briefing()
        texts = [
            briefing.summary,
            *briefing.key_points,
            *(quote.text for quote in briefing.quotes),
            *(entry.what for entry in briefing.timeline),
        ]
        leaks = [t for t in load_article().teasers for text in texts if t in text]
        assert leaks == []

    @pytest.mark.parametrize("word", ["Kursk", "Metals", "Biden", "337", "Osama", "Resignation"])
    def test_teaser_topics_stay_out_of_summary(self, word: str) -> None:
        """Topics that only appear in teasers are absent from summary and key points."""
        briefing = load_briefing()
        assert word not in load_article().body
        assert all(word not in text for text in [briefing.summary, *briefing.key_points])


class TestAttendees:
    """Attendance statuses follow the article."""

    def test_names_are_unique(self) -> None:
        """No attendee is listed twice."""
        names = [attendee.name for attendee in load_briefing().attendees]
        assert len(names) == len(set(names))

    def test_starmer_is_the_only_host(self) -> None:
        """Keir Starmer hosts, and nobody else does."""
        hosts = [a for a in load_briefing().attendees if a.status is AttendeeStatus.HOST]
        assert [host.name for host in hosts] == ["Keir Starmer"]
        assert hosts[0].country == "United Kingdom"

    def test_meloni_is_absent(self) -> None:
        """Giorgia Meloni is absent, with a note on her stance on troops."""
        meloni = next(a for a in load_briefing().attendees if a.name == "Giorgia Meloni")
        assert meloni.status is AttendeeStatus.ABSENT
        assert meloni.note is not None
        assert "troops" in meloni.note

    def test_confirmed_leaders(self) -> None:
        """Macron, Zelensky and the five prime ministers have confirmed."""
        statuses = attendee_statuses(load_briefing())
        assert statuses["Emmanuel Macron"] is AttendeeStatus.CONFIRMED
        assert statuses["Volodymyr Zelensky"] is AttendeeStatus.CONFIRMED
        confirmed_countries = {
            a.country
            for a in load_briefing().attendees
            if a.status is AttendeeStatus.CONFIRMED and a.role == "Prime Minister"
        }
        assert confirmed_countries == CONFIRMED_PRIME_MINISTERS

    @pytest.mark.parametrize("name", ["Mark Rutte", "Ursula von der Leyen", "António Costa"])
    def test_institution_leaders_expected(self, name: str) -> None:
        """The NATO, Commission and Council leaders are expected."""
        assert attendee_statuses(load_briefing())[name] is AttendeeStatus.EXPECTED

    @pytest.mark.parametrize("country", ["Canada", "Australia"])
    def test_non_european_participants_listed(self, country: str) -> None:
        """Canada and Australia are listed as expected participants."""
        matches = [a for a in load_briefing().attendees if a.country == country]
        assert [a.status for a in matches] == [AttendeeStatus.EXPECTED]

    def test_turkey_is_not_counted_as_attending(self) -> None:
        """Turkey's hint concerns peacekeeping, so it is at most undecided."""
        for attendee in load_briefing().attendees:
            if "Turkey" in attendee.name or attendee.country == "Turkey":
                assert attendee.status is AttendeeStatus.UNDECIDED
                assert attendee.note


class TestTimeline:
    """The timeline runs in chronological order."""

    @staticmethod
    def position(briefing: Briefing, *needles: str) -> int:
        """The index of the first entry whose text contains all the needles."""
        for index, entry in enumerate(briefing.timeline):
            text = f"{entry.when} {entry.what}"
            if all(needle in text for needle in needles):
                return index
        raise AssertionError(f"no timeline entry mentions {needles}")

    def test_key_events_in_order(self) -> None:
        """Negotiations, ceasefire proposal, Putin, meeting and planning session are in order."""
        briefing = load_briefing()
        order = [
            self.position(briefing, "February", "negotiations"),
            self.position(briefing, "30-day ceasefire"),
            self.position(briefing, "Thursday", "a long-lasting peace"),
            self.position(briefing, "Saturday", "virtual meeting"),
            self.position(briefing, "military planning session"),
        ]
        assert order == sorted(order)
        assert len(set(order)) == len(order)

    def test_meeting_is_on_the_publication_date(self) -> None:
        """The virtual meeting's entry is dated Saturday, 15 March 2025."""
        briefing = load_briefing()
        entry = briefing.timeline[self.position(briefing, "virtual meeting")]
        assert entry.when == "Saturday, 15 March 2025"
