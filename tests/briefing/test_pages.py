"""Pages of long answers: each fits one message, items stay whole and in order, nothing is lost."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.briefing.models import Briefing
from bot.briefing.pages import Item, Section, paginate, pick, whole
from bot.briefing.render import attendees_section, render_attendees
from bot.simulation.fake_api import parse_html_entities, utf16_length


def briefing(**fields: object) -> Briefing:
    data: dict[str, object] = {
        "id": "b",
        "title": "T",
        "published": dt.date(2025, 3, 15),
        "summary": "S",
    }
    data.update(fields)
    return Briefing.model_validate(data)


def visible(html: str) -> str:
    return parse_html_entities(html)  # raises on invalid HTML


class TestPaginate:
    """Items are packed into pages by visible length; only an item longer than a page is cut."""

    def test_short_section_is_one_page_without_a_page_line(self) -> None:
        section = Section("<b>H</b>", [Item("one"), Item("two")], "none")
        assert paginate(section) == ["<b>H</b>\n\none\n\ntwo"]
        assert paginate(section) == [whole(section)]

    def test_empty_section_says_so(self) -> None:
        assert paginate(Section("<b>H</b>", [], "Nothing here.")) == ["<b>H</b>\n\nNothing here."]

    def test_pages_fit_keep_items_whole_and_in_order(self) -> None:
        items = [Item(f"<i>item {i:03d}</i> " + "x &amp; y " * (i % 40)) for i in range(300)]
        pages = paginate(Section("<b>Heading</b>", items, "none"))
        assert len(pages) > 5
        seen: list[str] = []
        for number, page in enumerate(pages, start=1):
            text = visible(page)
            assert utf16_length(text) <= 4096
            assert text.startswith("Heading\n\n")
            assert text.endswith(f"Page {number} of {len(pages)}")
            seen += [line for line in text.split("\n") if line.startswith("item")]
        assert seen == [visible(item.html) for item in items]

    def test_pages_are_reasonably_full(self) -> None:
        items = [Item("y" * 900) for _ in range(40)]
        pages = paginate(Section("H", items, "none"))
        assert len(pages) == 10  # four 900-character items to a page, not fewer

    def test_groups_repeat_their_heading_on_each_page(self) -> None:
        items = [Item(f"• person {i:02d} " + "z" * 200, "<b>Confirmed</b> (60)") for i in range(60)]
        pages = paginate(Section("Who", items, "none", tight=True))
        assert len(pages) > 1
        for page in pages:
            assert visible(page).split("\n")[2] == "Confirmed (60)"
            assert visible(page).count("Confirmed") == 1

    def test_an_item_longer_than_a_page_is_cut_into_pages_of_its_own(self) -> None:
        huge = "<blockquote>" + "word " * 3000 + "</blockquote>"
        pages = paginate(Section("H", [Item("before"), Item(huge), Item("after")], "none"))
        assert len(pages) >= 5
        texts = [visible(p) for p in pages]
        assert all(utf16_length(t) <= 4096 for t in texts)
        assert "before" in texts[0] and "word" not in texts[0]
        assert "after" in texts[-1] and "word" not in texts[-1]
        assert sum(t.split().count("word") for t in texts) == 3000
        assert all(p.count("<blockquote>") == p.count("</blockquote>") for p in pages)

    def test_custom_limit(self) -> None:
        pages = paginate(Section("H", [Item("a" * 50)] * 10, "none"), limit=200)
        assert len(pages) == 4  # three to a page: 200, less room for the page line
        assert all(utf16_length(visible(p)) <= 200 for p in pages)

    @pytest.mark.parametrize(("asked", "given"), [(0, 1), (1, 1), (2, 2), (3, 3), (99, 3)])
    def test_pick_gives_the_nearest_page(self, asked: int, given: int) -> None:
        assert pick(["a", "b", "c"], asked) == (given, "abc"[given - 1])


class TestSectionsOnOnePage:
    """A whole section reads as it always did."""

    def test_attendees_grouped_with_headings(self) -> None:
        b = briefing(
            attendees=[
                {"name": "A", "status": "host"},
                {"name": "B", "status": "confirmed"},
                {"name": "C", "status": "confirmed"},
            ]
        )
        assert render_attendees(b) == whole(attendees_section(b))
        assert visible(render_attendees(b)) == (
            "Who attends · T\n\nHost (1)\n• A\n\nConfirmed (2)\n• B\n• C"
        )
