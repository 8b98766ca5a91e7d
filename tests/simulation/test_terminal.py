"""The terminal simulator: transcripts, meta-commands and how messages look in a terminal."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from conftest import ROOT, T0

from bot.cli import main
from bot.config import Config
from bot.simulation.fake_api import FakeBotAPI
from bot.simulation.harness import SimulatedBot
from bot.simulation.terminal import Simulator, parse_duration, render_for_terminal

GOLDEN = ROOT / "tests" / "golden"


@pytest.fixture
def shipped_config(tmp_path: Path) -> Path:
    path = tmp_path / "bot.yaml"
    path.write_text(f"briefings: {{dir: {ROOT / 'briefings'}}}\n", encoding="utf-8")
    return path


class TestScript:
    """`simulate --script` prints a deterministic transcript of the whole bot."""

    def test_golden_tour(self, shipped_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
        script = GOLDEN / "tour.txt"
        code = main(
            ["simulate", "--config", str(shipped_config), "--script", str(script),
             "--at", "2026-11-25T07:00Z"]
        )  # fmt: skip
        out = capsys.readouterr().out
        assert code == 0
        assert out == (GOLDEN / "tour.transcript").read_text(encoding="utf-8")

    def test_golden_drafting(
        self,
        shipped_config: Path,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.chdir(ROOT)  # the script sends a file by its path from the repository root
        shipped = sorted(p.name for p in (ROOT / "briefings").iterdir())
        code = main(
            ["simulate", "--config", str(shipped_config), "--script",
             str(GOLDEN / "drafting.txt"), "--at", "2026-11-25T07:00Z"]
        )  # fmt: skip
        out = capsys.readouterr().out
        assert code == 0
        assert out == (GOLDEN / "drafting.transcript").read_text(encoding="utf-8")
        # What is published in a simulation never lands in the briefings folder.
        assert sorted(p.name for p in (ROOT / "briefings").iterdir()) == shipped

    def test_every_command_is_in_a_golden_script(self) -> None:
        from bot.commands import COMMANDS

        tour = "".join(path.read_text(encoding="utf-8") for path in GOLDEN.glob("*.txt"))
        for command in COMMANDS:
            assert f"/{command.name}" in tour

    def test_readme_example_from_stdin(self, shipped_config: Path) -> None:
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "bot", "simulate", "--config", str(shipped_config),
             "--script", "-", "--at", "2026-11-25T07:00Z"],
            input="/summary\n/subscribe 08:00\n:advance 1d\n",
            capture_output=True, text=True, timeout=60,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        assert result.returncode == 0, result.stderr
        assert "» :advance 1d" in result.stdout
        assert "[⏰ push at 2026-11-25 08:00 UTC]" in result.stdout
        assert "Your digest · 1 new briefing" in result.stdout
        assert "\033[" not in result.stdout  # piped output is plain text
        assert elapsed < 30

    async def test_a_handler_error_makes_the_exit_code_non_zero(
        self, config: Config, tmp_path: Path
    ) -> None:
        api = FakeBotAPI()
        async with SimulatedBot(config, storage_path=tmp_path / "s.db", start=T0, api=api) as bot:
            out = io.StringIO()
            sim = Simulator(bot, out, ansi=False, chat=1001)
            await sim.run_script(["/summary\n"])
            assert sim.exit_code == 0
            api.fail("sendMessage", times=2, status=400, description="Bad Request: boom")
            await sim.run_script(["/summary\n"])
            assert sim.exit_code == 1
            bot.errors.clear()


class TestMetaCommands:
    """Lines starting with a colon steer the simulation."""

    @pytest.fixture
    async def sim(self, config: Config, tmp_path: Path) -> AsyncIterator[Simulator]:
        async with SimulatedBot(config, storage_path=tmp_path / "s.db", start=T0) as bot:
            yield Simulator(bot, io.StringIO(), ansi=False, chat=1001)

    def output(self, sim: Simulator) -> str:
        assert isinstance(sim.out, io.StringIO)
        return sim.out.getvalue()

    async def test_press_a_button(self, sim: Simulator) -> None:
        await sim.handle("/summary")
        await sim.handle(":press 2")
        assert "(pressed “💬 Quotes”)" in self.output(sim)
        assert "│ We cannot allow President [Vladimir] Putin" in self.output(sim)

    async def test_press_without_buttons_or_out_of_range(self, sim: Simulator) -> None:
        await sim.handle(":press 1")
        await sim.handle("/summary")
        await sim.handle(":press 9")
        assert "(no buttons to press)" in self.output(sim)
        assert "(press a button from 1 to 5)" in self.output(sim)

    async def test_group_chat(self, sim: Simulator) -> None:
        await sim.handle(":group")
        await sim.handle("/subscribe")
        assert "now in group chat" in self.output(sim)
        assert "Subscribed" in self.output(sim)

    async def test_clock(self, sim: Simulator) -> None:
        await sim.handle(":advance 90m")
        await sim.handle(":at 2026-11-24T00:00")
        await sim.handle(":advance soon")
        await sim.handle(":now")
        text = self.output(sim)
        assert (
            "clock moved from 2026-11-25 07:00 to 2026-11-25 08:30 UTC; no digests were due" in text
        )
        assert "(the clock only moves forwards)" in text
        assert "not a duration: 'soon'" in text
        assert "(virtual time 2026-11-25 08:30 UTC)" in text

    async def test_unknown_meta_command(self, sim: Simulator) -> None:
        await sim.handle(":dance")
        assert "(unknown :dance; :help lists the commands)" in self.output(sim)

    async def test_quit(self, sim: Simulator) -> None:
        await sim.handle(":quit")
        assert sim.done

    async def test_inline_shows_each_result_and_the_message_it_sends(self, sim: Simulator) -> None:
        await sim.handle(":inline ceasefire")
        lines = self.output(sim).splitlines()
        assert lines[0] == "[inline · “ceasefire” · 1 result]"
        assert lines[1].startswith("  1. Ukraine’s allies rally to support it")
        assert lines[2].startswith("     15 March 2025 · British Prime Minister Keir Starmer")
        assert lines[3].startswith("     ┆ Ukraine’s allies rally")
        assert lines[4] == "     ┆ 15 March 2025"
        assert lines[-1] == (
            "     [Open in @briefbot_sim_bot]"
            " <https://t.me/briefbot_sim_bot?start=ukraine-allies-virtual-meeting>"
        )

    async def test_inline_pages_on_with_inline_more(
        self, sim: Simulator, write_briefing: Callable[..., Path]
    ) -> None:
        for n in range(55):
            write_briefing(f"b{n:02d}", "2026-01-01", title=f"Harbour report {n}")
        sim.bot.reload()
        await sim.handle(":inline harbour")
        await sim.handle(":inline-more")
        await sim.handle(":inline-more")
        text = self.output(sim)
        assert "[inline · “harbour” · results 1–50]" in text
        assert "  (more: :inline-more)" in text
        assert "[inline · “harbour” · results 51–55]" in text
        assert text.endswith("  (no more inline results; :inline QUERY first)\n")

    async def test_inline_from_a_group_and_with_nothing_found(self, sim: Simulator) -> None:
        await sim.handle(":group")
        await sim.handle(":inline")
        await sim.handle(":inline <b> zanzibar &")
        text = self.output(sim)
        assert "[inline · no query · 1 result]" in text
        assert "[inline · “<b> zanzibar &” · no results]" in text

    async def test_pressing_share_shows_what_inline_mode_offers(self, sim: Simulator) -> None:
        await sim.handle("/summary")
        await sim.handle(":press 5")
        text = self.output(sim)
        assert "(pressed “↗ Share”)" in text
        assert "[inline · “ukraine-allies-virtual-meeting” · 1 result]" in text

    async def test_help_lists_inline(self, sim: Simulator) -> None:
        await sim.handle(":help")
        assert ":inline QUERY" in self.output(sim)
        assert ":inline-more" in self.output(sim)


class TestDraftingMetaCommands:
    """:paste, :send and :forward give an article to the bot as an admin would."""

    @pytest.fixture
    async def sim(self, config: Config, tmp_path: Path) -> AsyncIterator[Simulator]:
        admin = config.model_copy(update={"admins": [1001]})
        async with SimulatedBot(admin, storage_path=tmp_path / "s.db", start=T0) as bot:
            yield Simulator(bot, io.StringIO(), ansi=False, chat=1001)

    def output(self, sim: Simulator) -> str:
        assert isinstance(sim.out, io.StringIO)
        return sim.out.getvalue()

    async def test_paste_sends_the_lines_as_one_article(self, sim: Simulator) -> None:
        lines = [
            ":paste",
            "# Tram line approved",
            "",
            "The council voted.",
            "",
            "Work starts.",
            ":end",
        ]
        await sim.run_script(line + "\n" for line in lines)
        text = self.output(sim)
        assert "» # Tram line approved\n»\n» The council voted." in text
        assert "  📄 tram-line-approved.yaml (" in text
        assert "  ┆ title: '# Tram line approved'" in text
        assert "[1] ✅ Publish   [2] 👁 Preview   [3] 🗑 Discard" in text
        await sim.handle(":press 1")
        await sim.handle(":press 1")
        assert "[toast] Published." in self.output(sim)
        assert "[toast] This draft is no longer pending" in self.output(sim)

    async def test_forwarded_parts_wait_for_the_next_line(self, sim: Simulator) -> None:
        await sim.run_script([":forward Tram line approved\n", ":forward The council voted.\n"])
        text = self.output(sim)
        assert text.index("» :forward The council voted.") < text.index("(a few seconds later)")
        assert "joined from 2 messages" in text

    async def test_empty_paste_missing_file_and_group(self, sim: Simulator) -> None:
        for line in (":paste", ":end", ":send no-such-file.txt", ":group", ":forward x"):
            await sim.handle(line)
        text = self.output(sim)
        assert "(nothing was pasted)" in text
        assert "(cannot read no-such-file.txt: No such file or directory)" in text
        assert "(forwarded articles are read in a private chat; :private first)" in text

    async def test_send_a_file(self, sim: Simulator, tmp_path: Path) -> None:
        article = tmp_path / "tram.md"
        article.write_text("Tram line approved\n\nThe council voted.\n", encoding="utf-8")
        await sim.handle(f":send {article}")
        assert "📄 tram-line-approved.yaml" in self.output(sim)


class TestTerminalRendering:
    """HTML is shown with terminal styles on a TTY and as plain text when piped."""

    HTML = '<b>Bold</b> and <i>it</i> <a href="https://x.org/?a=1&amp;b=2">link</a> 5 &lt; 6'

    def test_plain(self) -> None:
        assert render_for_terminal(self.HTML, ansi=False) == (
            "Bold and it link <https://x.org/?a=1&b=2> 5 < 6"
        )

    def test_ansi(self) -> None:
        styled = render_for_terminal(self.HTML, ansi=True)
        assert "\033[0m\033[1mBold\033[0m" in styled
        assert "\033[0m\033[3mit\033[0m" in styled

    def test_blockquote_lines_are_marked(self) -> None:
        text = render_for_terminal("<b>A</b>\n<blockquote>one\ntwo</blockquote>\nafter", False)
        assert text == "A\n│ one\n│ two\nafter"

    @pytest.mark.parametrize(("text", "minutes"), [("30m", 30), ("2h", 120), ("1d", 1440)])
    def test_durations(self, text: str, minutes: int) -> None:
        assert parse_duration(text).total_seconds() == minutes * 60
