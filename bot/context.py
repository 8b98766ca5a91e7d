"""What handlers and jobs can reach: the services, injected through a typed callback context."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self, cast

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.briefing.index_store import BriefingIndex
from bot.briefing.library import BriefingLibrary
from bot.briefing.memo import BriefingMemo
from bot.clock import Clock
from bot.config import Config
from bot.digest.planner import DigestPlanner
from bot.digest.runner import DigestRunner
from bot.drafting.inbox import ArticleParts
from bot.i18n import Translator, choose
from bot.ops.health import HealthState
from bot.ops.metrics import Metrics
from bot.storage import StorageUnavailable, Store

if TYPE_CHECKING:
    from bot.replicas import ReplicaState

SERVICES_KEY = "services"


@dataclass
class BotServices:
    """The bot's long-lived parts, built once in `bot.application` and shared by every handler."""

    config: Config
    library: BriefingLibrary
    store: Store
    planner: DigestPlanner
    runner: DigestRunner
    clock: Clock
    started_at: dt.datetime
    handler_errors: list[BaseException] = field(default_factory=list)
    article_parts: ArticleParts = field(default_factory=ArticleParts)
    index: BriefingIndex | None = None  # the library's persistent index, closed on shutdown
    metrics: Metrics = field(default_factory=Metrics)
    health: HealthState = field(default_factory=HealthState)
    # Set by `briefbot run`: this process's row among the replicas sharing the database.
    replica: ReplicaState | None = None
    # Rendered summaries and section pages, with their buttons, by briefing and language.
    answers: BriefingMemo[tuple[str, InlineKeyboardMarkup | None]] = field(
        default_factory=BriefingMemo
    )

    def is_admin(self, user_id: int | None) -> bool:
        """Whether this Telegram user may use admin commands."""
        return user_id is not None and user_id in self.config.admins


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The callback context of briefbot's handlers: the usual context, plus `services`."""

    _language_code: str | None = None  # the Telegram language of the update's user
    _translator: Translator | None = None

    @property
    def services(self) -> BotServices:
        """The bot's services."""
        return cast(BotServices, self.bot_data[SERVICES_KEY])

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> Self:
        """The context of one update; it keeps the user's Telegram language for `tr`."""
        context = super().from_update(update, application)
        user = update.effective_user if isinstance(update, Update) else None
        context._language_code = user.language_code if user else None
        return context

    @property
    def tr(self) -> Translator:
        """The chat's language: its `/language` choice, else the user's, else English."""
        cached = self._translator
        if cached is None:
            chat_id = self._chat_id
            choice = None
            if chat_id is not None:
                # Without the database (it logged that once), the user's own language will do.
                with contextlib.suppress(StorageUnavailable):
                    choice = self.services.store.chat_language(chat_id)
            cached = choose(choice, self._language_code)
            self._translator = cached
        return cached

    def forget_language(self) -> None:
        """Resolve the language again (after the chat changed it)."""
        self._translator = None


BotApplication = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]
