"""The simulator as a terminal program: bad input is one line, Ctrl-C and Ctrl-D leave at once."""

from __future__ import annotations

import dataclasses
import fcntl
import io
import os
import pty
import re
import select
import subprocess
import sys
import termios
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from conftest import ROOT, SEED_ID, T0

from bot.cli import EXIT_CONFIG, EXIT_ERRORS, EXIT_INTERRUPTED, EXIT_OK, main
from bot.config import Config
from bot.simulation.harness import SimulatedBot
from bot.simulation.terminal import Simulator, render_for_terminal, wrap_line


@pytest.fixture
async def terminal(config: Config, tmp_path: Path) -> AsyncIterator[Simulator]:
    async with SimulatedBot(config, storage_path=tmp_path / "s.db", start=T0) as bot:
        yield Simulator(bot, io.StringIO(), ansi=False, chat=1001)


def output(sim: Simulator) -> str:
    assert isinstance(sim.out, io.StringIO)
    return sim.out.getvalue()


class TestBadMetaInput:
    """Each bad steering line gets one line back, and the session goes on."""

    @pytest.mark.parametrize(
        ("line", "answer"),
        [
            (":advance 99999999999d", "  (99999999999d is too far: at most 3650d at a time)"),
            (":advance 3000000d", "  (3000000d is too far: at most 3650d at a time)"),
            (
                ":at 9999-12-31T23:59Z",
                "  (9999-12-31T23:59Z is out of range: the virtual clock runs from 1970-01-01"
                " to 9998-12-31 23:59 UTC)",
            ),
            (
                ":at 0001-01-01T00:00+05:00",
                "  (0001-01-01T00:00+05:00 is out of range: the virtual clock runs from"
                " 1970-01-01 to 9998-12-31 23:59 UTC)",
            ),
            (":at 2040-01-01T00:00Z", "  (that is too far: at most 3650 days at a time;"
             " --at starts the clock anywhere)"),
            (":chat abc", "  (not a chat id: 'abc' (try 1002, or -100123 for a group))"),
            (
                ":chat 0",
                "  (0 is not a chat id: private chats are positive, groups negative, and ids"
                " fit in 52 bits)",
            ),
            (":", "  (a command goes right after the colon; :help lists them)"),
        ],
    )  # fmt: skip
    async def test_one_line_and_the_session_goes_on(
        self, terminal: Simulator, line: str, answer: str
    ) -> None:
        await terminal.handle(line)
        await terminal.handle(":now")
        assert output(terminal).splitlines() == [answer, "  (virtual time 2026-11-25 07:00 UTC)"]
        assert not terminal.done
        assert terminal.exit_code == 0

    @pytest.mark.parametrize("line", ["/summary caf\udce9", "/he\x1b[Alp"])
    async def test_undecodable_text_and_control_characters_are_not_sent(
        self, terminal: Simulator, line: str
    ) -> None:
        requests = len(terminal.bot.api.requests)
        await terminal.handle(line)
        assert output(terminal).splitlines() == [
            "  (not UTF-8 text, or control characters; nothing was sent)"
        ]
        assert len(terminal.bot.api.requests) == requests
        assert terminal.exit_code == 0

    def test_undecodable_input_from_a_pipe(self, tmp_path: Path) -> None:
        config = tmp_path / "bot.yaml"
        config.write_text(f"briefings: {{dir: {ROOT / 'briefings'}}}\n", encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "bot", "simulate", "--config", str(config),
             "--at", "2026-11-25T07:00Z"],
            input=b":now\n\xff\xfe\n:now\n", capture_output=True, timeout=30,
            env=dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8:strict"),
        )  # fmt: skip
        out = result.stdout.decode()
        assert result.returncode == 0, result.stderr
        assert out.count("(virtual time 2026-11-25 07:00 UTC)") == 2
        assert "nothing was sent" in out
        assert result.stderr == b""

    async def test_the_clock_stops_at_the_end_of_its_range(
        self, config: Config, tmp_path: Path
    ) -> None:
        late = T0.replace(year=9998, month=12, day=31, hour=23)
        async with SimulatedBot(config, storage_path=tmp_path / "s.db", start=late) as bot:
            sim = Simulator(bot, io.StringIO(), ansi=False, chat=1001)
            await sim.handle("/subscribe 08:00")
            await sim.handle(":advance 1d")
            await sim.handle(":advance 30m")
            text = output(sim)
        assert "(cannot move the clock past 9998-12-31 23:59 UTC)" in text
        assert "(clock moved from 9998-12-31 23:00 to 9998-12-31 23:30 UTC" in text
        assert sim.exit_code == 0


class TestBadOptions:
    """A bad option or script is one line on stderr and a distinct exit code, never a traceback."""

    @pytest.fixture
    def config_file(self, tmp_path: Path) -> Path:
        path = tmp_path / "bot.yaml"
        path.write_text(f"briefings: {{dir: {ROOT / 'briefings'}}}\n", encoding="utf-8")
        return path

    def simulate(
        self, config_file: Path, capsys: pytest.CaptureFixture[str], *options: str
    ) -> tuple[int, str]:
        code = main(["simulate", "--config", str(config_file), *options])
        out, err = capsys.readouterr()
        assert out == ""
        assert len(err.splitlines()) == 1, err
        return code, err.strip()

    @pytest.mark.parametrize(
        ("options", "code", "line"),
        [
            (["--at", "garbage"], EXIT_CONFIG,
             "briefbot: --at: not an ISO date-time: 'garbage' (try 2026-11-26T08:00)"),
            (["--at", "0001-01-01T00:00Z"], EXIT_CONFIG,
             "briefbot: --at: 0001-01-01T00:00Z is out of range: the virtual clock runs from"
             " 1970-01-01 to 9998-12-31 23:59 UTC"),
            (["--chat-id", "0"], EXIT_CONFIG,
             "briefbot: --chat-id: 0 is not a chat id: private chats are positive, groups"
             " negative, and ids fit in 52 bits"),
            (["--script", "missing.txt"], EXIT_ERRORS,
             "briefbot: missing.txt: no such script file"),
        ],
    )  # fmt: skip
    def test_one_line(
        self,
        config_file: Path,
        capsys: pytest.CaptureFixture[str],
        options: list[str],
        code: int,
        line: str,
    ) -> None:
        assert self.simulate(config_file, capsys, *options) == (code, line)

    def test_a_script_that_is_not_utf8(
        self, config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        script = tmp_path / "script.txt"
        script.write_bytes(b"/help\n/summary caf\xe9\n")
        code, line = self.simulate(config_file, capsys, "--script", str(script))
        assert (code, line) == (EXIT_ERRORS, f"briefbot: {script}:2: not UTF-8 text (the script"
                                " must be UTF-8)")  # fmt: skip


class TestButtonAnswers:
    """What Telegram shows as a toast or an alert after a press is shown too."""

    async def test_alert_for_a_briefing_that_is_gone(
        self, terminal: Simulator, briefings_dir: Path
    ) -> None:
        await terminal.handle("/summary")
        (briefings_dir / f"{SEED_ID}.yaml").unlink()
        await terminal.handle(":reload")
        await terminal.handle(":press 2")
        lines = output(terminal).splitlines()
        assert lines[-2:] == [
            "  (pressed “💬 Quotes”)",
            "[alert] That briefing is no longer available.",
        ]

    async def test_toast_for_an_old_button(self, terminal: Simulator) -> None:
        await terminal.handle("/summary")
        message = terminal.last_with_buttons
        assert message is not None
        old = {"inline_keyboard": [[{"text": "Old", "callback_data": "retired:1"}]]}
        terminal.last_with_buttons = dataclasses.replace(message, reply_markup=old)
        await terminal.handle(":press 1")
        assert output(terminal).splitlines()[-1] == "[toast] This button is out of date."

    async def test_a_silent_answer_shows_nothing(self, terminal: Simulator) -> None:
        await terminal.handle("/summary")
        await terminal.handle(":press 2")
        assert "[toast]" not in output(terminal)
        assert "[alert]" not in output(terminal)


class TestWrapping:
    """On a terminal, long lines break at spaces to its width, keeping their indent."""

    def test_words_and_indent(self) -> None:
        line = "  one two three four five six seven"
        assert wrap_line(line, 15) == ["  one two three", "  four five six", "  seven"]

    def test_quote_bar_is_kept(self) -> None:
        assert wrap_line("  │ alpha beta gamma", 14) == ["  │ alpha beta", "  │ gamma"]

    def test_styles_take_no_room(self) -> None:
        styled = "  " + render_for_terminal("<b>bold words</b> and <i>more words</i>", ansi=True)
        lines = wrap_line(styled, 18)
        assert [re.sub(r"\033\[[0-9;]*m", "", line) for line in lines] == [
            "  bold words and",
            "  more words",
        ]
        assert "\033[1m" in lines[0]

    def test_no_break_where_there_was_no_space(self) -> None:
        line = "  " + render_for_terminal("see <b>this</b>, then <i>that</i>.", ansi=True)
        lines = wrap_line(line, 10)
        assert [re.sub(r"\033\[[0-9;]*m", "", part) for part in lines] == [
            "  see",
            "  this,",
            "  then",
            "  that.",
        ]

    def test_a_style_across_a_break_resumes_after_the_indent(self) -> None:
        line = "  " + render_for_terminal("<u>one two three</u>", ansi=True)
        assert wrap_line(line, 10) == [
            "  \033[0m\033[4mone two\033[0m",
            "  \033[4mthree\033[0m\033[0m",
        ]

    def test_a_long_word_stays_whole(self) -> None:
        assert wrap_line("  https://example.org/a/very/long/path x", 10) == [
            "  https://example.org/a/very/long/path",
            "  x",
        ]

    async def test_the_simulator_fits_its_width(self, config: Config, tmp_path: Path) -> None:
        async with SimulatedBot(config, storage_path=tmp_path / "s.db", start=T0) as bot:
            sim = Simulator(bot, io.StringIO(), ansi=False, chat=1001, width=40)
            await sim.handle("/summary")
        lines = output(sim).splitlines()
        assert max(len(line) for line in lines) <= 40
        assert len(lines) > 10
        assert all(line.startswith("  ") for line in lines[1:] if line)

    async def test_unwrapped_without_a_width(self, terminal: Simulator) -> None:
        await terminal.handle("/summary")
        assert max(len(line) for line in output(terminal).splitlines()) > 120


def _controlling_terminal() -> None:
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class _Terminal:
    """`briefbot simulate` on a pseudo-terminal, as a person would run it."""

    def __init__(self, config_file: Path) -> None:
        master, slave = pty.openpty()
        self.master = master
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "simulate", "--config", str(config_file),
             "--at", "2026-11-25T07:00Z"],
            stdin=slave, stdout=slave, stderr=slave, cwd=config_file.parent,
            env=dict(os.environ, PYTHONPATH=str(ROOT)), preexec_fn=_controlling_terminal,
        )  # fmt: skip
        os.close(slave)
        self.seen = b""

    def read_until(self, done: Callable[[bytes], bool], timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while not done(self.seen) and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    self.seen += os.read(self.master, 4096)
                except OSError:
                    break
        return self.seen.decode(errors="replace")

    def prompts(self, count: int) -> str:
        return self.read_until(lambda seen: seen.count("» ".encode()) >= count)

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def exit_code(self) -> tuple[int, float]:
        started = time.monotonic()
        code = self.process.wait(timeout=30)
        os.close(self.master)
        return code, time.monotonic() - started


class TestKeyboard:
    """Ctrl-C leaves at once with 130, Ctrl-D with 0; arrow keys edit and recall lines."""

    @pytest.fixture
    def config_file(self, tmp_path: Path) -> Path:
        path = tmp_path / "bot.yaml"
        path.write_text(f"briefings: {{dir: {ROOT / 'briefings'}}}\n", encoding="utf-8")
        return path

    def test_history_then_ctrl_c(self, config_file: Path) -> None:
        term = _Terminal(config_file)
        term.prompts(1)
        term.type(b":now\r")
        term.prompts(2)
        term.type(b"\x1b[A\r")  # up arrow: the last line again
        # Readline redraws the prompt for the recalled line: wait for the answer and the prompt
        # after it, so Ctrl-C is typed at a prompt, as a person would.
        seen = term.read_until(
            lambda out: out.count(b"(virtual time") >= 2 and out.endswith("» ".encode())
        )
        # A person's Ctrl-C comes well after the prompt is drawn. One typed within microseconds
        # of it can land before readline waits for keys, and CPython's readline then only sees
        # the next one (a second Ctrl-C).
        time.sleep(0.3)
        term.type(b"\x03")
        code, waited = term.exit_code()
        assert seen.count("(virtual time 2026-11-25 07:00 UTC)") == 2
        assert "^[[A" not in seen
        assert "unknown" not in seen
        assert code == EXIT_INTERRUPTED
        assert waited < 5

    def test_ctrl_d(self, config_file: Path) -> None:
        term = _Terminal(config_file)
        term.prompts(1)
        term.type(b"\x04")
        code, _ = term.exit_code()
        assert code == EXIT_OK

    async def test_help_says_how_to_leave(self, terminal: Simulator) -> None:
        await terminal.handle(":help")
        text = output(terminal)
        assert "Ctrl-C             leave at once (exit code 130)" in text
        assert ":quit              leave (Ctrl-D works too, exit code 0)" in text
