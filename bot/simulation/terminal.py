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
import io
import re
import shutil
import signal
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar, TextIO

from bot.briefing.library import BriefingLibrary
from bot.briefing.render import plural
from bot.config import Config
from bot.exits import EXIT_CONFIG, EXIT_ERRORS
from bot.simulation.fake_api import SentMessage
from bot.simulation.harness import (
    DEFAULT_GROUP_CHAT,
    DEFAULT_PRIVATE_CHAT,
    DEFAULT_USER,
    SimulatedBot,
    buttons,
    switch_inline_query,
)

META_HELP = """\
:help              this list
:press N           press button N under the last message that has buttons
:chat ID           speak in chat ID (negative ids are groups)
:group / :private  switch to the simulated group / private chat
:advance 2h        move the clock on (s, m, h, d: 90m, 1d, at most 3650d); due digests are pushed
:at 2026-11-26T08:00   move the clock to a time (UTC unless an offset is given)
:now               show the virtual time
:reload            re-read the briefings folder now
:paste             the next lines, up to :end, are sent as one message (an article, for admins)
:send FILE         send a file (.txt/.html/.md article or edited .yaml draft)
:forward TEXT      forward a message; forwarded parts in a row are joined into one article
:inline QUERY      what typing "@bot QUERY" in this chat offers (inline mode); no query: newest
:inline-more       the next page of those results
:channel add @NAME     make a channel with you as its admin, and add the bot as an admin there
:channel mute @NAME    the bot stays an admin of the channel but may no longer post
:channel remove @NAME  remove the bot from the channel
:lang uk           act as a user whose Telegram app is in that language (uk, fr, en, …)
:quit              leave (Ctrl-D works too, exit code 0)
Ctrl-C             leave at once (exit code 130)"""

CHANNEL_ID_BASE = -1009000000001
"""The id of the first simulated channel; the next ones count down."""

DOCUMENT_LINES_SHOWN = 30
"""Lines of a file the bot sends that are shown; the rest is counted."""

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# One move of the clock may span ten years: every digest due on the way is run, one by one.
MAX_TRAVEL = dt.timedelta(days=3650)
# Telegram dates are Unix times, and schedules look a year ahead: keep well inside datetime.
CLOCK_MIN = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
CLOCK_MAX = dt.datetime(9998, 12, 31, 23, 59, tzinfo=dt.UTC)
# Telegram chat ids have at most 52 significant bits.
MAX_CHAT_ID = 2**52
_ANSI = re.compile(r"\033\[[0-9;]*m")
_RESET = "\033[0m"
# Runs of spaces, and words with any style codes inside them (the codes hold no spaces).
_TOKEN = re.compile(r" +|[^ ]+")


NOT_TEXT = "  (not UTF-8 text, or control characters; nothing was sent)"


def _undecodable(line: str) -> bool:
    """True for bytes that were not UTF-8 (read with surrogate escapes) or control characters.

    Control characters are what arrow keys send where there is no line editing (``^[[A``).
    """
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return any(unicodedata.category(c) == "Cc" and c != "\t" for c in line)


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


def _width(text: str) -> int:
    """Columns `text` takes in a terminal: ANSI codes take none, wide characters two."""
    plain = _ANSI.sub("", text)
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in plain
    )


def wrap_line(line: str, width: int) -> list[str]:
    """`line` broken at spaces to fit `width` columns; continuation lines keep its indent.

    The indent is the leading spaces plus a quote bar (``│ ``) if there is one. A word longer
    than the width stays whole (the terminal breaks it). A style running across a break is
    ended before it and taken up again after the indent, so the indent is never underlined.
    """
    if _width(line) <= width:
        return [line]
    indent = re.match(r" *(?:│ )?", _ANSI.sub("", line))
    prefix = indent[0] if indent else ""
    indent_width = _width(prefix)
    lines: list[str] = []
    current, used, pending, style = "", 0, "", ""
    for token in _TOKEN.findall(line):
        if token.startswith(" "):
            pending = token
            continue
        size = _width(token)
        # Break only where there was a space, and never right after the indent.
        if pending and used + len(pending) + size > width and used > indent_width:
            lines.append(current + (_RESET if style else ""))
            current, used = prefix + style, indent_width
        else:
            current, used = current + pending, used + len(pending)
        current, used, pending = current + token, used + size, ""
        for code in _ANSI.findall(token):
            style = "" if code == _RESET else style + code
    lines.append(current + pending)
    return lines


def parse_duration(text: str) -> dt.timedelta:
    """`2h`, `90m`, `1d`, `30s` as a timedelta, at most `MAX_TRAVEL`."""
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise ValueError(f"not a duration: {text!r} (try 30m, 2h or 1d)")
    if float(match[1]) * _SECONDS[match[2]] > MAX_TRAVEL.total_seconds():
        raise ValueError(f"{text.strip()} is too far: at most {MAX_TRAVEL.days}d at a time")
    return dt.timedelta(**{_UNITS[match[2]]: float(match[1])})


def parse_moment(text: str) -> dt.datetime:
    """An ISO date-time between `CLOCK_MIN` and `CLOCK_MAX`; UTC unless it carries an offset."""
    value = text.strip().replace("Z", "+00:00")
    try:
        moment = dt.datetime.fromisoformat(value)
        moment = moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    except ValueError:
        raise ValueError(f"not an ISO date-time: {text!r} (try 2026-11-26T08:00)") from None
    except OverflowError:  # the offset moved it past year 1 or 9999
        raise ValueError(f"{text.strip()} is out of range: {_RANGE}") from None
    if not CLOCK_MIN <= moment <= CLOCK_MAX:
        raise ValueError(f"{text.strip()} is out of range: {_RANGE}")
    return moment


_RANGE = f"the virtual clock runs from {CLOCK_MIN:%Y-%m-%d} to {CLOCK_MAX:%Y-%m-%d %H:%M} UTC"


def parse_chat_id(text: str) -> int:
    """A chat id: positive for a private chat, negative for a group."""
    try:
        chat_id = int(text.strip())
    except ValueError:
        raise ValueError(
            f"not a chat id: {text.strip()!r} (try 1002, or -100123 for a group)"
        ) from None
    if chat_id == 0 or abs(chat_id) >= MAX_CHAT_ID:
        raise ValueError(
            f"{chat_id} is not a chat id: private chats are positive, groups negative,"
            " and ids fit in 52 bits"
        )
    return chat_id


@dataclass
class _Chat:
    chat_id: int
    user_id: int


class Simulator:
    """Turns input lines into messages for the bot and prints what comes back."""

    def __init__(
        self, bot: SimulatedBot, out: TextIO, *, ansi: bool, chat: int, width: int | None = None
    ) -> None:
        self.bot = bot
        self.out = out
        self.ansi = ansi
        self.width = width
        self.chat = _Chat(chat, DEFAULT_USER)
        self.last_with_buttons: SentMessage | None = None
        self.done = False
        self.pasting: list[str] | None = None
        self.inline_next: tuple[str, str] | None = None  # the last inline query, its next offset
        self.channels: dict[str, int] = {}  # "@name" (lowercase): its chat id

    def _print(self, text: str = "") -> None:
        if self.width is not None:
            width = self.width
            text = "\n".join(part for line in text.split("\n") for part in wrap_line(line, width))
        print(text, file=self.out)

    def _show(self, messages: Iterable[SentMessage], pushed: bool = False) -> None:
        for message in messages:
            where = "" if message.chat_id == self.chat.chat_id else f" → chat {message.chat_id}"
            label = "edited" if message.method == "editMessageText" else "bot"
            if pushed:
                label = f"⏰ push at {self.clock_text()}"
            channel = self._channel_name(message.chat_id)
            if channel is not None:
                label, where = "post", f" → {channel}"
                if pushed:
                    where += f" at {self.clock_text()}"
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

    def _channel_name(self, chat_id: int) -> str | None:
        return next((name for name, cid in self.channels.items() if cid == chat_id), None)

    async def _channel(self, arg: str) -> None:
        action, _, name = arg.strip().partition(" ")
        name = name.strip().lower()
        if action not in {"add", "mute", "remove"} or not re.fullmatch(
            r"@[a-z][a-z0-9_]{3,31}", name
        ):
            raise ValueError("use :channel add @name, :channel mute @name or :channel remove @name")
        if action == "add":
            chat_id = self.channels.setdefault(name, CHANNEL_ID_BASE - len(self.channels))
            sent = await self.bot.add_channel(chat_id, name[1:], admins=(self.chat.user_id,))
            self._print(f"  (channel {name}, id {chat_id}: you own it, the bot is an admin)")
        elif name not in self.channels:
            raise ValueError(f"there is no channel {name}; :channel add {name} first")
        else:
            chat_id = self.channels[name]
            admin = action == "mute"
            sent = await self.bot.set_channel_rights(
                chat_id, admin=admin, can_post=False, by=self.chat.user_id
            )
            state = f"may no longer post in {name}" if admin else f"was removed from {name}"
            self._print(f"  (the bot {state})")
        self._show(sent)

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
        while not self.done:
            # A Ctrl-C while the last line was handled is a pending cancellation of this task:
            # let it land here, before blocking on the next line.
            await asyncio.sleep(0)
            # Read in this thread, between awaits: Ctrl-C then interrupts the read at once (an
            # executor thread would keep the process waiting for a line), and nothing else runs
            # meanwhile (the simulated bot has no background jobs).
            try:
                line = _read_line("… " if self.pasting is not None else "» ")
            except EOFError:
                self._print()
                break
            except UnicodeDecodeError:
                self._print(NOT_TEXT)
                continue
            except KeyboardInterrupt:
                self._print()
                raise
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
        if _undecodable(line):
            self._print(NOT_TEXT)
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
            elif command == "inline":
                await self._inline(arg.strip())
            elif command == "inline-more":
                await self._inline_more()
            elif command == "channel":
                await self._channel(arg)
            elif command == "chat":
                self.chat.chat_id = parse_chat_id(arg)
                self._print(f"  (now in chat {self.chat.chat_id})")
            elif command == "group":
                self.chat.chat_id = DEFAULT_GROUP_CHAT
                self._print(f"  (now in group chat {DEFAULT_GROUP_CHAT})")
            elif command == "private":
                self.chat.chat_id = DEFAULT_PRIVATE_CHAT
                self._print(f"  (now in private chat {DEFAULT_PRIVATE_CHAT})")
            elif command == "lang":
                self.bot.updates.language_code = parse_language(arg)
                self._print(f"  (now a user whose Telegram language is {arg.strip().lower()})")
            elif command == "advance":
                await self._advance(arg)
            elif command == "at":
                await self._travel(parse_moment(arg))
            elif command == "":
                self._print("  (a command goes right after the colon; :help lists them)")
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
        share = switch_inline_query(message, int(arg) - 1)
        if share is not None:  # Telegram lets the reader pick a chat and types "@bot <id>" there
            await self._inline(share)
            return
        requests = self.bot.api.requests
        before = len(requests)
        sent = await self.bot.press(message, data, user_id=self.chat.user_id)
        # Telegram shows a button's answer as a toast, or as an alert to dismiss.
        for request in requests[before:]:
            text = request.params.get("text")
            if request.method == "answerCallbackQuery" and request.status == 200 and text:
                kind = "alert" if request.params.get("show_alert") in (True, "true") else "toast"
                self._print(f"[{kind}] {text}")
        self._show(sent)

    async def _inline(self, query: str, offset: str = "") -> None:
        kind = "sender" if self.chat.chat_id > 0 else "supergroup"
        answer = await self.bot.inline(query, offset, user_id=self.chat.user_id, chat_type=kind)
        self.inline_next = None
        if answer is None:
            self._print("  (no answer)")
            return
        first = int(offset) if offset.isdecimal() else 0
        shown = f"“{query}”" if query else "no query"
        found = len(answer.results)
        count = f"results {first + 1}–{first + found}"
        if not found:
            count = "no results"
        elif first == 0 and not answer.next_offset:
            count = plural(found, "result")
        self._print(f"[inline · {shown} · {count}]")
        for number, result in enumerate(answer.results, start=first + 1):
            self._print(f"  {number}. {result.title}")
            self._print(f"     {result.description}")
            body = render_for_terminal(result.text, self.ansi) if result.parse_mode else result.text
            for line in body.splitlines():
                self._print(f"     ┆ {line}".rstrip())
            for row in (result.reply_markup or {}).get("inline_keyboard", []):
                for button in row:
                    target = f" <{button['url']}>" if button.get("url") else ""
                    self._print(f"     [{button['text']}]{target}")
        if answer.next_offset:
            self.inline_next = (query, answer.next_offset)
            self._print("  (more: :inline-more)")
        self.out.flush()

    async def _inline_more(self) -> None:
        if self.inline_next is None:
            self._print("  (no more inline results; :inline QUERY first)")
            return
        await self._inline(*self.inline_next)

    async def _advance(self, arg: str) -> None:
        delta = parse_duration(arg)
        if self.bot.clock.now() > CLOCK_MAX - delta:
            self._print(f"  (cannot move the clock past {CLOCK_MAX:%Y-%m-%d %H:%M} UTC)")
            return
        await self._travel(self.bot.clock.now() + delta)

    async def _travel(self, moment: dt.datetime) -> None:
        bot = self.bot
        if moment < bot.clock.now():
            self._print("  (the clock only moves forwards)")
            return
        if moment - bot.clock.now() > MAX_TRAVEL:
            self._print(
                f"  (that is too far: at most {MAX_TRAVEL.days} days at a time;"
                " --at starts the clock anywhere)"
            )
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


def _read_line(prompt: str) -> str:
    """One line from the keyboard; Ctrl-C raises `KeyboardInterrupt` at once.

    asyncio's own Ctrl-C handler only cancels the main task, which a blocking read never
    notices; while waiting for a line, Python's default handler is put back.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return input(prompt)
    finally:
        signal.signal(signal.SIGINT, previous)


class InputError(Exception):
    """A simulator option or script that cannot be used; the message is one line."""


def read_script(script: str) -> list[str]:
    """The lines of a script file (``-`` for stdin); `InputError` if unreadable or not UTF-8."""
    name = "stdin" if script == "-" else script
    try:
        if script == "-":
            stdin = getattr(sys.stdin, "buffer", None)
            data = stdin.read() if stdin is not None else sys.stdin.read().encode()
        else:
            data = Path(script).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{name}: no such script file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, not a script file") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read the script: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{name}:{line}: not UTF-8 text (the script must be UTF-8)") from None
    return text.splitlines(keepends=True)


def parse_language(text: str) -> str:
    """A Telegram `language_code` as typed after `:lang` or `--lang` ("uk", "pt-br")."""
    code = text.strip().lower()
    if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})?", code):
        raise ValueError(f"not a language code: {text.strip()[:20]!r}; for example uk or fr")
    return code


def _options(args: argparse.Namespace) -> tuple[dt.datetime, int]:
    """The start time and chat from the command line; `InputError` if either is unusable."""
    try:
        start = parse_moment(args.at) if args.at else dt.datetime.now(dt.UTC)
    except ValueError as exc:
        raise InputError(f"--at: {exc}") from None
    chat = DEFAULT_GROUP_CHAT if args.group else DEFAULT_PRIVATE_CHAT
    if args.chat_id is not None:
        try:
            chat = parse_chat_id(str(args.chat_id))
        except ValueError as exc:
            raise InputError(f"--chat-id: {exc}") from None
    if getattr(args, "lang", None) is not None:
        try:
            args.lang = parse_language(args.lang)
        except ValueError as exc:
            raise InputError(f"--lang: {exc}") from None
    return start.replace(microsecond=0), chat


async def _run(
    config: Config,
    state: Path,
    published: Path,
    script: list[str] | None,
    start: dt.datetime,
    chat: int,
    language: str | None = None,
) -> int:
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
    interactive = script is None and sys.stdout.isatty()
    width = shutil.get_terminal_size().columns if interactive else None
    async with SimulatedBot(config, storage_path=state, start=start, library=library) as bot:
        if language is not None:
            bot.updates.language_code = language
        sim = Simulator(bot, sys.stdout, ansi=interactive, chat=chat, width=width)
        for problem in bot.services.library.errors:
            print(f"briefing not loaded: {problem}", file=sys.stderr)
        if script is not None:
            await sim.run_script(script)
        else:
            if sys.stdin.isatty():
                import readline  # noqa: F401  - gives input() line editing and history
            if isinstance(sys.stdin, io.TextIOWrapper):
                # Bytes that are not UTF-8 then spoil one line, not the rest of what was read.
                sys.stdin.reconfigure(errors="surrogateescape")
            await sim.run_interactive()
        for error in bot.errors:
            print(f"handler error: {type(error).__name__}: {error}", file=sys.stderr)
        return sim.exit_code


def run_simulation(config: Config, args: argparse.Namespace) -> int:
    """Run the simulator; the exit code is 1 if any handler raised.

    A bad option (``--at``, ``--chat-id``) is one line and exit code 2; a script that is
    missing or not UTF-8 is one line and exit code 1.
    """
    try:
        start, chat = _options(args)
    except InputError as exc:
        print(f"briefbot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        script = read_script(args.script) if args.script is not None else None
    except InputError as exc:
        print(f"briefbot: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    with (
        _state_file(args.state) as state,
        tempfile.TemporaryDirectory(prefix="briefbot-sim-published-") as published,
    ):
        language = getattr(args, "lang", None)
        return asyncio.run(_run(config, state, Path(published), script, start, chat, language))
