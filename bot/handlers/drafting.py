"""Drafting for admins in a private chat: an article in, a draft out, published on a press.

An article is a long or forwarded text (parts sent within a few seconds are joined, in order),
a .txt/.html/.md file, or the text after /draft; an edited .yaml draft sent back is checked
again. Pending drafts live in the store, so a restart loses none. Only the admin who made a
draft may press its buttons: in a private chat no one else sees them, and a stale or foreign
press gets a toast. These handlers only move bytes and buttons; `bot.drafting` does the rest.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import secrets
from pathlib import Path
from typing import cast

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.constants import ChatType
from telegram.ext import filters

from bot.briefing.loader import BriefingFileError, parse_briefing
from bot.briefing.models import Briefing
from bot.briefing.render import e
from bot.briefing.split import split_html
from bot.context import BotApplication, BotContext, BotServices
from bot.drafting import DraftError, draft_article
from bot.drafting.inbox import Refused, check_size, decode_upload, file_kind, is_article
from bot.drafting.preview import (
    render_already_published,
    render_draft_errors,
    render_draft_preview,
    render_published,
    render_reader_view,
    review_lines,
)
from bot.drafting.publish import AlreadyPublished, PublishError, publish_draft
from bot.handlers.common import is_private, reply
from bot.handlers.keyboards import (
    DRAFT_DISCARD_PREFIX,
    DRAFT_PREFIXES,
    DRAFT_PREVIEW_PREFIX,
    DRAFT_PUBLISH_PREFIX,
    DRAFT_REPLACE_PREFIX,
    draft_keyboard,
    replace_keyboard,
)
from bot.i18n import EN, N_, Translator, translator
from bot.storage import PendingDraft

log = logging.getLogger(__name__)

KEEP_DRAFTS = dt.timedelta(days=30)
"""Pending drafts older than this are dropped when a new one is saved."""
BUTTON_PATTERN = "^(" + "|".join(re.escape(prefix) for prefix in DRAFT_PREFIXES) + ")"
NOT_ADMIN = N_("This command is for the bot's admins.")
NOT_FOR_FILES = N_(
    "I can't do anything with files, sorry. Send me words to search the briefings, or see /help."
)
NO_LONGER_PENDING = N_("This draft is no longer pending: it was published or discarded.")
_COMMAND = re.compile(r"/\S*\s?(.*)", re.DOTALL)


class ArticleFilter(filters.MessageFilter):
    """An admin's private text that is an article, or that continues one sent seconds ago."""

    def __init__(self, services: BotServices) -> None:
        super().__init__(name="ArticleFilter")
        self._services = services

    def filter(self, message: Message) -> bool:
        """Whether the message is (part of) an article to draft."""
        services = self._services
        user = message.from_user
        if message.chat.type != ChatType.PRIVATE or not message.text:
            return False
        if not services.is_admin(user.id if user else None):
            return False
        if services.article_parts.collecting(message.chat.id, services.clock.now()):
            return True
        return is_article(message.text, forwarded=message.forward_origin is not None)


async def _send(
    bot: Bot, chat_id: int, html: str, keyboard: InlineKeyboardMarkup | None = None
) -> None:
    parts = split_html(html)
    for i, part in enumerate(parts):
        await bot.send_message(
            chat_id, part, reply_markup=keyboard if i == len(parts) - 1 else None
        )


def _keep(services: BotServices, admin_id: int, chat_id: int, name: str, text: str) -> str:
    """Store a pending draft; returns its key for the buttons."""
    key = secrets.token_urlsafe(9)  # 12 characters: callback data stays far below 64 bytes
    now = services.clock.now()
    pending = PendingDraft(key, admin_id, chat_id, name, text, now)
    services.store.save_draft(pending, keep_since=now - KEEP_DRAFTS)
    return key


async def offer_draft(
    bot: Bot,
    services: BotServices,
    chat_id: int,
    admin_id: int,
    raw: bytes | str,
    parts: int = 1,
    tr: Translator = EN,
) -> None:
    """Draft an article and send the draft: the .yaml file, then the preview with its buttons."""
    today = services.clock.now().date()
    try:
        # Drafting a long article takes a while; other chats' updates go on meanwhile.
        draft = await asyncio.to_thread(draft_article, raw, today=today)
    except DraftError as exc:
        await _send(
            bot, chat_id, tr._("I could not draft that: %(error)s") % {"error": e(str(exc))}
        )
        return
    name = f"{draft.briefing.id}.yaml"
    key = _keep(services, admin_id, chat_id, name, draft.yaml)
    if parts > 1:
        caption = tr.ngettext(
            "%(file)s · joined from %(count)d message · edit it and send it back to check it again",
            "%(file)s · joined from %(count)d messages · "
            "edit it and send it back to check it again",
            parts,
        )
    else:
        caption = tr._("%(file)s · edit it and send it back to check it again")
    await bot.send_document(
        chat_id,
        InputFile(draft.yaml.encode("utf-8"), filename=name),
        caption=caption % {"file": e(name), "count": parts},
    )
    reviews = draft.reviews or review_lines(draft.yaml)
    html = render_draft_preview(draft.briefing, reviews, edited=False, tr=tr)
    await _send(bot, chat_id, html, draft_keyboard(key, tr))


async def close_article_window(bot: Bot, services: BotServices, chat_id: int) -> None:
    """No more parts came: draft the article waiting in `chat_id`, if any."""
    article = services.article_parts.take(chat_id)
    if article is not None:
        await offer_draft(
            bot,
            services,
            chat_id,
            article.admin_id,
            article.text,
            article.parts,
            translator(article.language),
        )


async def _window_closed(context: BotContext) -> None:
    job = context.job
    if job is not None and job.chat_id is not None:
        await close_article_window(context.bot, context.services, job.chat_id)


async def _collect(context: BotContext, message: Message, admin_id: int, text: str) -> None:
    """Keep one part of an article; it is drafted once no part has come for a few seconds."""
    services = context.services
    parts = services.article_parts
    chat_id = message.chat_id
    now = services.clock.now()
    language = context.tr.language
    earlier = parts.add(chat_id, admin_id, message.message_id, text, now, language)
    if earlier is not None:
        await offer_draft(
            context.bot,
            services,
            chat_id,
            admin_id,
            earlier.text,
            earlier.parts,
            translator(earlier.language),
        )
    # Without the JobQueue (the simulator, tests) the harness closes the window instead.
    application = cast(BotApplication, context.application)
    jobs = application.job_queue if context.bot_data.get("schedule_jobs") else None
    if jobs is not None:
        name = f"draft-parts:{chat_id}"
        for job in jobs.get_jobs_by_name(name):
            job.schedule_removal()
        jobs.run_once(_window_closed, parts.window, chat_id=chat_id, name=name)


async def on_article_part(update: Update, context: BotContext) -> None:
    """An admin's long, pasted or forwarded text: part of an article to draft."""
    message, user = update.effective_message, update.effective_user
    if message is not None and user is not None and message.text:
        await _collect(context, message, user.id, message.text)


async def cmd_draft(update: Update, context: BotContext) -> None:
    """/draft <article>: draft a briefing from the text after the command."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return
    if not context.services.is_admin(user.id):
        await reply(update, context.tr._(NOT_ADMIN))
        return
    if not is_private(update):
        await reply(update, context.tr._("Drafting works in a private chat with me."))
        return
    match = _COMMAND.match(message.text)
    text = match[1].strip() if match else ""
    if not text:
        await reply(
            update,
            context.tr._(
                "Send the article after <code>/draft</code>, paste it as a message, forward it, "
                "or send it as a .txt, .html or .md file."
            ),
        )
        return
    await _collect(context, message, user.id, text)


async def on_document(update: Update, context: BotContext) -> None:
    """A file in a private chat: an article or an edited draft from an admin."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.document is None:
        return
    services = context.services
    if not services.is_admin(user.id):
        await reply(update, e(context.tr._(NOT_FOR_FILES)))
        return
    document = message.document
    name = Path(document.file_name or "file").name
    try:
        kind = file_kind(name)
        check_size(name, document.file_size)
        data = bytes(await (await document.get_file()).download_as_bytearray())
        decode_upload(name, data)
    except Refused as exc:
        await reply(update, e(str(exc)))
        return
    tr = context.tr
    if kind == "article":
        await offer_draft(context.bot, services, message.chat_id, user.id, data, tr=tr)
        return
    try:
        briefing = parse_briefing(data, Path(name))
    except BriefingFileError as exc:
        await reply(update, render_draft_errors(name, exc.errors, tr))
        return
    text = data.decode("utf-8")
    key = _keep(services, user.id, message.chat_id, name, text)
    html = render_draft_preview(briefing, review_lines(text), edited=True, tr=tr)
    await reply(update, html, draft_keyboard(key, tr))


async def on_draft_button(update: Update, context: BotContext) -> None:
    """Publish, Preview, Discard and Replace under a draft."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    services, tr = context.services, context.tr
    prefix, key = query.data[:3], query.data[3:]
    user_id = query.from_user.id
    if not services.is_admin(user_id):
        await query.answer(tr._("These buttons are for the bot's admins."))
        return
    pending = services.store.draft(key)
    if pending is None:
        await query.answer(tr._(NO_LONGER_PENDING))
        return
    if pending.admin_id != user_id:
        await query.answer(tr._("Only the admin who made this draft can use its buttons."))
        return
    try:
        briefing = parse_briefing(pending.yaml.encode("utf-8"), Path(pending.file_name))
    except BriefingFileError as exc:
        await query.answer()
        await reply(update, render_draft_errors(pending.file_name, exc.errors, tr))
        return
    if prefix == DRAFT_PREVIEW_PREFIX:
        await query.answer()
        for html in render_reader_view(briefing, tr):
            await reply(update, html)
    elif prefix == DRAFT_DISCARD_PREFIX:
        # Deleting claims the draft: of two quick presses, only one goes on.
        if services.store.delete_draft(key):
            await query.answer(tr._("Discarded."))
            discarded = tr._("Draft <code>%(id)s</code> discarded.")
            await reply(update, discarded % {"id": e(briefing.id)})
        else:
            await query.answer(tr._(NO_LONGER_PENDING))
    elif prefix in (DRAFT_PUBLISH_PREFIX, DRAFT_REPLACE_PREFIX):
        if not services.store.delete_draft(key):
            await query.answer(tr._(NO_LONGER_PENDING))
            return
        await _publish(update, context, pending, briefing, replace=prefix == DRAFT_REPLACE_PREFIX)


async def _publish(
    update: Update,
    context: BotContext,
    pending: PendingDraft,
    briefing: Briefing,
    *,
    replace: bool,
) -> None:
    query = update.callback_query
    assert query is not None
    services, tr = context.services, context.tr
    folder = services.config.briefings.dir
    try:
        published = publish_draft(
            services.library, folder, pending.yaml, name=pending.file_name, replace=replace
        )
    except AlreadyPublished as exc:
        services.store.save_draft(pending)
        await query.answer()
        await reply(
            update,
            render_already_published(exc.briefing_id, exc.path.name, tr),
            replace_keyboard(pending.key, tr),
        )
        return
    except PublishError as exc:
        services.store.save_draft(pending)
        await query.answer()
        await reply(update, tr._("Not published: %(error)s") % {"error": e(str(exc))})
        return
    log.info(
        "briefing %s %s by admin %s: %s",
        briefing.id, "replaced" if published.replaced else "published", pending.admin_id,
        published.path,
    )  # fmt: skip
    await query.answer(tr._("Replaced.") if published.replaced else tr._("Published."))
    await reply(
        update,
        render_published(published.briefing, published.path.name, published.replaced, tr),
    )
