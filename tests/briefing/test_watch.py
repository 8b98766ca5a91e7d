"""Saved files reach readers at once: the running bot watches its briefings folder."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from conftest import T0, briefing_yaml

from bot.config import Config
from bot.simulation.harness import SimulatedBot

NOT_RELOADED = "briefing not reloaded"


@pytest.fixture
async def watching(config: Config) -> AsyncIterator[SimulatedBot]:
    """The real bot watching a copy of the shipped folder."""
    async with SimulatedBot(config, storage_path=config.storage.path, start=T0, watch=True) as bot:
        yield bot
        assert not bot.errors


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 5.0) -> bool:
    """Whether `check` comes true within `seconds`, asking every 20 ms."""
    async with asyncio.timeout(seconds):
        while not await check():  # noqa: ASYNC110 - the state belongs to the app under test
            await asyncio.sleep(0.02)
    return True


def on_air(bot: SimulatedBot, ref: str, title: str) -> Callable[[], Awaitable[bool]]:
    """Whether `/summary <ref>` shows `title` right now."""

    async def check() -> bool:
        [answer] = await bot.say(f"/summary {ref}")
        return answer.visible_text.startswith(title)

    return check


def gone(bot: SimulatedBot, ref: str) -> Callable[[], Awaitable[bool]]:
    """Whether `/summary <ref>` says there is no such briefing."""

    async def check() -> bool:
        [answer] = await bot.say(f"/summary {ref}")
        return answer.visible_text.startswith("There is no briefing")

    return check


def not_reloaded(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if NOT_RELOADED in r.getMessage()]


class TestSaves:
    """New, changed, renamed and deleted files are on air without anyone asking for a reload."""

    async def test_new_changed_and_deleted(
        self, watching: SimulatedBot, briefings_dir: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        path = briefings_dir / "fresh.yaml"
        path.write_text(briefing_yaml("fresh", "2026-11-01"), encoding="utf-8")
        assert await eventually(on_air(watching, "fresh", "Title of fresh"))
        path.write_text(briefing_yaml("fresh", "2026-11-01", title="Fresh, edited"), "utf-8")
        assert await eventually(on_air(watching, "fresh", "Fresh, edited"))
        path.unlink()
        assert await eventually(gone(watching, "fresh"))
        assert not_reloaded(caplog) == []

    async def test_write_to_a_temporary_name_then_rename(
        self, watching: SimulatedBot, briefings_dir: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        temporary = briefings_dir / ".fresh.yaml.tmp"
        temporary.write_text(briefing_yaml("fresh", "2026-11-01"), encoding="utf-8")
        os.replace(temporary, briefings_dir / "fresh.yaml")
        assert await eventually(on_air(watching, "fresh", "Title of fresh"))
        assert not_reloaded(caplog) == []

    async def test_truncate_then_write_in_steps_logs_nothing(
        self, watching: SimulatedBot, briefings_dir: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO)
        path = briefings_dir / "fresh.yaml"
        text = briefing_yaml("fresh", "2026-11-01")
        with path.open("w", encoding="utf-8") as file:
            file.flush()  # an empty file, long enough for the watcher to see it
            await asyncio.sleep(0.15)
            file.write(text[:40])
            file.flush()
            await asyncio.sleep(0.05)
            file.write(text[40:])
        assert await eventually(on_air(watching, "fresh", "Title of fresh"))
        assert not_reloaded(caplog) == []

    async def test_broken_save_keeps_the_last_good_version(
        self, watching: SimulatedBot, briefings_dir: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        path = briefings_dir / "fresh.yaml"
        path.write_text(briefing_yaml("fresh", "2026-11-01"), encoding="utf-8")
        assert await eventually(on_air(watching, "fresh", "Title of fresh"))
        path.write_text("title: [unclosed\npublished: 2026-11-01\n", encoding="utf-8")
        assert await eventually(lambda: _async(bool(not_reloaded(caplog))))
        [logged] = not_reloaded(caplog)
        assert f"{path}:2: YAML error" in logged
        assert await on_air(watching, "fresh", "Title of fresh")()


async def _async(value: bool) -> bool:
    return value


class TestStartingToWatch:
    """A file saved after the briefings were read but before watching began is not missed."""

    async def test_saved_before_the_watcher_started(
        self, config: Config, briefings_dir: Path
    ) -> None:
        bot = SimulatedBot(config, storage_path=config.storage.path, start=T0, watch=True)
        (briefings_dir / "early.yaml").write_text(briefing_yaml("early", "2026-11-01"), "utf-8")
        async with bot:
            assert await eventually(on_air(bot, "early", "Title of early"))
            assert not bot.errors
