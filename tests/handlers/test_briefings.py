"""The briefing commands, end to end: real Application, fake Bot API, what the chat receives."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from pathlib import Path

import pytest
from conftest import SEED_ID, T0, briefing_yaml

from bot.commands import COMMANDS
from bot.config import Config
from bot.simulation.fake_api import FakeBotAPI, SentMessage, parse_html_entities, utf16_length
from bot.simulation.harness import SimulatedBot, buttons

GROUP = -1001234
AddBriefing = Callable[[str, str], Path]


def texts(messages: list[SentMessage]) -> str:
    return "\n".join(m.visible_text for m in messages)


class TestStartAndHelp:
    """/start greets or opens a deep-linked briefing; /help lists every command."""

    async def test_start_says_what_the_bot_does_and_what_to_try(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/start")
        text = answer.visible_text
        assert "briefings" in text
        for command in ("/summary", "/who_attends", "/quotes", "/help"):
            assert command in text

    async def test_deep_link_opens_that_briefing(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say(f"/start {SEED_ID}")
        assert answer.visible_text.startswith("Ukraine’s allies rally")
        assert ("💬 Quotes", f"s:q:{SEED_ID}") in buttons(answer)

    async def test_help_lists_every_user_command(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/help")
        for command in COMMANDS:
            if command.admin_only:
                assert f"/{command.name}" not in answer.visible_text
            else:
                assert f"/{command.name}" in answer.visible_text

    async def test_admins_see_admin_commands_in_help(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/help", chat_id=42)
        assert "/stats" in answer.visible_text
        assert "/reload" in answer.visible_text

    async def test_command_menus_are_registered_for_private_chats_and_groups(
        self, sim: SimulatedBot
    ) -> None:
        private = sim.api.commands_for({"type": "all_private_chats"})
        groups = sim.api.commands_for({"type": "all_group_chats"})
        assert [c["command"] for c in private][:3] == ["briefings", "summary", "who_attends"]
        assert "search" in [c["command"] for c in private]
        assert "search" not in [c["command"] for c in groups]
        assert all(c["command"] == c["command"].lower() for c in private + groups)


class TestSummaryAndReferences:
    """A briefing is named by id or number; unknown references get the closest ids."""

    async def test_summary_of_the_newest_briefing_by_default(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/summary")
        text = answer.visible_text
        assert "15 March 2025" in text
        assert "Key points" in text
        assert "30-day ceasefire" in text
        assert [label for label, _ in buttons(answer)] == [
            "👥 Who attends",
            "💬 Quotes",
            "🔗 Related",
            "🗓 Timeline",
            "↗ Share",
        ]

    async def test_by_id_and_by_number(self, sim: SimulatedBot, add_briefing: AddBriefing) -> None:
        add_briefing("newer.yaml", briefing_yaml("newer", "2025-06-01"))
        sim.reload()
        [by_number] = await sim.say("/summary 2")
        [by_id] = await sim.say(f"/summary {SEED_ID}")
        assert by_number.text == by_id.text
        [newest] = await sim.say("/summary")
        assert newest.visible_text.startswith("Title of newer")

    async def test_unknown_reference_lists_closest_ids(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/who_attends ukraine-allies-meeting")
        assert "There is no briefing “ukraine-allies-meeting”" in answer.visible_text
        assert SEED_ID in answer.visible_text

    async def test_number_out_of_range(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/timeline 99")
        assert "no briefing “99”" in answer.visible_text
        assert "from 1 to 1" in answer.visible_text

    async def test_no_briefings_loaded(self, sim: SimulatedBot, briefings_dir: Path) -> None:
        (briefings_dir / f"{SEED_ID}.yaml").unlink()
        sim.reload()
        [answer] = await sim.say("/summary")
        assert "No briefings are loaded yet" in answer.visible_text


class TestWhoAttends:
    """Attendees grouped by status, with role, country and note."""

    async def test_grouped_in_status_order(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/who_attends")
        text = answer.visible_text
        headings = ["Host (1)", "Confirmed (7)", "Expected (6)", "Absent (1)"]
        positions = [text.index(h) for h in headings]
        assert positions == sorted(positions)
        assert "Undecided" not in text
        host = text[positions[0] : positions[1]]
        assert "Keir Starmer, Prime Minister of the United Kingdom" in host
        absent = text[positions[3] :]
        assert "Giorgia Meloni, Prime Minister of Italy" in absent
        assert "sending troops" in absent

    async def test_honest_when_none_listed(
        self, sim: SimulatedBot, add_briefing: AddBriefing
    ) -> None:
        add_briefing("bare.yaml", briefing_yaml("bare", "2025-06-01"))
        sim.reload()
        [answer] = await sim.say("/who_attends bare")
        assert "This briefing lists no attendees." in answer.visible_text


class TestQuotes:
    """Quotes with speaker and role, filtered by speaker and/or briefing."""

    async def test_all_quotes_in_order(self, sim: SimulatedBot) -> None:
        answers = await sim.say("/quotes")
        html = "".join(a.text for a in answers)
        briefing = sim.services.library.get(SEED_ID)
        assert briefing is not None
        positions = [
            html.index(f"<blockquote>{escape(q.text, quote=False)}<") for q in briefing.quotes
        ]
        assert positions == sorted(positions)
        assert "Kathrin Deschauer, German Foreign Ministry spokesperson" in texts(answers)

    @pytest.mark.parametrize("speaker", ["Macron", "MACRON", "macron", "Emmanuel Mac", "mac"])
    async def test_filter_by_speaker(self, sim: SimulatedBot, speaker: str) -> None:
        [answer] = await sim.say(f"/quotes {speaker}")
        text = answer.visible_text
        assert text.count("Emmanuel Macron, President of France") == 3
        assert "Starmer" not in text

    async def test_accent_insensitive(self, sim: SimulatedBot, with_hostile: Path) -> None:
        sim.reload()
        [answer] = await sim.say("/quotes hostile-text antonio")
        assert "António Guterres" in answer.visible_text
        assert "Peace & <quiet> — الآن 🙏" in answer.visible_text

    async def test_reference_and_speaker_together(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say(f"/quotes {SEED_ID} putin")
        assert "Vladimir Putin, President of Russia" in answer.visible_text
        assert "a long-lasting peace" in answer.visible_text

    async def test_nobody_matches_lists_who_is_quoted(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/quotes Meloni")
        text = answer.visible_text
        assert "Nobody matching “Meloni” is quoted here." in text
        for name in ("Keir Starmer", "Emmanuel Macron", "Kathrin Deschauer", "Vladimir Putin"):
            assert f"• {name}" in text

    async def test_nobody_matches_among_many_speakers_is_one_message(
        self, sim: SimulatedBot, add_briefing: AddBriefing
    ) -> None:
        quotes = [{"speaker": f"Speaker {i:03d} " + "n" * 100, "text": "t"} for i in range(200)]
        add_briefing("many.yaml", briefing_yaml("many", "2025-07-01", quotes=quotes))
        sim.reload()
        [answer] = await sim.say("/quotes many meloni")
        text = answer.visible_text
        assert "Nobody matching “meloni” is quoted here." in text
        assert "• Speaker 019" in text and "Speaker 020" not in text
        assert text.endswith("…and 180 others.")

    async def test_mistyped_reference_is_not_taken_for_a_name(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/quotes ukraine-allies")
        assert "There is no briefing" in answer.visible_text

    async def test_two_hundred_long_quotes_are_one_message_with_pages(
        self, sim: SimulatedBot, add_briefing: AddBriefing
    ) -> None:
        quotes = [
            {"speaker": f"Speaker {i:03d}", "role": "Envoy", "text": f"Q{i:03d} " + "word " * 299}
            for i in range(200)
        ]
        add_briefing("long.yaml", briefing_yaml("long", "2025-07-01", quotes=quotes))
        sim.reload()
        answers = await sim.say("/quotes long")
        assert len(answers) == 1
        pages = await page_through(sim, answers[0])
        assert len(pages) == 200 // 2  # two 1500-character quotes fit a page, three do not
        assert pages[0].method == "sendMessage"
        assert {p.method for p in pages[1:]} == {"editMessageText"}
        for number, page in enumerate(pages, start=1):
            assert utf16_length(parse_html_entities(page.text)) <= 4096
            assert page.visible_text.startswith("Quotes · Title of long")
            assert page.visible_text.endswith(f"Page {number} of 100")
        text = texts(pages)
        positions = [text.index(f"Speaker {i:03d}, Envoy") for i in range(200)]
        assert positions == sorted(positions)
        assert text.split().count("word") == 299 * 200

    async def test_pages_turn_back_and_out_of_date_pages(
        self, sim: SimulatedBot, add_briefing: AddBriefing
    ) -> None:
        quotes = [{"speaker": f"S{i}", "text": "word " * 300} for i in range(6)]
        add_briefing("long.yaml", briefing_yaml("long", "2025-07-01", quotes=quotes))
        sim.reload()
        [first] = await sim.say("/quotes long")
        assert buttons(first) == [("Page 2 ›", "g:q:2:long")]
        [second] = await sim.press(first, "g:q:2:long")
        assert buttons(second) == [("‹ Page 1", "g:q:1:long"), ("Page 3 ›", "g:q:3:long")]
        [back] = await sim.press(second, "g:q:1:long")
        assert back.visible_text == first.visible_text
        [last] = await sim.press(first, "g:q:99:long")
        assert last.visible_text.endswith("Page 3 of 3")
        assert await sim.press(first, "g:x:1:long") == []
        assert await sim.press(first, "g:q:1:gone") == []
        answers = [
            r.params.get("text") for r in sim.api.requests if r.method == "answerCallbackQuery"
        ]
        assert answers[-2:] == [
            "This button is out of date.",
            "That briefing is no longer available.",
        ]

    async def test_quotes_of_one_speaker_page_too(
        self, sim: SimulatedBot, add_briefing: AddBriefing
    ) -> None:
        quotes = [
            {
                "speaker": "Emmanuel Macron" if i % 2 else "Keir Starmer",
                "text": f"T{i} " + "w " * 700,
            }
            for i in range(20)
        ]
        add_briefing("long.yaml", briefing_yaml("long", "2025-07-01", quotes=quotes))
        sim.reload()
        [first] = await sim.say("/quotes long ron")
        assert first.visible_text.startswith("Quotes by Emmanuel Macron · Title of long")
        pages = await page_through(sim, first)
        assert len(pages) > 1
        text = texts(pages)
        assert "Keir Starmer" not in text
        assert [f"T{i}" for i in range(1, 20, 2)] == re.findall(r"\bT\d+\b", text)


async def page_through(sim: SimulatedBot, message: SentMessage) -> list[SentMessage]:
    """Every page of an answer, pressing › until there is none."""
    pages = [message]
    while forward := [data for label, data in buttons(pages[-1]) if label.endswith("›")]:
        [page] = await sim.press(pages[-1], forward[0])
        pages.append(page)
        assert len(pages) < 1000
    return pages


class TestOtherSections:
    """Related headlines and the timeline."""

    async def test_related_headlines(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/related")
        text = answer.visible_text
        assert "• Trump’s Hammers Forge Putin’s Sword" in text
        assert text.count("•") == 20

    async def test_related_links_where_a_url_exists(
        self, sim: SimulatedBot, with_hostile: Path
    ) -> None:
        sim.reload()
        [answer] = await sim.say("/related hostile-text")
        assert '<a href="https://example.org/live?x=1&amp;y=2">' in answer.text
        assert answer.link_preview_options == {"is_disabled": True}

    async def test_timeline_in_order(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/timeline")
        text = answer.visible_text
        order = ["February 2025", "Thursday, 13 March", "Saturday, 15 March", "Week of 17 March"]
        positions = [text.index(w) for w in order]
        assert positions == sorted(positions)


class TestBriefingsList:
    """/briefings pages through briefings; a button makes one the chat's current briefing."""

    @pytest.fixture
    def many(self, sim: SimulatedBot, add_briefing: AddBriefing) -> None:
        for day in range(1, 11):
            add_briefing(f"b{day:02d}.yaml", briefing_yaml(f"b{day:02d}", f"2025-05-{day:02d}"))
        sim.reload()

    async def test_newest_first_with_pages(self, sim: SimulatedBot, many: None) -> None:
        [page] = await sim.say("/briefings")
        text = page.visible_text
        assert "(1–8 of 11, newest first)" in text
        assert text.index("Title of b10") < text.index("Title of b09")
        assert ("Older ›", "p:2") in buttons(page)
        [edited] = await sim.press(page, "p:2")
        assert edited.method == "editMessageText"
        assert "(9–11 of 11" in edited.visible_text
        assert "Ukraine’s allies" in edited.visible_text

    async def test_picking_one_makes_it_current(self, sim: SimulatedBot, many: None) -> None:
        [page] = await sim.say("/briefings")
        [summary] = await sim.press(page, "o:b03")
        assert summary.visible_text.startswith("Title of b03")
        [who] = await sim.say("/who_attends")
        assert "Title of b03" in who.visible_text
        [page] = await sim.say("/briefings")
        assert "Title of b03 ✅" in page.visible_text

    async def test_summary_buttons_open_sections(self, sim: SimulatedBot) -> None:
        [summary] = await sim.say("/summary")
        [who] = await sim.press(summary, f"s:who:{SEED_ID}")
        assert "Who attends" in who.visible_text
        [quotes] = await sim.press(summary, f"s:quotes:{SEED_ID}")
        assert "Quotes" in quotes.visible_text

    async def test_button_of_a_removed_briefing(
        self, sim: SimulatedBot, many: None, briefings_dir: Path
    ) -> None:
        [page] = await sim.say("/briefings")
        (briefings_dir / "b10.yaml").unlink()
        sim.reload()
        assert await sim.press(page, "o:b10") == []
        answers = [r for r in sim.api.requests if r.method == "answerCallbackQuery"]
        assert answers[-1].params["text"] == "That briefing is no longer available."


class TestSearch:
    """/search and plain text in private chats find briefings, best first."""

    async def test_search_finds_by_word(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/search ceasefire monitoring")
        assert SEED_ID in answer.visible_text

    async def test_best_first(self, sim: SimulatedBot, add_briefing: AddBriefing) -> None:
        quote = {"speaker": "A diplomat", "text": "We met in Geneva once."}
        add_briefing("mention.yaml", briefing_yaml("mention", "2025-06-01", quotes=[quote]))
        add_briefing("geneva.yaml", briefing_yaml("geneva", "2025-05-01", title="Geneva talks"))
        sim.reload()
        [answer] = await sim.say("/search geneva")
        text = answer.visible_text
        assert text.index("· geneva") < text.index("· mention")

    async def test_no_match(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/search zanzibar")
        assert "No briefing matches “zanzibar”" in answer.visible_text

    async def test_without_words_asks_what_to_look_for(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/search")
        assert "What should I look for?" in answer.visible_text

    async def test_plain_text_in_private_chat_is_a_search(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("Meloni")
        assert SEED_ID in answer.visible_text

    async def test_plain_text_in_a_group_is_ignored(self, sim: SimulatedBot) -> None:
        assert await sim.say("Meloni", chat_id=GROUP) == []


class TestSearchPages:
    """Many search results are one message with buttons to turn the pages."""

    async def test_many_matches_page_through(
        self, sim: SimulatedBot, add_briefing: AddBriefing
    ) -> None:
        for i in range(40):
            summary = f"Geneva talks, round {i:02d}. " + "Delegates met again. " * 20
            add_briefing(
                f"g{i:02d}.yaml",
                briefing_yaml(f"g{i:02d}", "2025-05-01", title="Geneva " * 25, summary=summary),
            )
        sim.reload()
        [first] = await sim.say("/search geneva")
        assert first.visible_text.startswith("Search · “geneva” · 40 matches")
        pages = await page_through(sim, first)
        assert len(pages) > 2
        ids = re.findall(r"· (g\d\d)\n", texts(pages))
        assert sorted(ids) == [f"g{i:02d}" for i in range(40)]
        assert all(utf16_length(parse_html_entities(p.text)) <= 4096 for p in pages)
        assert buttons(pages[1])[0] == ("‹ Page 1", "f:1:geneva")

    async def test_one_match(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/search ceasefire")
        assert answer.visible_text.startswith("Search · “ceasefire” · 1 match\n")
        assert buttons(answer) == []


class TestAnswersReadRight:
    """Pages, deep links, summary buttons and extra words are answered as a reader expects."""

    @pytest.fixture
    def many(self, sim: SimulatedBot, add_briefing: AddBriefing) -> None:
        for day in range(1, 11):
            add_briefing(f"b{day:02d}.yaml", briefing_yaml(f"b{day:02d}", f"2025-05-{day:02d}"))
        sim.reload()

    async def test_briefings_page_that_is_not_there(self, sim: SimulatedBot, many: None) -> None:
        [page] = await sim.say("/briefings 99")
        assert page.visible_text.startswith("There is no page 99; here is page 2.\n\n")
        assert "(9–11 of 11" in page.visible_text
        [page] = await sim.say("/briefings 0")
        assert page.visible_text.startswith("There is no page 0; here is page 1.")
        [page] = await sim.say("/briefings 2")
        assert page.visible_text.startswith("Briefings (9–11 of 11")
        [page] = await sim.say("/briefings " + "9" * 5000)
        assert page.visible_text.startswith(f"There is no page {'9' * 11}…; here is page 2.")

    async def test_briefings_with_words(self, sim: SimulatedBot, many: None) -> None:
        [page] = await sim.say("/briefings two")
        assert "(1–8 of 11" in page.visible_text
        assert page.visible_text.endswith("(I ignored “two”: /briefings takes only a page number.)")
        [page] = await sim.say("/briefings 2 please")
        assert "(9–11 of 11" in page.visible_text
        assert page.visible_text.endswith(
            "(I ignored “please”: /briefings takes only a page number.)"
        )

    async def test_help_with_words(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/help quotes")
        assert "/summary" in answer.visible_text
        assert answer.visible_text.endswith("(I ignored “quotes”: /help takes no arguments.)")

    async def test_stale_deep_link(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/start nope")
        text = answer.visible_text
        assert text.startswith("That briefing is no longer available.\n\nWelcome to briefbot.")
        assert "(1 briefing so far)" in text

    async def test_summary_buttons_only_for_sections_with_content(
        self, sim: SimulatedBot, add_briefing: AddBriefing
    ) -> None:
        timeline = [{"when": "Monday", "what": "Talks"}]
        add_briefing("t.yaml", briefing_yaml("t", "2025-06-01", timeline=timeline))
        add_briefing("bare.yaml", briefing_yaml("bare", "2025-06-02"))
        sim.reload()
        [summary] = await sim.say("/summary t")
        assert buttons(summary) == [("🗓 Timeline", "s:t:t"), ("↗ Share", "")]
        [timeline_answer] = await sim.press(summary, "s:t:t")
        assert "Monday\nTalks" in timeline_answer.visible_text
        [bare] = await sim.say("/summary bare")
        assert [label for label, _ in buttons(bare)] == ["↗ Share"]

    async def test_section_buttons_open_long_sections_with_pages(
        self, sim: SimulatedBot, add_briefing: AddBriefing
    ) -> None:
        related = [{"title": f"Headline {i:02d} " + "h" * 250} for i in range(60)]
        add_briefing("r.yaml", briefing_yaml("r", "2025-06-01", related=related))
        sim.reload()
        [summary] = await sim.say("/summary r")
        [first] = await sim.press(summary, "s:r:r")
        assert first.method == "sendMessage"
        pages = await page_through(sim, first)
        assert len(pages) > 3
        headlines = re.findall(r"Headline (\d\d)", texts(pages))
        assert headlines == [f"{i:02d}" for i in range(60)]

    async def test_buttons_of_earlier_versions_still_work(self, sim: SimulatedBot) -> None:
        [summary] = await sim.say("/summary")
        [quotes] = await sim.press(summary, f"s:quotes:{SEED_ID}")
        assert quotes.visible_text.startswith("Quotes · Ukraine’s allies")
        [who] = await sim.press(summary, f"s:who:{SEED_ID}")
        assert who.visible_text.startswith("Who attends")

    async def test_callback_data_fits_with_the_longest_id(
        self, sim: SimulatedBot, add_briefing: AddBriefing
    ) -> None:
        long_id = "x" * 56
        quotes = [{"speaker": f"Speaker {i}", "text": "word " * 290} for i in range(9)]
        timeline = [{"when": f"Day {i}", "what": "w " * 240} for i in range(30)]
        add_briefing(
            "x.yaml", briefing_yaml(long_id, "2025-06-01", quotes=quotes, timeline=timeline)
        )
        sim.reload()
        [summary] = await sim.say(f"/summary {long_id}")
        [first] = await sim.say(f"/timeline {long_id}")
        data = [d for _, d in buttons(summary) + buttons(first)]
        assert data and all(len(d.encode()) <= 64 for d in data)
        pages = await page_through(sim, first)
        assert len(pages) > 1
        [quotes_page] = await sim.say(f"/quotes {long_id} speaker")
        assert buttons(quotes_page) == []
        assert quotes_page.visible_text.endswith(
            "Too many speakers match to turn these pages; try a fuller name."
        )

    async def test_partial_names_match_inside_words(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/quotes ron")
        assert answer.visible_text.startswith("Quotes by Emmanuel Macron ·")
        assert answer.visible_text.count("Emmanuel Macron, President of France") == 3
        [answer] = await sim.say("/quotes arm")
        assert answer.visible_text.startswith("Quotes by Keir Starmer ·")


class TestCommandsInGroups:
    """/cmd and /cmd@thisbot work in groups; commands for other bots are left alone."""

    async def test_addressed_command(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/who_attends@briefbot_sim_bot", chat_id=GROUP)
        assert "Who attends" in answer.visible_text
        assert answer.chat_id == GROUP

    async def test_plain_command(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/quotes zelensky", chat_id=GROUP)
        assert "Volodymyr Zelensky" in answer.visible_text

    async def test_command_for_another_bot_is_ignored(self, sim: SimulatedBot) -> None:
        assert await sim.say("/summary@some_other_bot", chat_id=GROUP) == []
        assert await sim.say("/frobnicate@some_other_bot", chat_id=GROUP) == []

    async def test_unknown_command_in_group_only_answered_when_addressed(
        self, sim: SimulatedBot
    ) -> None:
        assert await sim.say("/frobnicate", chat_id=GROUP) == []
        [answer] = await sim.say("/frobnicate@briefbot_sim_bot", chat_id=GROUP)
        assert "I don't know /frobnicate" in answer.visible_text


class TestStrangeInput:
    """Any argument gets a sensible, escaped answer, never silence or a traceback."""

    async def test_unknown_command_points_to_help(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/frobnicate now")
        assert answer.visible_text == "I don't know /frobnicate. /help lists what I can do."

    @pytest.mark.parametrize(
        "argument",
        [
            "<b>bold</b> & <script>alert(1)</script>",
            "5 < 6 && 7 > 3",
            "x" * 5000,
            "🕊️🇺🇦" * 300,
            "مفاوضات السلام",
            "Переговоры",
            "&amp; &lt; &#x3c;",
        ],
    )
    @pytest.mark.parametrize("command", ["/summary", "/quotes", "/search", "/who_attends"])
    async def test_hostile_arguments(self, sim: SimulatedBot, command: str, argument: str) -> None:
        answers = await sim.say(f"{command} {argument}")
        assert answers, "the bot must answer"
        visible = texts(answers)
        shown = " ".join(argument.split())[:40]
        assert shown[:20] in visible

    async def test_hostile_briefing_renders_in_every_command(
        self, sim: SimulatedBot, with_hostile: Path
    ) -> None:
        sim.reload()
        for command in ("summary", "who_attends", "quotes", "related", "timeline"):
            answers = await sim.say(f"/{command} hostile-text")
            assert answers
        [summary] = await sim.say("/summary hostile-text")
        assert "<b>Bold</b> claims & 5 < 6" in summary.visible_text
        assert "Tom & Jerry's <Gazette>" in summary.visible_text
        assert "مفاوضات السلام" in summary.visible_text
        [who] = await sim.say("/who_attends hostile-text")
        assert "Ана Петрова <Ana>, Envoy & negotiator, Україна" in who.visible_text
        assert "Says 5 < 6 & <3" in who.visible_text
        assert "Undecided (1)" in who.visible_text


async def test_menu_registration_failure_is_logged_and_the_bot_keeps_running(
    config: Config, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """If setMyCommands fails at start-up, the bot says so in the log and answers anyway."""
    api = FakeBotAPI()
    api.fail("setMyCommands", status=500)
    async with SimulatedBot(config, storage_path=tmp_path / "s.db", start=T0, api=api) as bot:
        [answer] = await bot.say("/help")
        assert "/summary" in answer.visible_text
        assert not bot.errors
    assert "could not register the command menu" in caplog.text


class TestRememberedAnswers:
    """Rendered answers are reused, but never outlive the file or the language they came from."""

    async def test_an_edited_briefing_is_answered_afresh(
        self, sim: SimulatedBot, write_briefing: Callable[..., Path]
    ) -> None:
        attendee = {"name": "Ada Lovelace", "status": "confirmed"}
        write_briefing("edited", "2026-01-01", attendees=[attendee])
        sim.reload()
        [before] = await sim.say("/who_attends edited")
        [again] = await sim.say("/who_attends edited")
        assert again.text == before.text
        assert "Ada Lovelace" in before.visible_text
        write_briefing("edited", "2026-01-01", attendees=[attendee | {"name": "Grace Hopper"}])
        sim.reload()
        [after] = await sim.say("/who_attends edited")
        assert "Grace Hopper" in after.visible_text
        assert "Ada Lovelace" not in after.visible_text
        [summary] = await sim.say("/summary edited")
        assert summary.visible_text.startswith("Title of edited")

    async def test_a_new_language_is_answered_in_it(self, sim: SimulatedBot) -> None:
        [english] = await sim.say("/who_attends")
        assert "Confirmed (7)" in english.visible_text
        await sim.say("/language fr")
        [french] = await sim.say("/who_attends")
        assert "Confirmed (7)" not in french.visible_text
        assert french.text != english.text
