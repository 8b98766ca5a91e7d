"""The one place that builds the bot: services, the `Application`, its handlers and jobs.

Handler order matters, and is:

* group -1: `track_chat` sees every update first (remembers the chat, reactivates a chat that
  had blocked the bot);
* group 0, first match wins: the commands; the draft buttons (before the other inline buttons,
  which answer any data); inline buttons; any other command (`cmd_unknown`, after the real ones
  since it matches them all); files in private chats (drafting for admins, a polite refusal for
  others); an admin's article in a private chat (long, forwarded, or continuing one sent
  seconds ago; before the search, which would take it); plain text in private chats (a search).
"""

from __future__ import annotations

import logging
from pathlib import Path

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.briefing.library import BriefingLibrary
from bot.clock import Clock, SystemClock
from bot.commands import COMMANDS
from bot.config import Config
from bot.context import SERVICES_KEY, BotApplication, BotContext, BotServices
from bot.delivery import TelegramSender, build_rate_limiter
from bot.digest.planner import DigestPlanner
from bot.digest.runner import DigestRunner
from bot.handlers import admin, briefings, drafting, subscriptions
from bot.handlers.common import Handler, logged, on_error, track_chat
from bot.scheduling import schedule_jobs
from bot.storage import open_store

log = logging.getLogger(__name__)

COMMAND_HANDLERS: dict[str, Handler] = {
    "start": briefings.cmd_start,
    "help": briefings.cmd_help,
    "briefings": briefings.cmd_briefings,
    "summary": briefings.cmd_summary,
    "who_attends": briefings.cmd_who_attends,
    "quotes": briefings.cmd_quotes,
    "related": briefings.cmd_related,
    "timeline": briefings.cmd_timeline,
    "search": briefings.cmd_search,
    "subscribe": subscriptions.cmd_subscribe,
    "unsubscribe": subscriptions.cmd_unsubscribe,
    "timezone": subscriptions.cmd_timezone,
    "digest": subscriptions.cmd_digest,
    "settings": subscriptions.cmd_settings,
    "stats": admin.cmd_stats,
    "reload": admin.cmd_reload,
    "draft": drafting.cmd_draft,
}
# Commands hidden from the group menu: searching by text is for private chats.
PRIVATE_ONLY_MENU = {"search"}


def create_services(
    config: Config,
    clock: Clock | None = None,
    *,
    storage_path: Path | str | None = None,
    library: BriefingLibrary | None = None,
) -> BotServices:
    """Load the briefings and open the store; the sender is attached once the bot exists."""
    clock = clock or SystemClock()
    if library is None:
        library = BriefingLibrary([config.briefings.dir])
        library.reload()
    store = open_store(config, path=storage_path)
    digest = config.digest
    planner = DigestPlanner(digest.cron, digest.timezone, digest.max_items, digest.misfire_grace)
    runner = DigestRunner(store, library, planner, clock, lease_seconds=digest.claim_lease_seconds)
    return BotServices(config, library, store, planner, runner, clock, started_at=clock.now())


def build_application(
    services: BotServices,
    token: str,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    rate_limit: bool = True,
    jobs: bool = True,
) -> BotApplication:
    """The bot, ready to start: handlers registered, jobs scheduled on start-up."""
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(services.config.telegram.base_url)
        .base_file_url(file_url(services.config.telegram.base_url))
        .context_types(ContextTypes(context=BotContext))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .concurrent_updates(True)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request)
    if updates_request is not None:
        builder = builder.get_updates_request(updates_request)
    if rate_limit:
        builder = builder.rate_limiter(build_rate_limiter())  # type: ignore[arg-type]
    if not jobs:
        builder = builder.job_queue(None)  # type: ignore[arg-type]
    application: BotApplication = builder.build()
    application.bot_data[SERVICES_KEY] = services
    application.bot_data["schedule_jobs"] = jobs
    _register_handlers(application)
    return application


def file_url(base_url: str) -> str:
    """Where files are downloaded from, for a Bot API server at `base_url` (…/bot → …/file/bot)."""
    root, bot, _ = base_url.rpartition("/bot")
    return f"{root}/file/bot" if bot else "https://api.telegram.org/file/bot"


def _register_handlers(application: BotApplication) -> None:
    services: BotServices = application.bot_data[SERVICES_KEY]
    application.add_handler(TypeHandler(Update, track_chat), group=-1)
    only_new = filters.UpdateType.MESSAGE  # an edited command is not run again
    private = filters.ChatType.PRIVATE
    for name, handler in COMMAND_HANDLERS.items():
        application.add_handler(CommandHandler(name, logged(f"/{name}", handler), only_new))
    application.add_handler(
        CallbackQueryHandler(
            logged("draft button", drafting.on_draft_button), pattern=drafting.BUTTON_PATTERN
        )
    )
    application.add_handler(CallbackQueryHandler(logged("button", briefings.on_button)))
    application.add_handler(
        MessageHandler(filters.COMMAND & only_new, logged("unknown", briefings.cmd_unknown))
    )
    application.add_handler(
        MessageHandler(
            filters.Document.ALL & private & only_new, logged("document", drafting.on_document)
        )
    )
    article = filters.TEXT & ~filters.COMMAND & private & drafting.ArticleFilter(services)
    application.add_handler(
        MessageHandler(article & only_new, logged("article", drafting.on_article_part))
    )
    application.add_handler(
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE & only_new,
            logged("text", briefings.text_search),
        )
    )
    application.add_error_handler(on_error)


def menu(private: bool) -> list[BotCommand]:
    """The command menu Telegram shows, for private chats or for groups."""
    return [
        BotCommand(c.name, c.description)
        for c in COMMANDS
        if c.in_menu and (private or c.name not in PRIVATE_ONLY_MENU)
    ]


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    services: BotServices = application.bot_data[SERVICES_KEY]
    services.runner.sender = TelegramSender(application.bot)
    try:
        await application.bot.set_my_commands(menu(True), scope=BotCommandScopeAllPrivateChats())
        await application.bot.set_my_commands(menu(False), scope=BotCommandScopeAllGroupChats())
    except TelegramError as exc:
        log.warning("could not register the command menu (%s); carrying on without it", exc)
    if application.bot_data.get("schedule_jobs"):
        schedule_jobs(application)
    log.info(
        "briefbot started as @%s: %d briefings, %d subscribed chats",
        application.bot.username, len(services.library), len(services.store.subscribed_chats()),
    )  # fmt: skip


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    services: BotServices = application.bot_data[SERVICES_KEY]
    services.store.close()
