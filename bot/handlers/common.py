"""What every handler shares: replying in parts, logging and counting each command, errors."""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from bot.briefing.models import Briefing
from bot.briefing.render import render_ignored, render_unknown_briefing
from bot.briefing.split import split_html
from bot.context import BotContext
from bot.i18n import EN, N_, Translator
from bot.storage import StorageUnavailable

log = logging.getLogger(__name__)

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]

SORRY = N_("Sorry, something went wrong on my side. Please try again in a moment.")
NO_DATABASE = N_(
    "Sorry, I cannot reach my database right now, so I cannot do that. Please try again in a"
    " minute; reading briefings still works."
)


async def reply(update: Update, html: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Answer in the chat (and topic) the update came from, split to fit; buttons go last."""
    message = update.effective_message
    if message is None:
        return
    parts = split_html(html)
    for i, part in enumerate(parts):
        markup = keyboard if i == len(parts) - 1 else None
        await message.reply_text(part, reply_markup=markup, do_quote=False)


def logged(name: str, handler: Handler) -> Handler:
    """Wrap a handler so each call logs one line (chat, command, time taken) and is counted."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: BotContext) -> None:
        started = time.perf_counter()
        outcome = "ok"
        try:
            await handler(update, context)
        except BaseException:
            outcome = "error"
            raise
        finally:
            chat = update.effective_chat
            took = time.perf_counter() - started
            log.info(
                "chat=%s command=%s took=%.1fms %s",
                chat.id if chat else "-",
                name,
                took * 1000,
                outcome,
            )
            context.services.metrics.command(name, outcome, took)

    return wrapper


def is_private(update: Update) -> bool:
    """Whether the update comes from a one-to-one chat with the bot."""
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


def current_briefing(update: Update, context: BotContext) -> Briefing | None:
    """The chat's current briefing: the one last chosen, else the newest published."""
    services = context.services
    chat = update.effective_chat
    record = None
    # Without the database, the chat's last choice is unknown; the newest briefing will do.
    with contextlib.suppress(StorageUnavailable):
        record = services.store.chat(chat.id) if chat else None
    if record and record.current_briefing:
        chosen = services.library.get(record.current_briefing)
        if chosen is not None:
            return chosen
    newest = services.library.newest(limit=1)
    return newest[0] if newest else None


def unknown_briefing_html(context: BotContext, ref: str) -> str:
    """The answer to a briefing reference that matches nothing."""
    library = context.services.library
    return render_unknown_briefing(ref, library.closest_ids(ref), len(library), context.tr)


def ignored_words(
    args: list[str] | None, command: str, takes: str = N_("no arguments"), tr: Translator = EN
) -> str:
    """A closing line naming the words after `/command` that it did not use, or nothing."""
    if not args:
        return ""
    return "\n\n" + render_ignored(" ".join(args), command, takes, tr)


NO_BRIEFINGS = N_("No briefings are loaded yet. Please try again later.")
LOADING = N_("Still loading the briefings — try again in a few seconds.")


def needs_briefings(handler: Handler) -> Handler:
    """Wrap a handler that reads the briefings: until they are loaded, it says so instead."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: BotContext) -> None:
        if context.services.library.loaded:
            await handler(update, context)
        elif update.callback_query is not None:
            await update.callback_query.answer(context.tr._(LOADING))
        elif update.inline_query is not None:
            # No results, and not cached: the next keystroke asks again.
            await update.inline_query.answer([], cache_time=0, is_personal=True)
        else:
            await reply(update, context.tr._(LOADING))

    return wrapper


async def count_update(update: Update, context: BotContext) -> None:
    """Count every update by its kind (message, callback_query, ...) for the metrics."""
    kind = next((k for k in Update.ALL_TYPES if getattr(update, k, None) is not None), "other")
    context.services.metrics.updates.labels(kind).inc()


async def track_chat(update: Update, context: BotContext) -> None:
    """Remember every chat that writes; a chat that was marked gone is active again."""
    chat = update.effective_chat
    # A channel is tracked through the bot's membership there, and configured by its admins:
    # a post in it says nothing about whether the bot may post.
    if chat is None or chat.type == ChatType.CHANNEL:
        return
    services = context.services
    try:
        back = services.store.touch_chat(chat.id, chat.type, services.clock.now())
    except StorageUnavailable:
        return  # the store logged the outage; the chat is remembered at its next update
    if back:
        log.info("chat %s is back; digests resume", chat.id)


async def count_and_track(update: Update, context: BotContext) -> None:
    """Every update, before any other handler: `count_update`, then `track_chat`."""
    await count_update(update, context)
    await track_chat(update, context)


async def on_error(update: object, context: BotContext) -> None:
    """Log a handler's exception with its traceback and tell the chat something went wrong."""
    error = context.error
    if error is None:
        return
    context.services.handler_errors.append(error)
    # The store logged the outage once; a traceback per update would bury it.
    if not isinstance(error, StorageUnavailable):
        log.error("error while handling an update", exc_info=error)
    if isinstance(update, Update) and update.effective_message is not None:
        text = NO_DATABASE if isinstance(error, StorageUnavailable) else SORRY
        try:
            sorry = context.tr._(text)  # may need the database, which may be what failed
        except Exception:
            sorry = text
        try:
            await update.effective_message.reply_text(sorry, do_quote=False)
        except Exception:  # the chat may be unreachable; the error is logged above already
            log.warning("could not tell chat about the error", exc_info=True)
