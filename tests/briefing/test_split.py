"""Splitting long Telegram HTML: every part fits, is valid, and together they lose nothing."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from bot.briefing.models import Briefing, Quote
from bot.briefing.render import render_quotes
from bot.briefing.split import MESSAGE_LIMIT, split_html, utf16_width, visible_length
from bot.simulation.fake_api import MAX_MESSAGE_LENGTH, parse_html_entities, utf16_length

VOCABULARY = [
    "ceasefire",
    "monitoring",
    "<b>",
    "&",
    "5 < 6",
    "a&amp;b",
    "x>y",
    "Переговоры",
    "в",
    "Женеве",
    "مفاوضات",
    "السلام",
    "😀",
    "🇺🇦",
    "🕊️",
    "“quoted”",
    "peace",
]


def sentence(rng: random.Random, length: int) -> str:
    """About `length` characters of mixed-script words, separated by spaces."""
    out: list[str] = []
    size = 0
    while size < length:
        word = rng.choice(VOCABULARY)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)


def forty_quotes() -> Briefing:
    """A briefing with forty quotes, some longer than a whole message on their own."""
    rng = random.Random(40)
    quotes = []
    for i in range(40):
        length = [60, 400, 1500, 5000, 9000][i % 5]
        text = sentence(rng, length)
        if i % 7 == 3:
            # Lines inside a quote: cuts there reopen the blockquote in the next part.
            text = "\n".join(sentence(rng, 700) for _ in range(4))
        quotes.append(
            {
                "speaker": f"Speaker {i} <{i}> & co",
                "role": "Envoy & <negotiator>",
                "text": text,
                "context": f"Context {i}: 5 < 6",
            }
        )
    briefing = Briefing.model_validate(
        {
            "id": "forty",
            "title": "Forty <quotes> & more",
            "published": dt.date(2025, 3, 15),
            "summary": "S",
        }
    )
    # Longer than a briefing file may hold (a quote has at most 1500 characters): splitting
    # must cope with any text, so these skip the models' limits.
    return briefing.model_copy(update={"quotes": [Quote.model_construct(**q) for q in quotes]})


def check_parts(html: str, parts: list[str], limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Assert each part is valid and fits, and that the parts together show all of `html`.

    Returns the visible text of each part.
    """
    full = parse_html_entities(html)
    shown = [parse_html_entities(part) for part in parts]  # raises on invalid HTML
    for text in shown:
        assert 0 < utf16_length(text) <= limit
    # Nothing lost, nothing repeated, in order: only white space may go at the cuts.
    position = 0
    for text in shown:
        body = text.strip()
        start = full.index(body, position)
        assert full[position:start].strip() == "", "text lost at a cut"
        position = start + len(body)
    assert full[position:].strip() == ""
    assert " ".join(shown).split() == full.split()
    return shown


@pytest.fixture(scope="module")
def rendered() -> tuple[str, list[str]]:
    """The forty quotes as HTML, and split."""
    briefing = forty_quotes()
    html = render_quotes(briefing, briefing.quotes)
    return html, split_html(html)


class TestFortyQuotes:
    """A briefing with forty long quotes splits into valid parts that each fit one message."""

    def test_parts_fit_and_lose_nothing(self, rendered: tuple[str, list[str]]) -> None:
        html, parts = rendered
        total = utf16_length(parse_html_entities(html))
        assert total > 20 * MAX_MESSAGE_LENGTH
        assert len(parts) >= total // MAX_MESSAGE_LENGTH + 1
        check_parts(html, parts)

    def test_parts_are_reasonably_full(self, rendered: tuple[str, list[str]]) -> None:
        html, parts = rendered
        total = utf16_length(parse_html_entities(html))
        # Cutting at line breaks wastes some room, but not half of every message.
        assert len(parts) <= 2 * (total // MAX_MESSAGE_LENGTH + 1)

    def test_cuts_fall_on_line_breaks_where_there_are_any(
        self, rendered: tuple[str, list[str]]
    ) -> None:
        html, parts = rendered
        full = parse_html_entities(html)
        shown = check_parts(html, parts)
        position = 0
        line_cuts = 0
        for text in shown[:-1]:
            body = text.strip()
            start = full.index(body, position)
            position = start + len(body)
            gap = full[position : position + 2]
            # Every cut is at white space; a part spanning several lines ends at a line end,
            # unless its only earlier line is a speaker's, which stays with the quote's start.
            assert gap[:1].isspace()
            if "\n" in body and gap[:1] == "\n":
                line_cuts += 1
            elif "\n" in body:
                assert body.count("\n") == 1, f"cut inside a line after {body[-40:]!r}"
                assert body.startswith("Speaker ")
        assert line_cuts > 0

    def test_long_quote_is_reopened_in_the_next_part(self, rendered: tuple[str, list[str]]) -> None:
        _, parts = rendered
        continued = [p for p in parts if p.startswith("<blockquote expandable>")]
        assert continued
        for part in continued:
            assert part.count("<blockquote") == part.count("</blockquote>")


class TestLengthCounting:
    """Length is counted like Telegram: visible text in UTF-16 code units, entities as one."""

    def test_astral_characters_count_twice(self) -> None:
        assert utf16_width("😀") == 2
        assert visible_length("<b>😀</b>🇺🇦") == 6
        html = "😀 " * 1500  # 3000 characters, but 4500 UTF-16 units
        parts = split_html(html)
        assert len(parts) == 2
        shown = check_parts(html, parts)
        assert all(set(text) <= {"😀", " "} for text in shown)

    def test_astral_run_without_spaces_is_never_split_inside_a_character(self) -> None:
        html = "🕊" * 3000
        parts = split_html(html)
        assert len(parts) == 2
        assert "".join(parts) == html
        assert [utf16_length(p) for p in parts] == [4096, 1904]

    def test_entities_count_as_one_character(self) -> None:
        html = "&amp;" * 4000
        assert visible_length(html) == 4000
        assert split_html(html) == [html]

    def test_tags_count_nothing(self) -> None:
        html = "<b>x</b>" * 4000
        assert split_html(html) == [html]

    def test_exactly_the_limit_is_one_part(self) -> None:
        assert split_html("x" * MESSAGE_LIMIT) == ["x" * MESSAGE_LIMIT]
        parts = split_html("x" * (MESSAGE_LIMIT + 1))
        assert [len(p) for p in parts] == [MESSAGE_LIMIT, 1]

    def test_agrees_with_the_fake_api(self) -> None:
        html = "<i>Привет 🇺🇦 &lt;b&gt; & مرحبا</i>".replace(" & ", " &amp; ")
        assert visible_length(html) == utf16_length(parse_html_entities(html))


class TestCuts:
    """Short messages are left alone; long ones are cut at paragraphs, lines, then spaces."""

    def test_short_message_is_one_part(self) -> None:
        assert split_html("  <b>Hello</b> &amp; bye\n") == ["<b>Hello</b> &amp; bye"]

    def test_empty_message_has_no_parts(self) -> None:
        assert split_html("") == []
        assert split_html(" \n\n ") == []

    def test_prefers_a_paragraph_break(self) -> None:
        first = "\n".join(["a" * 100] * 30)  # 3029 characters
        second = "\n".join(["b" * 100] * 30)
        html = f"{first}\n\n{second}"
        parts = split_html(html)
        assert parts == [first, second]

    def test_cuts_at_a_line_break(self) -> None:
        lines = [f"line {i:04d} " + "x" * 90 for i in range(100)]
        html = "\n".join(lines)
        parts = split_html(html)
        shown = check_parts(html, parts)
        for text in shown:
            assert all(line in lines for line in text.split("\n"))

    def test_long_line_is_cut_at_spaces(self) -> None:
        words = [f"w{i}" for i in range(3000)]
        html = " ".join(words)
        parts = split_html(html)
        assert len(parts) >= 3
        check_parts(html, parts)
        assert [w for part in parts for w in part.split()] == words

    def test_formatting_is_closed_and_reopened(self) -> None:
        html = "<b><i>" + "word " * 2000 + "</i></b>"
        parts = split_html(html)
        assert len(parts) == 3
        check_parts(html, parts)
        for part in parts:
            assert part.startswith("<b><i>")
            assert part.endswith("</i></b>")

    def test_link_is_reopened_with_its_address(self) -> None:
        html = '<a href="https://example.org/?a=1&amp;b=2">' + "click " * 1000 + "</a>"
        parts = split_html(html)
        assert len(parts) == 2
        check_parts(html, parts)
        assert all(p.startswith('<a href="https://example.org/?a=1&amp;b=2">') for p in parts)

    def test_custom_limit(self) -> None:
        html = "\n".join(f"item {i} &amp; more" for i in range(50))
        parts = split_html(html, limit=100)
        check_parts(html, parts, limit=100)
        assert len(parts) > 5


class TestBlocks:
    """Blocks between blank lines stay whole where they fit; no part is a lone heading."""

    def test_speaker_line_goes_with_its_quote(self) -> None:
        blocks = [
            "<b>Speaker</b>, Envoy\n<blockquote>" + "said " * n + "</blockquote>"
            for n in [100, 780] * 4
        ]
        html = "<b>Quotes</b> · T\n\n" + "\n\n".join(blocks)
        parts = split_html(html)
        check_parts(html, parts)
        for part in parts:
            lines = parse_html_entities(part).strip().split("\n")
            assert lines[-1] != "Speaker, Envoy"
            assert lines[0] in ("Quotes · T", "Speaker, Envoy")

    def test_speaker_line_stays_with_the_start_of_a_quote_too_long_for_a_message(self) -> None:
        html = "<b>Speaker</b>, Envoy\n<blockquote>" + "said " * 2000 + "</blockquote>"
        parts = split_html(html)
        check_parts(html, parts)
        assert parse_html_entities(parts[0]).startswith("Speaker, Envoy\nsaid said")

    def test_a_heading_is_never_a_part_of_its_own(self) -> None:
        items = "\n".join(f"• item {i:04d} " + "x" * 60 for i in range(80))
        html = "<b>Confirmed</b> (80)\n" + items
        parts = split_html(html)
        check_parts(html, parts)
        assert parse_html_entities(parts[0]).startswith("Confirmed (80)\n• item 0000")
        html = "<b>Who attends</b>\n\n<b>Confirmed</b> (80)\n" + items
        parts = split_html(html)
        check_parts(html, parts)
        assert all("\n" in parse_html_entities(part) for part in parts)
        html = "<b>Timeline</b> · T\n\n" + "word " * 1000
        parts = split_html(html)
        check_parts(html, parts)
        assert parse_html_entities(parts[0]).startswith("Timeline · T\n\nword word")

    def test_a_short_block_moves_whole_to_the_next_part(self) -> None:
        first = "a " * 2000
        second = "<b>Heading</b>\n" + "b " * 200
        html = f"{first}\n\n{second}"
        parts = split_html(html)
        assert len(parts) == 2
        assert parse_html_entities(parts[1]).startswith("Heading\nb b")
