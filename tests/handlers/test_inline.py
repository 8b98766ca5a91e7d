"""Inline mode end to end: what `@<bot> words` offers in any chat, and the Share button."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import SEED_ID

from bot.simulation.fake_api import InlineAnswer, InlineResult, utf16_length
from bot.simulation.harness import SimulatedBot, switch_inline_query

WriteBriefing = Callable[..., Path]


async def answer(sim: SimulatedBot, query: str, offset: str = "", **kwargs: object) -> InlineAnswer:
    """The bot's answer to an inline query; fails the test if it gave none."""
    got = await sim.inline(query, offset, **kwargs)  # type: ignore[arg-type]
    assert got is not None, f"no answer to the inline query {query!r}"
    return got


def ids(result: InlineAnswer) -> list[str]:
    return [r.id for r in result.results]


def open_button(result: InlineResult) -> dict[str, str]:
    [[button]] = (result.reply_markup or {})["inline_keyboard"]
    return button


class TestWhatIsOffered:
    """No words: the newest briefings; words: the matches, best first; each a summary card."""

    async def test_empty_query_offers_the_newest_first(
        self, sim: SimulatedBot, write_briefing: WriteBriefing
    ) -> None:
        write_briefing("older", "2025-06-01")
        write_briefing("newer", "2025-06-03")
        write_briefing("middle", "2025-06-02")
        sim.reload()
        got = await answer(sim, "")
        assert ids(got) == ["newer", "middle", "older", SEED_ID]
        assert got.next_offset == ""
        newer = got.results[0]
        assert newer.title == "Title of newer"
        assert newer.description == "3 June 2025 · Summary of newer."

    async def test_words_offer_the_matches_best_first(
        self, sim: SimulatedBot, write_briefing: WriteBriefing
    ) -> None:
        write_briefing("mention", "2025-06-03", summary="A walrus was seen once.")
        write_briefing("headline", "2025-06-01", title="Walrus census counts a record herd")
        write_briefing("other", "2025-06-02", summary="Nothing about sea mammals.")
        sim.reload()
        got = await answer(sim, "walrus")
        assert ids(got) == ["headline", "mention"]

    async def test_nothing_matches_gives_an_empty_answer(self, sim: SimulatedBot) -> None:
        got = await answer(sim, "zanzibar xylophone")
        assert got.results == []
        assert got.next_offset == ""

    async def test_a_briefing_id_puts_that_briefing_first(
        self, sim: SimulatedBot, write_briefing: WriteBriefing
    ) -> None:
        write_briefing("meeting-notes", "2026-01-01", title="Ukraine allies meeting notes")
        sim.reload()
        got = await answer(sim, SEED_ID)
        assert ids(got)[0] == SEED_ID

    async def test_the_card_is_title_date_and_summary(self, sim: SimulatedBot) -> None:
        [card] = (await answer(sim, SEED_ID)).results
        lines = card.visible_text.split("\n")
        assert lines[0] == card.title
        assert lines[1] == "15 March 2025"
        assert lines[3].startswith("British Prime Minister Keir Starmer is hosting")
        assert "Key points" not in card.visible_text
        assert card.parse_mode == "HTML"

    async def test_the_source_is_named_on_the_card(
        self, sim: SimulatedBot, write_briefing: WriteBriefing
    ) -> None:
        source = {"name": "Le Monde & AFP", "url": "https://example.org/a"}
        write_briefing("sourced", "2026-01-01", source=source)
        sim.reload()
        [card] = (await answer(sim, "sourced")).results
        assert card.visible_text.split("\n")[1] == "1 January 2026 · Le Monde & AFP"

    async def test_the_answer_is_cached_and_the_same_for_everyone(self, sim: SimulatedBot) -> None:
        ada = await answer(sim, "ceasefire", user_id=1001)
        bob = await answer(sim, "ceasefire", user_id=2002)
        assert ada.cache_time == 300
        assert ada.is_personal is False
        assert ids(ada) == ids(bob) == [SEED_ID]
        assert [r.text for r in ada.results] == [r.text for r in bob.results]


class TestPaging:
    """Fifty results an answer; `next_offset` asks for the next fifty, "" when there are no more."""

    async def test_120_briefings_come_in_pages_of_50(
        self, sim: SimulatedBot, write_briefing: WriteBriefing
    ) -> None:
        for n in range(120):
            write_briefing(f"b{n:03d}", f"2026-{n // 28 + 1:02d}-{n % 28 + 1:02d}")
        sim.reload()
        pages, offsets, offset = [], [], ""
        while True:
            got = await answer(sim, "", offset)
            pages.append(ids(got))
            offsets.append(got.next_offset)
            if not got.next_offset:
                break
            offset = got.next_offset
        assert [len(page) for page in pages] == [50, 50, 21]
        assert offsets == ["50", "100", ""]
        everything = [bid for page in pages for bid in page]
        assert everything == [f"b{n:03d}" for n in reversed(range(120))] + [SEED_ID]

    async def test_search_results_page_too(
        self, sim: SimulatedBot, write_briefing: WriteBriefing
    ) -> None:
        for n in range(60):
            write_briefing(f"ferry-{n:02d}", "2026-01-01", title=f"Ferry strike day {n}")
        sim.reload()
        first = await answer(sim, "ferry")
        second = await answer(sim, "ferry", first.next_offset)
        assert (len(first.results), first.next_offset) == (50, "50")
        assert (len(second.results), second.next_offset) == (10, "")
        assert not set(ids(first)) & set(ids(second))

    async def test_a_query_offers_at_most_200_matches(
        self, sim: SimulatedBot, write_briefing: WriteBriefing
    ) -> None:
        for n in range(210):
            write_briefing(f"tram-{n:03d}", "2026-01-01", title=f"Tram works week {n}")
        sim.reload()
        pages, offset = [], ""
        for _ in range(5):
            got = await answer(sim, "tram", offset)
            pages.append((len(got.results), got.next_offset))
            offset = got.next_offset
            if not offset:
                break
        assert pages == [(50, "50"), (50, "100"), (50, "150"), (50, "")]

    @pytest.mark.parametrize("offset", ["abc", "-5", "99999999999999", "1e3", "٣"])
    async def test_an_offset_we_never_gave_starts_over_or_ends(
        self, sim: SimulatedBot, offset: str
    ) -> None:
        got = await answer(sim, "", offset)
        assert got.next_offset == ""
        assert ids(got) in ([SEED_ID], [])

    async def test_past_the_end_is_empty(self, sim: SimulatedBot) -> None:
        got = await answer(sim, "", "500")
        assert got.results == []
        assert got.next_offset == ""


ODD_QUERIES = [
    "ceasefire " * 30,  # 300 characters, over Telegram's 256
    "<b>",
    "&amp; & <",
    "🇺🇦 ceasefire 🕊",
    "\"Macron's\" 'quote'",
    "ceasefire AND (",
    "NEAR(ceasefire meeting) title:* OR NOT -",
    "\\ % _ ; -- DROP TABLE",
    "\u200b\u202e",
]


class TestAnyQuery:
    """Whatever a reader types, the answer is a valid one and nothing raises."""

    @pytest.mark.parametrize("query", ODD_QUERIES)
    async def test_odd_queries_get_a_valid_answer(self, sim: SimulatedBot, query: str) -> None:
        got = await answer(sim, query)
        assert got.next_offset == ""
        assert ids(got) in ([SEED_ID], [])

    async def test_fts_syntax_is_searched_as_words(self, sim: SimulatedBot) -> None:
        assert ids(await answer(sim, "ceasefire AND (")) == [SEED_ID]

    async def test_longest_title_and_summary_fit_one_message(
        self, sim: SimulatedBot, write_briefing: WriteBriefing
    ) -> None:
        title = ("<b>Tom & Jerry</b> 🐭 " * 12)[:200]
        summary = ("Ceasefire <i>talks</i> & “quotes” 🕊 " * 60)[:2000]
        write_briefing("longest", "2026-01-01", title=title, summary=summary)
        sim.reload()
        [card] = (await answer(sim, "longest")).results
        # The fake has parsed the HTML as Telegram would; what shows is the text as written.
        assert card.visible_text == f"{title}\n1 January 2026\n\n{summary.strip()}"
        assert utf16_length(card.visible_text) <= 4096
        assert card.title == title

    @pytest.mark.parametrize(
        "chat_type", ["sender", "private", "group", "supergroup", "channel", None]
    )
    async def test_queries_from_any_kind_of_chat(self, sim: SimulatedBot, chat_type: str) -> None:
        got = await answer(sim, "ceasefire", chat_type=chat_type, user_id=5001)
        assert ids(got) == [SEED_ID]


class TestOpeningAndSharing:
    """A shared card opens the briefing in the bot; Share under a summary starts inline mode."""

    async def test_the_button_deep_links_into_the_bot(self, sim: SimulatedBot) -> None:
        [card] = (await answer(sim, "")).results
        button = open_button(card)
        assert button["text"] == "Open in @briefbot_sim_bot"
        assert button["url"] == f"https://t.me/briefbot_sim_bot?start={SEED_ID}"
        [payload] = parse_qs(urlsplit(button["url"]).query)["start"]
        [opened] = await sim.say(f"/start {payload}", chat_id=3003)
        assert opened.visible_text.startswith("Ukraine’s allies rally")
        assert "Key points" in opened.visible_text

    async def test_share_under_the_summary_offers_that_briefing(
        self, sim: SimulatedBot, write_briefing: WriteBriefing
    ) -> None:
        write_briefing("newest", "2026-06-01")
        sim.reload()
        [summary] = await sim.say(f"/summary {SEED_ID}")
        share = [
            button
            for row in (summary.reply_markup or {})["inline_keyboard"]
            for button in row
            if "switch_inline_query" in button
        ]
        assert share == [{"text": "↗ Share", "switch_inline_query": SEED_ID}]
        query = switch_inline_query(summary, 4)
        assert query == SEED_ID
        assert ids(await answer(sim, query))[0] == SEED_ID

    @pytest.mark.parametrize("chat", [1001, -100555])
    async def test_share_is_under_every_summary(
        self, sim: SimulatedBot, write_briefing: WriteBriefing, chat: int
    ) -> None:
        write_briefing("bare", "2026-06-01")
        sim.reload()
        for command in ("/summary", "/summary bare", "/start bare"):
            *_, last = await sim.say(command, chat_id=chat)
            rows = (last.reply_markup or {})["inline_keyboard"]
            assert rows[-1] == [{"text": "↗ Share", "switch_inline_query": "bare"}]
