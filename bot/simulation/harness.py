"""The real application driven in-process: feed it updates, see what it sends.

`SimulatedBot` builds briefbot exactly as `briefbot run` does (same services, handlers,
rendering and storage), but talks to a `FakeBotAPI` instead of Telegram and reads time from a
`ManualClock`. The simulator's terminal and the test suite both drive the bot through it.
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from telegram import Update

from bot.application import build_application, create_services
from bot.briefing.library import BriefingLibrary
from bot.clock import ManualClock
from bot.config import Config
from bot.context import BotApplication, BotServices
from bot.digest.runner import RunStats
from bot.handlers.drafting import close_article_window
from bot.simulation.fake_api import FakeBotAPI, FakeRequest, InlineAnswer, SentMessage
from bot.simulation.updates import UpdateFactory

_log = logging.getLogger(__name__)

DEFAULT_PRIVATE_CHAT = 1001
DEFAULT_GROUP_CHAT = -100200300
DEFAULT_USER = 1001


class SimulatedBot:
    """briefbot's real `Application` wired to a fake Bot API and a hand-moved clock."""

    def __init__(
        self,
        config: Config,
        *,
        storage_path: Path | str | None,
        start: dt.datetime,
        api: FakeBotAPI | None = None,
        library: BriefingLibrary | None = None,
        rate_limit: bool = False,
        watch: bool = False,
        load: bool = True,
    ) -> None:
        self.clock = ManualClock(start)
        self.api = api or FakeBotAPI(clock=lambda: self.clock.now().timestamp())
        self.updates = UpdateFactory(
            clock=lambda: self.clock.now().timestamp(),
            bot_id=self.api.bot_id,
            bot_username=self.api.username,
        )
        self.token = self.api.token
        self.services: BotServices = create_services(
            config, self.clock, storage_path=storage_path, library=library, load=load
        )
        self.application: BotApplication = build_application(
            self.services,
            self.token,
            request=FakeRequest(self.api),
            updates_request=FakeRequest(self.api),
            rate_limit=rate_limit,
            jobs=False,
            watch=watch,
        )

    async def __aenter__(self) -> Self:
        await self.application.initialize()
        if self.application.post_init is not None:
            await self.application.post_init(self.application)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.application.shutdown()
        if self.application.post_shutdown is not None:
            await self.application.post_shutdown(self.application)

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised by handlers so far."""
        return self.services.handler_errors

    async def feed(self, update: dict[str, Any]) -> list[SentMessage]:
        """Process one update; return what the bot sent (or edited) because of it."""
        before = len(self.api.sent)
        await self.application.process_update(Update.de_json(update, self.application.bot))
        return self.api.sent[before:]

    async def say(
        self,
        text: str,
        *,
        chat_id: int = DEFAULT_PRIVATE_CHAT,
        user_id: int | None = None,
        chat_type: str | None = None,
    ) -> list[SentMessage]:
        """A user writes `text` in a chat (private unless the id is negative)."""
        kind = chat_type or ("private" if chat_id > 0 else "supergroup")
        self.api.register_chat(chat_id, kind, None if kind == "private" else "Simulated group")
        title = None if kind == "private" else "Simulated group"
        update = self.updates.message(
            text, chat_id=chat_id, user_id=user_id, chat_type=kind, chat_title=title
        )
        return await self.feed(update)

    async def send_document(
        self,
        data: bytes,
        file_name: str,
        *,
        chat_id: int = DEFAULT_PRIVATE_CHAT,
        user_id: int | None = None,
        size: int | None = None,
    ) -> list[SentMessage]:
        """A user sends a file in a private chat; `size` overrides the size Telegram reports."""
        self.api.register_chat(chat_id, "private")
        document = self.api.add_file(data, file_name, _mime_type(file_name)).document()
        if size is not None:
            document["file_size"] = size
        return await self.feed(self.updates.document(document, chat_id=chat_id, user_id=user_id))

    async def forward(
        self, text: str, *, chat_id: int = DEFAULT_PRIVATE_CHAT, user_id: int | None = None
    ) -> list[SentMessage]:
        """A user forwards a text message into a private chat with the bot."""
        self.api.register_chat(chat_id, "private")
        return await self.feed(self.updates.forwarded(text, chat_id=chat_id, user_id=user_id))

    async def add_channel(
        self,
        chat_id: int,
        username: str,
        *,
        title: str | None = None,
        admins: tuple[int, ...] = (DEFAULT_USER,),
        can_post: bool = True,
    ) -> list[SentMessage]:
        """The first of `admins` (the owner) adds the bot to a channel as an administrator."""
        self.api.register_chat(chat_id, "channel", title or username.title(), username=username)
        self.api.set_chat_admins(chat_id, admins)
        return await self.set_channel_rights(chat_id, admin=True, can_post=can_post, by=admins[0])

    async def set_channel_rights(
        self, chat_id: int, *, admin: bool, can_post: bool = True, by: int = DEFAULT_USER
    ) -> list[SentMessage]:
        """A channel's admin promotes, restricts or removes the bot; it gets `my_chat_member`."""
        bot_id = self.api.bot_id
        old = self.api.channel_member_json(chat_id, bot_id)
        self.api.set_bot_rights(chat_id, admin=admin, can_post=can_post)
        new = self.api.channel_member_json(chat_id, bot_id)
        chat = self.api.chat_json(chat_id)
        return await self.feed(self.updates.my_chat_member(chat, old, new, user_id=by))

    async def close_article_windows(self) -> list[SentMessage]:
        """Let the few seconds pass after article parts: each chat's waiting article is drafted.

        The running bot does this on the JobQueue, which the simulation does not run.
        """
        before = len(self.api.sent)
        for chat_id in self.services.article_parts.waiting():
            try:
                await close_article_window(self.application.bot, self.services, chat_id)
            except Exception as error:  # as the application's error handler would
                self.services.handler_errors.append(error)
                _log.error("error while drafting an article", exc_info=error)
        return self.api.sent[before:]

    async def press(
        self, message: SentMessage, data: str, *, user_id: int | None = None
    ) -> list[SentMessage]:
        """A user presses the inline button with callback data `data` under `message`."""
        kind = "private" if message.chat_id > 0 else "supergroup"
        update = self.updates.callback(
            data,
            chat_id=message.chat_id,
            message_id=message.message_id,
            user_id=user_id,
            chat_type=kind,
            message_text=message.visible_text,
        )
        return await self.feed(update)

    async def inline(
        self,
        query: str,
        offset: str = "",
        *,
        user_id: int = DEFAULT_USER,
        chat_type: str | None = "sender",
    ) -> InlineAnswer | None:
        """A user types `@<bot> query` in a chat; the bot's answer (None if it gave none)."""
        update = self.updates.inline_query(
            query, offset=offset, user_id=user_id, chat_type=chat_type
        )
        query_id = update["inline_query"]["id"]
        await self.feed(update)
        answers = [a for a in self.api.inline_answers if a.inline_query_id == query_id]
        return answers[-1] if answers else None

    async def advance(self, delta: dt.timedelta) -> tuple[list[SentMessage], RunStats]:
        """Move the clock on and push the digests that fell due, as the digest tick would."""
        return await self.travel_to(self.clock.now() + delta)

    async def travel_to(self, moment: dt.datetime) -> tuple[list[SentMessage], RunStats]:
        """Move the clock to `moment`, pushing every digest that falls due on the way."""
        sent: list[SentMessage] = []
        total = RunStats()
        async for pushed, stats in self.steps_to(moment):
            sent += pushed
            _add(total, stats)
        return sent, total

    async def steps_to(
        self, moment: dt.datetime
    ) -> AsyncIterator[tuple[list[SentMessage], RunStats]]:
        """Move the clock to `moment` one due time at a time, as if the bot had been running.

        Yields what each stop pushed, while the clock still shows that stop's time.
        """
        store, runner = self.services.store, self.services.runner
        while (due := store.next_due_time()) is not None and due <= moment:
            self.clock.set(max(due, self.clock.now()))
            before = len(self.api.sent)
            stats = await runner.run_due()
            yield self.api.sent[before:], stats
            if stats.due == 0:  # nothing could be done at this time; don't spin on it
                break
        self.clock.set(moment)
        before = len(self.api.sent)
        stats = await runner.run_due()
        yield self.api.sent[before:], stats

    def reload(self) -> None:
        """Pick up changed briefing files now, as the reload job would."""
        self.services.library.reload()


def _mime_type(file_name: str) -> str:
    return mimetypes.guess_type(file_name)[0] or "application/octet-stream"


def _add(total: RunStats, more: RunStats) -> None:
    for name in vars(total):
        setattr(total, name, getattr(total, name) + getattr(more, name))


def buttons(message: SentMessage) -> list[tuple[str, str]]:
    """The inline buttons under a message: (label, callback data), row by row."""
    markup = message.reply_markup or {}
    return [
        (button["text"], button.get("callback_data", button.get("url", "")))
        for row in markup.get("inline_keyboard", [])
        for button in row
    ]


def switch_inline_query(message: SentMessage, index: int) -> str | None:
    """The query a button (numbered as in `buttons`) types in inline mode, if it is such a one."""
    markup = message.reply_markup or {}
    row_buttons = [button for row in markup.get("inline_keyboard", []) for button in row]
    if not 0 <= index < len(row_buttons):
        return None
    query = row_buttons[index].get("switch_inline_query")
    return query if isinstance(query, str) else None
