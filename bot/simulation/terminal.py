"""`briefbot simulate`: the whole bot in a terminal, with no Telegram and a clock you move.

What you type is sent as a user's message; the bot's answers are shown as Telegram would show
them (bold, italic, links and quotes styled when the output is a terminal, plain text when it is
piped). Lines starting with ``:`` steer the simulation; ``:help`` lists them. With ``--script``
the inputs come from a file and a deterministic transcript is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar, TextIO

from bot.briefing.library import BriefingLibrary
from bot.config import Config
from bot.simulation.fake_api import SentMessage
from bot.simulation.harness import (
    DEFAULT_GROUP_CHAT,
    DEFAULT_PRIVATE_CHAT,
    DEFAULT_USER,
    SimulatedBot,
    buttons,
)

META_HELP = """\
:help              this list
:press N           press button N under the last message that has buttons
:chat ID           speak in chat ID (negative ids are groups)
:group / :private  switch to the simulated group / private chat
:advance 2h        move the clock on (s, m, h, d; e.g. 90m, 1d); due digests are pushed
:at 2026-11-26T08:00   move the clock to a time (UTC unless an offset is given)
:now               show the virtual time
:reload            re-read the briefings folder now
:paste             the next lines, up to :end, are sent as one message (an article, for admins)
:send FILE         send a file (.txt/.html/.md article or edited .yaml draft)
:forward TEXT      forward a message; forwarded parts in a row are joined into one article
:quit              leave (Ctrl-D works too)"""

DOCUMENT_LINES_SHOWN = 30
"""Lines of a file the bot sends that are shown; the rest is counted."""

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class _Styler(HTMLParser):
    """Telegram HTML to terminal text; ANSI styles only when `ansi` is set."""

    _STYLES: ClassVar[dict[str, str]] = {
        "b": "1", "strong": "1", "i": "3", "em": "3", "u": "4", "ins": "4",
        "s": "9", "strike": "9", "del": "9", "code": "36", "pre": "36",
        "tg-spoiler": "7", "span": "7", "a": "4;34",
    }  # fmt: skip

    def __init__(self, ansi: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.ansi = ansi
        self.out: list[str] = []
        self._stack: list[str] = []
        self._href: list[str | None] = []
        self._quote = False

    def _restyle(self) -> None:
        if self.ansi:
            codes = ";".join(self._STYLES[t] for t in self._stack if t in self._STYLES)
            self.out.append("\033[0m" + (f"\033[{codes}m" if codes else ""))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "blockquote":
            self._quote = True
            self.out.append("\n" if self.out and not self.out[-1].endswith("\n") else "")
            self.out.append("│ ")
            return
        if tag == "a":
            self._href.append(dict(attrs).get("href"))
        self._stack.append(tag)
        self._restyle()

    def handle_endtag(self, tag: str) -> None:
        if tag == "blockquote":
            self._quote = False
            return
        if tag == "a":
            href = self._href.pop() if self._href else None
            if href:
                self._stack.remove("a")
                self._restyle()
                self.out.append(f" <{href}>")
                return
        if tag in self._stack:
            self._stack.remove(tag)
        self._restyle()

    def handle_data(self, data: str) -> None:
        if self._quote:
            data = data.replace("\n", "\n│ ")
        self.out.append(data)

    def text(self) -> str:
        return "".join(self.out) + ("\033[0m" if self.ansi else "")


def render_for_terminal(html: str, ansi: bool) -> str:
    """What a chat would show for an HTML message, as terminal text."""
    styler = _Styler(ansi)
    styler.feed(html)
    styler.close()
    return styler.text()


def parse_duration(text: str) -> dt.timedelta:
    """`2h`, `90m`, `1d`, `30s` as a timedelta."""
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise ValueError(f"not a duration: {text!r} (try 30m, 2h or 1d)")
    return dt.timedelta(**{_UNITS[match[2]]: float(match[1])})


def parse_moment(text: str) -> dt.datetime:
    """An ISO date-time; UTC unless it carries an offset."""
    value = text.strip().replace("Z", "+00:00")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO date-time: {text!r} (try 2026-11-26T08:00)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@dataclass
class _Chat:
    chat_id: int
    user_id: int


class Simulator:
    """Turns input lines into messages for the bot and prints what comes back."""

    def __init__(self, bot: SimulatedBot, out: TextIO, *, ansi: bool, chat: int) -> None:
        self.bot = bot
        self.out = out
        self.ansi = ansi
        self.chat = _Chat(chat, DEFAULT_USER)
        self.last_with_buttons: SentMessage | None = None
        self.done = False
        self.pasting: list[str] | None = None

    def _print(self, text: str = "") -> None:
        print(text, file=self.out)

    def _show(self, messages: Iterable[SentMessage], pushed: bool = False) -> None:
        for message in messages:
            where = "" if message.chat_id == self.chat.chat_id else f" → chat {message.chat_id}"
            label = "edited" if message.method == "editMessageText" else "bot"
            if pushed:
                label = f"⏰ push at {self.clock_text()}"
            self._print(f"[{label}{where}]")
            if message.document is not None:
                self._show_document(message.document_name or "file", message.document)
            body = (
                render_for_terminal(message.text, self.ansi) if message.parse_mode else message.text
            )
            for line in body.splitlines():
                self._print(f"  {line}")
            keys = buttons(message)
            if keys:
                self.last_with_buttons = message
                row = "   ".join(f"[{i}] {label}" for i, (label, _) in enumerate(keys, 1))
                self._print(f"  {row}")
        self.out.flush()

    def _show_document(self, name: str, data: bytes) -> None:
        self._print(f"  📄 {name} ({len(data):,} bytes)")
        lines = data.decode("utf-8", "replace").splitlines()
        for line in lines[:DOCUMENT_LINES_SHOWN]:
            self._print(f"  ┆ {line}".rstrip())
        if len(lines) > DOCUMENT_LINES_SHOWN:
            self._print(f"  ┆ … {len(lines) - DOCUMENT_LINES_SHOWN} more lines")

    def clock_text(self) -> str:
        """The virtual time, as shown to the user."""
        return f"{self.bot.clock.now():%Y-%m-%d %H:%M} UTC"

    @property
    def exit_code(self) -> int:
        """1 if any handler raised during the session, else 0."""
        return 1 if self.bot.errors else 0

    async def run_script(self, lines: Iterable[str]) -> None:
        """Feed each line in turn, echoing the inputs: a transcript."""
        for line in lines:
            meaningful = line.strip() and not line.lstrip().startswith("#")
            if self.pasting is None and meaningful and not _is_forward(line):
                await self._close_windows()  # before the echo: the seconds passed before this line
            if self.pasting is not None or meaningful:
                self._print(f"» {line.rstrip()}".rstrip())
            await self.handle(line)
            if self.done:
                break
        await self._close_windows()

    async def run_interactive(self) -> None:
        """Prompt for lines until :quit or end of input."""
        library = self.bot.services.library
        self._print(f"briefbot simulation · {len(library)} briefings · chat {self.chat.chat_id}")
        self._print(f"virtual time {self.clock_text()} · type /help, or :help for the simulator")
        loop = asyncio.get_running_loop()
        while not self.done:
            prompt = "… " if self.pasting is not None else "» "
            try:
                line = await loop.run_in_executor(None, input, prompt)
            except EOFError:
                self._print()
                break
            await self.handle(line)

    async def handle(self, line: str) -> None:
        """Act on one input line."""
        if self.pasting is not None:
            if line.strip().lower() != ":end":
                self.pasting.append(line.rstrip("\r\n"))
                return
            text, self.pasting = "\n".join(self.pasting).strip(), None
            if text:
                await self._say(text)
            else:
                self._print("  (nothing was pasted)")
            return
        line = line.strip()
        if not line or line.startswith("#"):
            return
        if not _is_forward(line):
            await self._close_windows()
        if line.startswith(":"):
            await self._meta(line)
            return
        await self._say(line)

    async def _say(self, text: str) -> None:
        kind = "private" if self.chat.chat_id > 0 else "supergroup"
        if kind != "private":
            self.bot.api.set_chat_admins(self.chat.chat_id, [self.chat.user_id])
        sent = await self.bot.say(
            text, chat_id=self.chat.chat_id, user_id=self.chat.user_id, chat_type=kind
        )
        sent += await self.bot.close_article_windows()
        self._show(sent)
        if not sent:
            self._print("  (no answer)")

    async def _close_windows(self) -> None:
        """Article parts forwarded in a row: the seconds pass, and the bot drafts them."""
        if self.bot.services.article_parts.waiting():
            self._print("  (a few seconds later)")
            self._show(await self.bot.close_article_windows())

    async def _send_file(self, arg: str) -> None:
        if self.chat.chat_id < 0:
            raise ValueError("files are read in a private chat; :private first")
        name, data = await asyncio.to_thread(_read_file, arg.strip())
        sent = await self.bot.send_document(
            data, name, chat_id=self.chat.chat_id, user_id=self.chat.user_id
        )
        self._show(sent)
        if not sent:
            self._print("  (no answer)")

    async def _forward(self, text: str) -> None:
        if not text.strip():
            raise ValueError("forward what? :forward TEXT")
        if self.chat.chat_id < 0:
            raise ValueError("forwarded articles are read in a private chat; :private first")
        sent = await self.bot.forward(
            text.strip(), chat_id=self.chat.chat_id, user_id=self.chat.user_id
        )
        self._show(sent)
        if not sent and not self.bot.services.article_parts.waiting():
            self._print("  (no answer)")

    async def _meta(self, line: str) -> None:
        command, _, arg = line[1:].partition(" ")
        command = command.lower()
        try:
            if command in {"quit", "q", "exit"}:
                self.done = True
            elif command == "help":
                self._print(META_HELP)
            elif command == "press":
                await self._press(arg)
            elif command == "paste":
                self.pasting = []
            elif command == "send":
                await self._send_file(arg)
            elif command == "forward":
                await self._forward(arg)
            elif command == "chat":
                self.chat.chat_id = int(arg)
                self._print(f"  (now in chat {self.chat.chat_id})")
            elif command == "group":
                self.chat.chat_id = DEFAULT_GROUP_CHAT
                self._print(f"  (now in group chat {DEFAULT_GROUP_CHAT})")
            elif command == "private":
                self.chat.chat_id = DEFAULT_PRIVATE_CHAT
                self._print(f"  (now in private chat {DEFAULT_PRIVATE_CHAT})")
            elif command == "advance":
                await self._travel(self.bot.clock.now() + parse_duration(arg))
            elif command == "at":
                await self._travel(parse_moment(arg))
            elif command == "now":
                self._print(f"  (virtual time {self.clock_text()})")
            elif command == "reload":
                self.bot.reload()
                count, errors = len(self.bot.services.library), self.bot.services.library.errors
                self._print(f"  (reloaded: {count} briefings, {len(errors)} errors)")
                for error in errors:
                    self._print(f"  {error}")
            else:
                self._print(f"  (unknown :{command}; :help lists the commands)")
        except ValueError as exc:
            self._print(f"  ({exc})")

    async def _press(self, arg: str) -> None:
        message = self.last_with_buttons
        keys = buttons(message) if message else []
        if message is None or not keys:
            self._print("  (no buttons to press)")
            return
        if not arg.strip().isdecimal() or not 1 <= int(arg) <= len(keys):
            self._print(f"  (press a button from 1 to {len(keys)})")
            return
        label, data = keys[int(arg) - 1]
        self._print(f"  (pressed “{label}”)")
        requests = len(self.bot.api.requests)
        self._show(await self.bot.press(message, data, user_id=self.chat.user_id))
        for request in self.bot.api.requests[requests:]:
            if request.method == "answerCallbackQuery" and request.params.get("text"):
                self._print(f"  (toast: {request.params['text']})")

    async def _travel(self, moment: dt.datetime) -> None:
        bot = self.bot
        if moment < bot.clock.now():
            self._print("  (the clock only moves forwards)")
            return
        start = bot.clock.now()
        pushed = 0
        # Each push is shown while the clock still shows the time it went out.
        async for sent, _ in bot.steps_to(moment):
            self._show(sent, pushed=True)
            pushed += len(sent)
        note = "" if pushed else "; no digests were due"
        self._print(f"  (clock moved from {start:%Y-%m-%d %H:%M} to {self.clock_text()}{note})")


def _read_file(arg: str) -> tuple[str, bytes]:
    path = Path(arg).expanduser()
    try:
        return path.name, path.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read {arg}: {exc.strerror or exc}") from None


def _is_forward(line: str) -> bool:
    return line.strip().lower().startswith(":forward")


@contextmanager
def _state_file(path: Path | None) -> Iterator[Path]:
    if path is not None:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="briefbot-sim-") as folder:
        yield Path(folder) / "state.sqlite3"


def _lines(script: str) -> Iterator[str]:
    stream = sys.stdin if script == "-" else open(script, encoding="utf-8")  # noqa: SIM115
    with stream:
        yield from stream


async def _run(config: Config, args: argparse.Namespace, state: Path, published: Path) -> int:
    start = parse_moment(args.at) if args.at else dt.datetime.now(dt.UTC).replace(microsecond=0)
    chat = args.chat_id or (DEFAULT_GROUP_CHAT if args.group else DEFAULT_PRIVATE_CHAT)
    # Drafts published in a simulation go on air from a folder of their own, read alongside the
    # configured one, and vanish with the simulation: a preview never edits the briefings.
    library = BriefingLibrary([config.briefings.dir, published])
    library.reload()
    # The person at the keyboard is the editor: they may use the admin commands.
    config = config.model_copy(
        update={
            "admins": [*config.admins, DEFAULT_USER],
            "briefings": config.briefings.model_copy(update={"dir": published}),
        }
    )
    scripted = args.script is not None
    async with SimulatedBot(config, storage_path=state, start=start, library=library) as bot:
        sim = Simulator(bot, sys.stdout, ansi=not scripted and sys.stdout.isatty(), chat=chat)
        for problem in bot.services.library.errors:
            print(f"briefing not loaded: {problem}", file=sys.stderr)
        if scripted:
            await sim.run_script(_lines(args.script))
        else:
            await sim.run_interactive()
        for error in bot.errors:
            print(f"handler error: {type(error).__name__}: {error}", file=sys.stderr)
        return sim.exit_code


def run_simulation(config: Config, args: argparse.Namespace) -> int:
    """Run the simulator; the exit code is 1 if any handler raised."""
    with (
        _state_file(args.state) as state,
        tempfile.TemporaryDirectory(prefix="briefbot-sim-published-") as published,
    ):
        return asyncio.run(_run(config, args, state, Path(published)))
