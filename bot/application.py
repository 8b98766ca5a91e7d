"""The one place that builds the bot: services, the `Application`, its handlers and jobs.

Handler order matters, and is:

* group -1: `count_and_track` sees every update first: `count_update` counts it for the
  metrics, then `track_chat` remembers the chat and reactivates a chat that had blocked the bot
  (not channels, which only their admins' configuring reactivates); one handler, not a group
  each, as every group is one more pass of the dispatcher per update;
* group 0, first match wins: the commands; the draft, follow-a-tag, channel-settings and
  language buttons (before the other inline buttons, which answer any data); inline buttons;
  the bot's own membership in a channel (`my_chat_member`); inline queries (`@<bot> words` in
  any chat, a kind of update nothing else takes); any other command (`cmd_unknown`, after the
  real ones since it matches them all); files in private chats (drafting for admins, a polite
  refusal for others); an admin's article in a private chat (long, forwarded, or continuing one
  sent seconds ago; before the search, which would take it); plain text in private chats (a
  search).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

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
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.briefing.index_store import BriefingIndex, IndexStore, index_path_for
from bot.briefing.library import BriefingLibrary
from bot.clock import Clock, SystemClock
from bot.commands import COMMANDS
from bot.config import Config
from bot.context import SERVICES_KEY, BotApplication, BotContext, BotServices
from bot.delivery import TelegramSender, build_rate_limiter
from bot.digest.planner import DigestPlanner
from bot.digest.runner import DigestRunner
from bot.handlers import (
    admin,
    briefings,
    channels,
    drafting,
    inline,
    language,
    subscriptions,
    topics,
)
from bot.handlers.common import Handler, count_and_track, logged, needs_briefings, on_error
from bot.handlers.keyboards import CHANNEL_PREFIX, FOLLOW_PREFIX
from bot.i18n import DEFAULT_LANGUAGE, EN, LANGUAGES, Translator, translator
from bot.json_request import JSONRequest
from bot.ops.metrics import Metrics
from bot.ops.server import OPS_SERVER_KEY, OpsServer
from bot.polling import PollingRequest
from bot.scheduling import schedule_jobs
from bot.storage import database_url, open_store
from bot.storage.base import safe_url
from bot.upkeep import BriefingUpkeep

log = logging.getLogger(__name__)

COMMAND_HANDLERS: dict[str, Handler] = {
    "start": needs_briefings(briefings.cmd_start),
    "help": briefings.cmd_help,
    "briefings": needs_briefings(briefings.cmd_briefings),
    "summary": needs_briefings(briefings.cmd_summary),
    "who_attends": needs_briefings(briefings.cmd_who_attends),
    "quotes": needs_briefings(briefings.cmd_quotes),
    "related": needs_briefings(briefings.cmd_related),
    "timeline": needs_briefings(briefings.cmd_timeline),
    "search": needs_briefings(briefings.cmd_search),
    "subscribe": subscriptions.cmd_subscribe,
    "unsubscribe": subscriptions.cmd_unsubscribe,
    "timezone": subscriptions.cmd_timezone,
    "digest": needs_briefings(subscriptions.cmd_digest),
    "settings": needs_briefings(subscriptions.cmd_settings),
    "follow": needs_briefings(topics.cmd_follow),
    "unfollow": topics.cmd_unfollow,
    "following": topics.cmd_following,
    "channels": channels.cmd_channels,
    "language": language.cmd_language,
    "stats": needs_briefings(admin.cmd_stats),
    "reload": needs_briefings(admin.cmd_reload),
    "draft": drafting.cmd_draft,
}
UPKEEP_KEY = "briefings_upkeep"
# Commands hidden from the group menu: searching by text and one's channels are for private chats.
PRIVATE_ONLY_MENU = {"search", "channels"}


def create_services(
    config: Config,
    clock: Clock | None = None,
    *,
    storage_path: Path | str | None = None,
    library: BriefingLibrary | None = None,
    load: bool = True,
) -> BotServices:
    """Open the store and the briefings; the sender is attached once the bot exists.

    The briefings are loaded now, or with `load=False` in the background once the bot starts.
    Their persistent index lives with the state: in the PostgreSQL database when that is the
    store, else in a SQLite file beside the state file.
    """
    clock = clock or SystemClock()
    state_path = storage_path or config.storage.path
    store = open_store(config, path=storage_path)
    index = None
    if library is None:
        url = None if storage_path is not None else database_url(config)
        index = _open_index(state_path) if url is None else _open_pg_index(url, config)
        library = BriefingLibrary([config.briefings.dir], index=index)
        if load:
            library.reload()
    digest = config.digest
    planner = DigestPlanner(digest.cron, digest.timezone, digest.max_items, digest.misfire_grace)
    metrics = Metrics()
    metrics.watch_briefings(lambda: len(library), lambda: len(library.errors))
    runner = DigestRunner(
        store, library, planner, clock, metrics=metrics, lease_seconds=digest.claim_lease_seconds
    )
    return BotServices(
        config,
        library,
        store,
        planner,
        runner,
        clock,
        started_at=clock.now(),
        index=index,
        metrics=metrics,
    )


def _open_pg_index(url: str, config: Config) -> BriefingIndex | None:
    where = safe_url(url)
    try:
        import psycopg

        from bot.briefing.index_postgres import PostgresIndex
    except ImportError:
        return None  # the store says what is missing
    try:
        return PostgresIndex(url, [config.briefings.dir], location=where)
    except psycopg.Error as exc:
        # As for the file: only slower start-ups without it. The store reports a database
        # that cannot be used at all.
        problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        with contextlib.suppress(ValueError):
            password = urlsplit(url).password
            if password:
                problem = problem.replace(password, "***")
        log.warning("cannot keep a briefing index in %s (%s); parsing every file", where, problem)
        return None


def _open_index(state_path: Path | str) -> IndexStore | None:
    if str(state_path) == ":memory:":
        return IndexStore(":memory:")
    path = index_path_for(state_path)
    try:
        return IndexStore(path)
    except (sqlite3.Error, OSError) as exc:
        # Only slower start-ups without it; a state folder that is unusable is reported by
        # the state store itself.
        log.warning("cannot keep a briefing index at %s (%s); parsing every file", path, exc)
        return None


def build_application(
    services: BotServices,
    token: str,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    rate_limit: bool = True,
    jobs: bool = True,
    watch: bool = True,
) -> BotApplication:
    """The bot, ready to start: handlers registered, jobs scheduled on start-up.

    With `watch`, saved briefing files are picked up as they are saved (or by a periodic scan
    where the folder cannot be watched); without it, only when a reload is asked for.
    """
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
    # python-telegram-bot's own default, but posting JSON: long answers encode ~10x faster.
    builder = builder.request(request or JSONRequest(connection_pool_size=256))
    builder = builder.get_updates_request(updates_request or PollingRequest())
    if rate_limit:
        limiter = build_rate_limiter(
            services.config.digest.paid_rate, on_flood_wait=services.metrics.flood_wait
        )
        builder = builder.rate_limiter(limiter)  # type: ignore[arg-type]
    if not jobs:
        builder = builder.job_queue(None)  # type: ignore[arg-type]
    application: BotApplication = builder.build()
    application.bot_data[SERVICES_KEY] = services
    application.bot_data["schedule_jobs"] = jobs
    application.bot_data[UPKEEP_KEY] = BriefingUpkeep(application, services, watch=watch)
    _register_handlers(application)
    return application


def file_url(base_url: str) -> str:
    """Where files are downloaded from, for a Bot API server at `base_url` (…/bot → …/file/bot)."""
    root, bot, _ = base_url.rpartition("/bot")
    return f"{root}/file/bot" if bot else "https://api.telegram.org/file/bot"


def _register_handlers(application: BotApplication) -> None:
    services: BotServices = application.bot_data[SERVICES_KEY]
    application.add_handler(TypeHandler(Update, count_and_track), group=-1)
    only_new = filters.UpdateType.MESSAGE  # an edited command is not run again
    private = filters.ChatType.PRIVATE
    for name, handler in COMMAND_HANDLERS.items():
        application.add_handler(CommandHandler(name, logged(f"/{name}", handler), only_new))
    application.add_handler(
        CallbackQueryHandler(
            # Publishing reloads the library: not while its first load is still running.
            logged("draft button", needs_briefings(drafting.on_draft_button)),
            pattern=drafting.BUTTON_PATTERN,
        )
    )
    application.add_handler(
        CallbackQueryHandler(
            logged("follow button", topics.on_follow_button), pattern=f"^{FOLLOW_PREFIX}"
        )
    )
    application.add_handler(
        CallbackQueryHandler(
            logged("channel button", needs_briefings(channels.on_channel_button)),
            pattern=f"^{CHANNEL_PREFIX}",
        )
    )
    application.add_handler(
        CallbackQueryHandler(
            logged("language button", language.on_language_button),
            pattern=language.BUTTON_PATTERN,
        )
    )
    application.add_handler(
        CallbackQueryHandler(logged("button", needs_briefings(briefings.on_button)))
    )
    application.add_handler(
        ChatMemberHandler(
            logged("membership", channels.on_my_chat_member), ChatMemberHandler.MY_CHAT_MEMBER
        )
    )
    application.add_handler(
        InlineQueryHandler(logged("inline", needs_briefings(inline.on_inline_query)))
    )
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
            logged("text", needs_briefings(briefings.text_search)),
        )
    )
    application.add_error_handler(on_error)


def menu(private: bool, tr: Translator = EN) -> list[BotCommand]:
    """The command menu Telegram shows, for private chats or for groups, in one language."""
    return [
        BotCommand(c.name, tr._(c.description))
        for c in COMMANDS
        if c.in_menu and (private or c.name not in PRIVATE_ONLY_MENU)
    ]


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    services: BotServices = application.bot_data[SERVICES_KEY]
    services.runner.sender = TelegramSender(
        application.bot,
        paid=services.config.digest.paid_broadcast,
        on_flood_wait=services.metrics.flood_wait,
    )

    async def channel_gone(chat_id: int) -> None:
        await channels.notify_channel_gone(application.bot, services, chat_id)

    services.runner.on_channel_gone = channel_gone
    try:
        # The default menu is English; each other shipped language gets its own, which
        # Telegram shows to users whose app is set to that language.
        for code in LANGUAGES:
            tr = translator(code)
            language_code = None if code == DEFAULT_LANGUAGE else code
            for private, scope in (
                (True, BotCommandScopeAllPrivateChats()),
                (False, BotCommandScopeAllGroupChats()),
            ):
                await application.bot.set_my_commands(
                    menu(private, tr), scope=scope, language_code=language_code
                )
    except TelegramError as exc:
        log.warning("could not register the command menu (%s); carrying on without it", exc)
    if application.bot_data.get("schedule_jobs"):
        schedule_jobs(application)
    application.bot_data[UPKEEP_KEY].start()
    library = services.library
    ops = services.config.ops
    if ops.port is not None:
        server = OpsServer(
            listen=ops.listen, port=ops.port, window=ops.health_window, bot=application.bot,
            store=services.store, health=services.health, metrics=services.metrics,
        )  # fmt: skip
        await server.start()
        application.bot_data[OPS_SERVER_KEY] = server
    log.info(
        "briefbot started as @%s: %s briefings, %d subscribed chats",
        application.bot.username, len(library) if library.loaded else "loading the",
        len(services.store.subscribed_chats()),
    )  # fmt: skip


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    services: BotServices = application.bot_data[SERVICES_KEY]
    await application.bot_data[UPKEEP_KEY].stop()
    server: OpsServer | None = application.bot_data.pop(OPS_SERVER_KEY, None)
    if server is not None:
        await server.stop()
    services.store.close()
    if services.index is not None:
        services.index.close()
