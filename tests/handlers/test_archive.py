"""The archive at large: quotes by a speaker across every briefing, and answers while loading."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from conftest import SEED_ID, T0

from bot.config import Config
from bot.simulation.harness import SimulatedBot, buttons


def macron(text: str) -> dict[str, str]:
    return {"speaker": "Emmanuel Macron", "role": "President of France", "text": text}


class TestQuotesAcrossTheArchive:
    """`/quotes all <speaker>`: every briefing, newest first, five quotes a page with buttons."""

    async def test_newest_first_in_pages(
        self, sim: SimulatedBot, write_briefing: Callable[..., Path]
    ) -> None:
        for day in range(1, 5):
            quotes = [macron(f"Day {day}, first."), {"speaker": "Other", "text": "No."}]
            quotes.append(macron(f"Day {day}, second."))
            write_briefing(f"day-{day}", f"2026-10-0{day}", quotes=quotes)
        sim.reload()
        [page] = await sim.say("/quotes all macron")
        text = page.visible_text
        assert "Quotes by “macron” · every briefing, newest first" in text
        # 8 quotes here plus the shipped briefing's, newest briefing first.
        assert "page 1 of" in text and "Other" not in text
        assert text.index("Day 4, first.") < text.index("Day 4, second.")
        assert text.index("Day 4, second.") < text.index("Day 3, first.")
        assert "Day 1" not in text
        assert [label for label, _ in buttons(page)] == ["Older ›"]

        [older] = await sim.press(page, buttons(page)[0][1])
        assert older.method == "editMessageText"
        assert "page 2 of" in older.visible_text
        assert older.visible_text.index("Day 2, second.") < older.visible_text.index("Day 1")
        assert "Day 4" not in older.visible_text
        assert "‹ Newer" in [label for label, _ in buttons(older)]

    async def test_accents_and_roles_match(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say("/quotes all ZELÉNSKY")
        assert "Volodymyr Zelensky" in answer.visible_text and SEED_ID in answer.visible_text
        [by_role] = await sim.say("/quotes all president france")
        assert "Emmanuel Macron" in by_role.visible_text
        assert "Zelensky" not in by_role.visible_text

    async def test_nobody_and_no_name(self, sim: SimulatedBot) -> None:
        [none] = await sim.say("/quotes all nobody")
        assert none.visible_text.startswith("No quotes by “nobody” in any briefing.")
        [ask] = await sim.say("/quotes all")
        assert ask.visible_text.startswith("Whose quotes?")

    async def test_an_edit_is_in_the_next_answer(
        self, sim: SimulatedBot, write_briefing: Callable[..., Path], briefings_dir: Path
    ) -> None:
        write_briefing("fresh", "2026-11-20", quotes=[macron("Fresh words.")])
        sim.reload()
        [answer] = await sim.say("/quotes all macron")
        assert "Fresh words." in answer.visible_text.split("\n\n")[1]
        (briefings_dir / "fresh.yaml").unlink()
        sim.reload()
        [answer] = await sim.say("/quotes all macron")
        assert "Fresh words." not in answer.visible_text

    async def test_a_long_name_still_pages(
        self, sim: SimulatedBot, write_briefing: Callable[..., Path]
    ) -> None:
        name = "Çağlar Üçüncüoğlu-Śliwińska Østergård Þórðarson Ñúñez"
        quotes = [{"speaker": name, "text": f"Words {n}."} for n in range(7)]
        write_briefing("long-name", "2026-11-20", quotes=quotes)
        sim.reload()
        [page] = await sim.say(f"/quotes all {name.lower()}")
        [(label, data)] = buttons(page)
        assert label == "Older ›" and len(data.encode()) <= 64
        [older] = await sim.press(page, data)
        assert "Words 5." in older.visible_text and "Words 6." in older.visible_text
        assert "page 2 of 2" in older.visible_text

    async def test_long_quotes_fit_one_message_per_page(
        self, sim: SimulatedBot, write_briefing: Callable[..., Path]
    ) -> None:
        quotes = [macron(f"{n} " + "word " * 290) for n in range(12)]
        write_briefing("long", "2026-11-20", title="T" * 200, quotes=quotes)
        sim.reload()
        answers = await sim.say("/quotes all macron")
        assert len(answers) == 1
        assert len(answers[0].visible_text) <= 4096


class TestWhileLoading:
    """Until the first load finishes, commands that need briefings say so; others answer."""

    async def test_commands_wait_for_the_load(self, config: Config) -> None:
        async with SimulatedBot(
            config, storage_path=config.storage.path, start=T0, load=False
        ) as bot:
            for command in ("/summary", "/quotes all macron", "/search ceasefire", "/briefings"):
                [answer] = await bot.say(command)
                assert answer.visible_text == (
                    "Still loading the briefings — try again in a few seconds."
                ), command
            [help_text] = await bot.say("/help")
            assert "/summary" in help_text.visible_text
            bot.reload()
            [summary] = await bot.say("/summary")
            assert summary.visible_text.startswith("Ukraine’s allies")
            assert not bot.errors

    async def test_the_load_runs_in_the_background_once_started(self, config: Config) -> None:
        async with SimulatedBot(
            config, storage_path=config.storage.path, start=T0, load=False, watch=True
        ) as bot:
            async with asyncio.timeout(5):
                while not bot.services.library.loaded:  # noqa: ASYNC110 - the app's own state
                    await asyncio.sleep(0.01)
            [summary] = await bot.say("/summary")
            assert summary.visible_text.startswith("Ukraine’s allies")
            assert not bot.errors
