"""Rendering briefings to Telegram HTML: what a chat shows, and every dynamic string escaped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from bot.briefing import render
from bot.briefing.loader import load_briefing
from bot.briefing.models import Briefing, Quote
from bot.simulation.fake_api import MAX_MESSAGE_LENGTH, parse_html_entities, utf16_length

SEED = Path(__file__).resolve().parents[2] / "briefings" / "ukraine-allies-virtual-meeting.yaml"

# Text that breaks a bot that forgets to escape: tags, entities, comparisons, scripts, emoji.
NASTY = "<b>Bold</b> & 5 < 6 > 4 &amp; Переговоры مفاوضات 🇺🇦🕊️"


def visible(html: str) -> str:
    """What a Telegram chat shows for `html`; fails like Telegram would on invalid HTML."""
    return parse_html_entities(html)


def lines_of(html: str) -> list[str]:
    """The visible lines of `html`, without blank ones."""
    return [line for line in visible(html).splitlines() if line.strip()]


def make(**fields: Any) -> Briefing:
    """A valid briefing with the given fields."""
    data: dict[str, Any] = {
        "id": "test",
        "title": "Test briefing",
        "published": dt.date(2025, 3, 15),
        "summary": "A summary.",
    }
    data.update(fields)
    return Briefing.model_validate(data)


@pytest.fixture(scope="module")
def seed() -> Briefing:
    """The shipped seed briefing."""
    return load_briefing(SEED)


@pytest.fixture(scope="module")
def hostile() -> Briefing:
    """A briefing with hostile text in every field a renderer shows."""
    return make(
        id="hostile",
        title=NASTY,
        published=dt.datetime(2025, 4, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        source={"name": f"Tom & Jerry's {NASTY}", "url": "https://example.org/n?a=1&b=2"},
        tags=["c&c", "<script>", "ceasefire"],
        summary=f"Summary {NASTY}. Second sentence.",
        key_points=[f"Point {NASTY}", "</b> closes nothing & <a href='x'>links</a> are text"],
        attendees=[
            {"name": f"Ана {NASTY}", "role": "Envoy & <negotiator>", "status": "confirmed"},
            {"name": "أحمد", "status": "undecided", "note": f"Says {NASTY}"},
        ],
        quotes=[
            {"speaker": f"Speaker {NASTY}", "role": "UN <SG>", "text": f"Quote {NASTY}"},
            {"speaker": "Ана", "text": "Мы готовы & ready </blockquote>", "context": "<ctx>"},
            {"speaker": "Long", "text": "&lt;" + " <long> & words" * 40},
        ],
        related=[
            {"title": f"Live {NASTY}", "url": "https://example.org/live?x=1&y=2"},
            {"title": f"No link {NASTY}"},
        ],
        timeline=[{"when": "Monday <9:00>", "what": f"Talks {NASTY}"}],
    )


class TestSummary:
    """The summary shows title, date, source, summary, key points and tags, in that order."""

    def test_seed_summary(self, seed: Briefing) -> None:
        html = render.render_summary(seed)
        shown = lines_of(html)
        assert shown[0] == seed.title
        assert shown[1] == "15 March 2025"
        assert shown[2] == seed.summary
        assert shown[3] == "Key points"
        assert shown[4 : 4 + len(seed.key_points)] == [f"• {p}" for p in seed.key_points]
        assert shown[-1] == (
            "#ukraine #russia #ceasefire #diplomacy #peacekeeping #united_kingdom #europe"
        )
        assert html.startswith(f"<b>{render.e(seed.title)}</b>\n<i>15 March 2025</i>")
        assert utf16_length(visible(html)) <= MAX_MESSAGE_LENGTH

    def test_source_is_linked_with_an_escaped_address(self) -> None:
        briefing = make(source={"name": "A & B", "url": "https://example.org/a?b=1&c=2"})
        html = render.render_summary(briefing)
        assert '<a href="https://example.org/a?b=1&amp;c=2">A &amp; B</a>' in html
        assert lines_of(html)[1] == "15 March 2025 · A & B"

    def test_source_without_address(self) -> None:
        briefing = make(source={"name": "Wire service"})
        assert lines_of(render.render_summary(briefing))[1] == "15 March 2025 · Wire service"

    def test_date_is_the_date_as_written(self) -> None:
        minus5 = dt.timezone(dt.timedelta(hours=-5))
        briefing = make(published=dt.datetime(2025, 3, 1, 23, 0, tzinfo=minus5))
        assert lines_of(render.render_summary(briefing))[1] == "1 March 2025"

    def test_no_key_points_no_heading(self) -> None:
        assert "Key points" not in visible(render.render_summary(make()))


class TestAttendees:
    """Attendees are grouped by status in the order host, confirmed, expected, undecided, absent."""

    def test_seed_groups_in_status_order(self, seed: Briefing) -> None:
        shown = lines_of(render.render_attendees(seed))
        assert shown[0] == f"Who attends · {seed.title}"
        headings = [line for line in shown if line.endswith(")") and not line.startswith("•")]
        assert headings == ["Host (1)", "Confirmed (7)", "Expected (6)", "Absent (1)"]

    def test_seed_meloni_and_her_note_under_absent(self, seed: Briefing) -> None:
        shown = lines_of(render.render_attendees(seed))
        absent = shown.index("Absent (1)")
        assert shown[absent + 1] == "• Giorgia Meloni, Prime Minister of Italy"
        assert shown[absent + 2].strip() == (
            "Will be absent; the article notes she has previously rejected the idea of sending "
            "troops to Ukraine."
        )
        assert absent + 3 == len(shown)

    def test_seed_lists_everyone_once(self, seed: Briefing) -> None:
        shown = lines_of(render.render_attendees(seed))
        names = [line.removeprefix("• ").split(",")[0] for line in shown if line.startswith("•")]
        assert names == [
            a.name
            for status in render.STATUS_HEADINGS
            for a in seed.attendees
            if a.status == status
        ]
        assert "• Keir Starmer, Prime Minister of the United Kingdom" in shown
        # The country is not repeated when the name already says it.
        assert "• Canada" in shown

    def test_every_status_in_order_whatever_the_file_order(self) -> None:
        briefing = make(
            attendees=[
                {"name": "E", "status": "absent"},
                {"name": "D", "status": "undecided"},
                {"name": "C"},  # expected by default
                {"name": "B", "status": "confirmed"},
                {"name": "A", "status": "host"},
            ]
        )
        shown = lines_of(render.render_attendees(briefing))
        assert shown[1:] == [
            "Host (1)",
            "• A",
            "Confirmed (1)",
            "• B",
            "Expected (1)",
            "• C",
            "Undecided (1)",
            "• D",
            "Absent (1)",
            "• E",
        ]

    def test_no_attendees(self) -> None:
        assert lines_of(render.render_attendees(make()))[-1] == "This briefing lists no attendees."


class TestQuotes:
    """Quotes show the speaker and role above the quoted text, then the context."""

    def test_seed_quotes(self, seed: Briefing) -> None:
        html = render.render_quotes(seed, seed.quotes)
        assert html.count("<blockquote") == len(seed.quotes) == 18
        shown = lines_of(html)
        assert shown[0] == f"Quotes · {seed.title}"
        first = shown.index("Keir Starmer, Prime Minister of the United Kingdom")
        assert shown[first + 1 : first + 3] == [
            "not serious",
            "Warning about Vladimir Putin's attitude to peace, ahead of the meeting.",
        ]
        assert shown[-3:] == [
            "Vladimir Putin, President of Russia",
            "a long-lasting peace",
            "Thursday, stressing what any settlement must ensure.",
        ]

    def test_filtered_by_speaker(self, seed: Briefing) -> None:
        quotes = [q for q in seed.quotes if q.speaker == "Emmanuel Macron"]
        shown = lines_of(render.render_quotes(seed, quotes, speaker="macron"))
        assert shown[0] == f"Quotes by “macron” · {seed.title}"
        assert shown.count("Emmanuel Macron, President of France") == 3

    def test_long_quote_is_collapsed(self) -> None:
        long_text = "word " * 100
        briefing = make(quotes=[{"speaker": "A", "text": long_text}, {"speaker": "B", "text": "x"}])
        html = render.render_quotes(briefing, briefing.quotes)
        assert html.count("<blockquote expandable>") == 1
        assert "<blockquote>x</blockquote>" in html

    def test_no_quotes(self) -> None:
        assert lines_of(render.render_quotes(make(), []))[-1] == "This briefing has no quotes."

    def test_nobody_by_that_name(self, seed: Briefing) -> None:
        shown = lines_of(render.render_no_speaker(seed, "Biden"))
        assert "Nobody matching “Biden” is quoted here." in shown
        speakers = shown[shown.index("Quoted in this briefing:") + 1 :]
        assert speakers == [
            "• Downing Street",
            "• Keir Starmer",
            "• Volodymyr Zelensky",
            "• Emmanuel Macron",
            "• Germany",
            "• Kathrin Deschauer",
            "• Vladimir Putin",
        ]


class TestRelatedAndTimeline:
    """Related headlines and the timeline keep the file's order."""

    def test_seed_related(self, seed: Briefing) -> None:
        shown = lines_of(render.render_related(seed))
        assert shown[0] == f"Related · {seed.title}"
        assert shown[1:] == [f"• {r.title}" for r in seed.related]

    def test_related_with_address_is_a_link(self) -> None:
        briefing = make(related=[{"title": "Live & <now>", "url": "https://example.org/?a=1&b=2"}])
        html = render.render_related(briefing)
        assert '<a href="https://example.org/?a=1&amp;b=2">Live &amp; &lt;now&gt;</a>' in html

    def test_seed_timeline_in_order(self, seed: Briefing) -> None:
        shown = lines_of(render.render_timeline(seed))
        assert shown[0] == f"Timeline · {seed.title}"
        pairs = list(zip(shown[1::2], shown[2::2], strict=True))
        assert pairs == [(t.when, t.what) for t in seed.timeline]
        assert pairs[0][0] == "February 2025"
        assert pairs[-1][0] == "Week of 17 March 2025"

    def test_empty_sections(self) -> None:
        assert lines_of(render.render_related(make()))[-1] == (
            "This briefing lists no related stories."
        )
        assert lines_of(render.render_timeline(make()))[-1] == "This briefing has no timeline."


class TestEscaping:
    """Hostile text in any field is shown literally and never breaks Telegram's HTML parser."""

    @pytest.mark.parametrize(
        "section", ["summary", "attendees", "quotes", "related", "timeline", "no_speaker"]
    )
    def test_every_section_is_valid_and_literal(self, hostile: Briefing, section: str) -> None:
        html = {
            "summary": lambda: render.render_summary(hostile),
            "attendees": lambda: render.render_attendees(hostile),
            "quotes": lambda: render.render_quotes(hostile, hostile.quotes, speaker=NASTY),
            "related": lambda: render.render_related(hostile),
            "timeline": lambda: render.render_timeline(hostile),
            "no_speaker": lambda: render.render_no_speaker(hostile, NASTY),
        }[section]()
        shown = visible(html)  # raises if Telegram would refuse it
        assert NASTY in shown
        assert "<b>Bold</b>" not in html
        assert "&amp;amp;" in html  # the literal "&amp;" in the text is escaped, not decoded

    def test_hostile_summary_text(self, hostile: Briefing) -> None:
        shown = visible(render.render_summary(hostile))
        assert "• </b> closes nothing & <a href='x'>links</a> are text" in shown
        assert "#c_c #_script_ #ceasefire" in shown
        assert f"Tom & Jerry's {NASTY}" in shown

    def test_hostile_quotes(self, hostile: Briefing) -> None:
        html = render.render_quotes(hostile, hostile.quotes)
        shown = visible(html)
        assert "Мы готовы & ready </blockquote>" in shown
        assert "UN <SG>" in shown
        assert shown.count("&lt;") == 1  # the literal entity text in the long quote

    def test_hostile_lists(self, hostile: Briefing) -> None:
        pages = [
            render.render_briefing_list([hostile], 1, 1, current_id="hostile"),
            render.render_search_results(NASTY, [hostile]),
            render.render_search_results(NASTY, []),
            render.render_digest([hostile], more=2),
            render.render_unknown_briefing(NASTY, ["a&b", "<c>"], available=3),
        ]
        for html in pages:
            assert NASTY in visible(html)
        assert "• a&b" in visible(pages[-1])
        assert "1. " + NASTY + " ✅" in visible(pages[0])

    def test_help_and_welcome_are_valid(self) -> None:
        for html in (render.render_help(), render.render_help(True), render.render_welcome(1)):
            assert visible(html)

    def test_escape_helper(self) -> None:
        assert render.e('<a href="x">&</a>') == '&lt;a href="x"&gt;&amp;&lt;/a&gt;'
        assert render.link('https://x.org/?q="1"&r=2', "<t>") == (
            '<a href="https://x.org/?q=&quot;1&quot;&amp;r=2">&lt;t&gt;</a>'
        )
        assert visible(render.link('https://x.org/?q="1"&r=2', "<t>")) == "<t>"


class TestCounts:
    """Counts read in the right number: one briefing, two briefings."""

    def test_plural(self) -> None:
        assert render.plural(1, "briefing") == "1 briefing"
        assert render.plural(0, "briefing") == "0 briefings"
        assert render.plural(2, "match", "matches") == "2 matches"
        assert render.plural(1, "match", "matches") == "1 match"

    def test_welcome_and_digest_count_in_the_right_number(self, seed: Briefing) -> None:
        assert "(1 briefing so far)" in render.render_welcome(1)
        assert "(3 briefings so far)" in render.render_welcome(3)
        assert "1 new briefing\n" in visible(render.render_digest([seed], 0))
        assert "2 new briefings\n" in visible(render.render_digest([seed, seed], 0))

    def test_speakers_label(self) -> None:
        quotes = [Quote(speaker=name, text="t") for name in ("A", "B", "A", "C", "D")]
        assert render.speakers_label(quotes[:1]) == "A"
        assert render.speakers_label(quotes[:3]) == "A and B"
        assert render.speakers_label(quotes[:4]) == "A, B and 1 other"
        assert render.speakers_label(quotes) == "A, B and 2 others"


class TestSummaryCard:
    """The card a shared briefing sends: title, date and source, summary; always one message."""

    def test_title_byline_and_summary(self) -> None:
        card = render.render_card(
            make(title=NASTY, summary=NASTY, source={"name": "A & B", "url": "https://x.org"})
        )
        assert visible(card) == f"{NASTY}\n15 March 2025 · A & B\n\n{NASTY}"

    def test_longest_fields_fit_without_cutting(self) -> None:
        briefing = make(title="T" * 200, summary=("word " * 400).strip())
        card = render.render_card(briefing)
        assert visible(card).endswith(briefing.summary)
        assert utf16_length(visible(card)) <= MAX_MESSAGE_LENGTH

    @pytest.mark.parametrize("limit", [120, 300, 1000])
    def test_a_summary_too_long_is_cut_on_a_word_to_the_limit(self, limit: int) -> None:
        summary = ("Ceasefire & talks 🇺🇦 <continue> " * 60).strip()
        card = visible(render.render_card(make(summary=summary), limit=limit))
        assert utf16_length(card) <= limit
        assert utf16_length(card) > limit - 40  # the room is used, not wasted
        shown = card.split("\n\n", 1)[1]
        assert shown.endswith("…")
        assert summary.startswith(shown[:-1])
        assert summary[len(shown) - 1] == " "  # cut where a word ended

    def test_description_is_date_and_the_start_of_the_summary(self) -> None:
        briefing = make(summary="First sentence here. Second one. " + "long " * 50)
        assert render.card_description(briefing) == "15 March 2025 · First sentence here."
        long = render.card_description(make(summary="word " * 100))
        assert long.startswith("15 March 2025 · word word")
        assert long.endswith("…")
        assert len(long) < 130
