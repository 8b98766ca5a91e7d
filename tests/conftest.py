"""Shared fixtures: a config pointing at test folders, and the real bot on a fake Bot API."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from bot.config import Config
from bot.delivery import TelegramSender
from bot.simulation.harness import SimulatedBot

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_BRIEFINGS = ROOT / "briefings"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_ID = "ukraine-allies-virtual-meeting"
# A Wednesday, well after the seed's publication.
T0 = dt.datetime(2026, 11, 25, 7, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Put the root logger back as it was: `briefbot run` called in-process installs handlers."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    yield
    for handler in root.handlers:
        if handler not in saved[0]:
            handler.close()
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def token_like(number: int = 123456789, seed: str = "FakeTokenForTests") -> str:
    """A made-up bot token shaped like a real one.

    Built at run time, so that no token-shaped string sits in the tree to alarm secret scanners.
    """
    return f"{number}:AA{(seed * 40)[:33]}"


def make_config(briefings_dir: Path, storage: Path, **overrides: object) -> Config:
    """A config like the shipped one, with the given folders."""
    data: dict[str, object] = {
        "briefings": {"dir": str(briefings_dir)},
        "storage": {"path": str(storage)},
        "admins": [42],
    }
    data.update(overrides)
    return Config.model_validate(data)


@pytest.fixture
def briefings_dir(tmp_path: Path) -> Path:
    """A writable copy of the shipped briefings."""
    target = tmp_path / "briefings"
    shutil.copytree(SHIPPED_BRIEFINGS, target)
    return target


@pytest.fixture
def add_briefing(briefings_dir: Path) -> Callable[[str, str], Path]:
    """Write a briefing file into the test folder."""

    def add(name: str, text: str) -> Path:
        path = briefings_dir / name
        path.write_text(text, encoding="utf-8")
        return path

    return add


@pytest.fixture
def config(briefings_dir: Path, tmp_path: Path) -> Config:
    """The default config on the test folders; user 42 is an admin."""
    return make_config(briefings_dir, tmp_path / "state.sqlite3")


@pytest.fixture
async def sim(config: Config, tmp_path: Path) -> AsyncIterator[SimulatedBot]:
    """The real bot on a fake Bot API, its clock at T0."""
    async with SimulatedBot(config, storage_path=config.storage.path, start=T0) as bot:
        yield bot
        assert not bot.errors, f"handlers raised: {bot.errors!r}"


HOSTILE = FIXTURES / "briefings" / "hostile-text.yaml"


@pytest.fixture
def with_hostile(briefings_dir: Path) -> Path:
    """The shipped briefing plus one full of text that must be escaped."""
    return Path(shutil.copy(HOSTILE, briefings_dir / HOSTILE.name))


def briefing_yaml(briefing_id: str, published: str, **fields: object) -> str:
    """A minimal valid briefing file, with extra fields."""
    import yaml

    data: dict[str, object] = {
        "id": briefing_id,
        "title": f"Title of {briefing_id}",
        "published": published,
        "summary": f"Summary of {briefing_id}.",
    }
    data.update(fields)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# -- digest helpers (shared by tests/digest, tests/test_delivery.py, tests/handlers) ------------


@pytest.fixture
def write_briefing(add_briefing: Callable[[str, str], Path]) -> Callable[..., Path]:
    """Write `<briefing_id>.yaml`, a minimal briefing published on `published` (YYYY-MM-DD)."""

    def write(briefing_id: str, published: str, **fields: object) -> Path:
        return add_briefing(f"{briefing_id}.yaml", briefing_yaml(briefing_id, published, **fields))

    return write


@pytest.fixture
def instant_retries() -> Callable[[SimulatedBot], list[float]]:
    """Give a bot's digest sender 3 attempts and instant backoff; returns the waits it asked for."""

    def install(bot: SimulatedBot) -> list[float]:
        waits: list[float] = []

        async def sleep(seconds: float) -> None:
            waits.append(seconds)

        bot.services.runner.sender = TelegramSender(
            bot.application.bot, attempts=3, backoff=0.5, sleep=sleep
        )
        return waits

    return install


pytest_plugins = ["pg_fixtures"]
