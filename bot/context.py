"""What handlers and jobs can reach: the services, injected through a typed callback context."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from telegram.ext import Application, CallbackContext, ExtBot

from bot.briefing.index_store import IndexStore
from bot.briefing.library import BriefingLibrary
from bot.clock import Clock
from bot.config import Config
from bot.digest.planner import DigestPlanner
from bot.digest.runner import DigestRunner
from bot.drafting.inbox import ArticleParts
from bot.ops.health import HealthState
from bot.ops.metrics import Metrics
from bot.storage import Store

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
    index: IndexStore | None = None  # the library's persistent index, closed on shutdown
    metrics: Metrics = field(default_factory=Metrics)
    health: HealthState = field(default_factory=HealthState)
    # Set by `briefbot run`: this process's row among the replicas sharing the database.
    replica: ReplicaState | None = None

    def is_admin(self, user_id: int | None) -> bool:
        """Whether this Telegram user may use admin commands."""
        return user_id is not None and user_id in self.config.admins


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The callback context of briefbot's handlers: the usual context, plus `services`."""

    @property
    def services(self) -> BotServices:
        """The bot's services."""
        return cast(BotServices, self.bot_data[SERVICES_KEY])


BotApplication = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]
