"""The bot token never reaches a log line: messages, arguments and tracebacks are redacted."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import T0, token_like

from bot.config import Config
from bot.logs import REDACTED, RedactingFilter, redact, setup_logging
from bot.simulation.fake_api import FakeBotAPI
from bot.simulation.harness import SimulatedBot

TOKEN = token_like()


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    handler = setup_logging(logging.DEBUG, secrets=[TOKEN])
    stream = io.StringIO()
    handler.setStream(stream)  # type: ignore[attr-defined]
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


class TestRedaction:
    """Tokens are replaced in every part of a record."""

    def test_pattern_catches_tokens_it_was_not_told_about(self) -> None:
        text = f"POST https://api.telegram.org/bot{token_like(555555555, 'x')}/getMe"
        assert redact(text) == f"POST https://api.telegram.org/bot{REDACTED}/getMe"

    def test_times_and_ids_are_left_alone(self) -> None:
        assert redact("chat=-100123 at 08:30, took 12:5ms") == "chat=-100123 at 08:30, took 12:5ms"

    def test_arguments_and_tracebacks(self, log_output: io.StringIO) -> None:
        log = logging.getLogger("some.library")
        log.info("url %s", f"https://x/bot{TOKEN}/getUpdates")
        try:
            raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
        except RuntimeError:
            log.exception("failed")
        output = log_output.getvalue()
        assert TOKEN not in output
        assert TOKEN.split(":")[1] not in output
        assert output.count(REDACTED) == 2
        assert "RuntimeError" in output

    def test_httpx_is_quiet(self, log_output: io.StringIO) -> None:
        assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING

    def test_filter_never_drops_records(self) -> None:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "a %s", (TOKEN,), None)
        assert RedactingFilter([TOKEN]).filter(record)
        assert record.getMessage() == f"a {REDACTED}"


async def test_a_debug_run_logs_no_token(
    log_output: io.StringIO, config: Config, tmp_path: Path
) -> None:
    """Everything python-telegram-bot logs at DEBUG for a session of commands is clean."""
    api = FakeBotAPI(token=TOKEN)
    async with SimulatedBot(config, storage_path=tmp_path / "s.db", start=T0, api=api) as bot:
        for text in ("/start", "/summary", "/quotes macron", "/subscribe", "/digest"):
            await bot.say(text)
    output = log_output.getvalue()
    assert "command=/summary" in output
    assert TOKEN not in output
    assert TOKEN.split(":")[1] not in output
