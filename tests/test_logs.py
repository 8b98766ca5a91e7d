"""The bot token never reaches a log line: messages, arguments and tracebacks are redacted."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import T0, token_like

from bot.config import Config
from bot.logs import REDACTED, RedactingFilter, drain_logs, redact, setup_logging
from bot.simulation.fake_api import FakeBotAPI
from bot.simulation.harness import SimulatedBot

TOKEN = token_like()


class LogOutput:
    """What the logging set-up wrote, once the logging thread has written everything."""

    def __init__(self, handler: logging.Handler) -> None:
        self.handler = handler
        self.stream = io.StringIO()
        handler.setStream(self.stream)  # type: ignore[attr-defined]

    def getvalue(self) -> str:
        drain_logs()
        return self.stream.getvalue()


@pytest.fixture
def log_output() -> Iterator[LogOutput]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    yield LogOutput(setup_logging(logging.DEBUG, secrets=[TOKEN]))
    for handler in root.handlers:
        handler.close()
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


class TestRedaction:
    """Tokens are replaced in every part of a record."""

    def test_pattern_catches_tokens_it_was_not_told_about(self) -> None:
        text = f"POST https://api.telegram.org/bot{token_like(555555555, 'x')}/getMe"
        assert redact(text) == f"POST https://api.telegram.org/bot{REDACTED}/getMe"

    def test_times_and_ids_are_left_alone(self) -> None:
        assert redact("chat=-100123 at 08:30, took 12:5ms") == "chat=-100123 at 08:30, took 12:5ms"

    def test_arguments_and_tracebacks(self, log_output: LogOutput) -> None:
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

    def test_httpx_is_quiet(self, log_output: LogOutput) -> None:
        assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING

    def test_filter_never_drops_records(self) -> None:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "a %s", (TOKEN,), None)
        assert RedactingFilter([TOKEN]).filter(record)
        assert record.getMessage() == f"a {REDACTED}"


async def test_a_debug_run_logs_no_token(
    log_output: LogOutput, config: Config, tmp_path: Path
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


class TestQueuedWriting:
    """Lines are redacted, formatted and written in a logging thread, none lost at exit."""

    def test_lines_are_written_off_the_logging_thread(self, log_output: LogOutput) -> None:
        writers: list[str] = []

        def note(record: logging.LogRecord) -> bool:
            writers.append(threading.current_thread().name)
            return True

        log_output.handler.addFilter(note)
        logging.getLogger("bot.x").info("chat %s token %s", 42, TOKEN)
        output = log_output.getvalue()
        assert f"bot.x: chat 42 token {REDACTED}" in output
        assert writers and threading.current_thread().name not in writers

    def test_arguments_are_taken_as_they_were_when_logged(self, log_output: LogOutput) -> None:
        items = ["before"]
        logging.getLogger("bot.x").info("items %s", items)
        items[0] = "after"
        assert "items ['before']" in log_output.getvalue()

    def test_queued_lines_are_written_at_exit_redacted(self) -> None:
        script = (
            "import logging, sys\n"
            "from bot.logs import setup_logging\n"
            "setup_logging(secrets=[sys.argv[1]])\n"
            "log = logging.getLogger('bot.exit')\n"
            "for i in range(200):\n"
            "    log.info('line %d with %s', i, sys.argv[1])\n"
            "try:\n"
            "    raise RuntimeError('rejected ' + sys.argv[1])\n"
            "except RuntimeError:\n"
            "    log.exception('last')\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script, TOKEN],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        assert done.stderr.count(f"with {REDACTED}") == 200
        assert f"RuntimeError: rejected {REDACTED}" in done.stderr
        assert TOKEN.split(":")[1] not in done.stderr
