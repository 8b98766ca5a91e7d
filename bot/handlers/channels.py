"""Channels: being added to or removed from one, /channels, and telling an admin of a lost one.

A channel is configured from a private chat (`/subscribe @newsroom`, see `bot.handlers.targets`);
this module keeps track of the channels themselves.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.briefing.render import BULLET, e
from bot.context import BotContext, BotServices
from bot.handlers.common import ignored_words, is_private, reply
from bot.handlers.keyboards import CHANNEL_PREFIX, channels_keyboard
from bot.handlers.subscriptions import settings_html
from bot.i18n import choose

log = logging.getLogger(__name__)


async def cmd_channels(update: Update, context: BotContext) -> None:
    """List the channels this user set up, with a button for each one's settings."""
    user, tr = update.effective_user, context.tr
    if not is_private(update) or user is None:
        await reply(update, tr._("Ask me for /channels in a private chat."))
        return
    channels = context.services.store.channels_configured_by(user.id)
    ignored = ignored_words(context.args, "channels", tr=tr)
    if not channels:
        answer = tr._(
            "You have not set up a channel yet. Add me to your channel as an administrator "
            "with the “Post messages” right, then send me <code>/subscribe @channel</code>."
        )
        await reply(update, answer + ignored)
        return
    lines = ["<b>" + tr._("Your channels") + "</b>", ""]
    for channel in channels:
        if not channel.can_post or not channel.active:
            state = tr._("%(channel)s: paused: I can't post there")
        elif channel.subscribed:
            state = tr._("%(channel)s: subscribed")
        else:
            state = tr._("%(channel)s: not subscribed")
        lines.append(f"{BULLET} " + state % {"channel": e(channel.name)})
    keyboard = channels_keyboard([(c.chat_id, c.name) for c in channels])
    await reply(update, "\n".join(lines) + ignored, keyboard)


async def on_channel_button(update: Update, context: BotContext) -> None:
    """A button under /channels: that channel's settings, for the admin who set it up."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None:
        return
    try:
        chat_id = int(query.data.removeprefix(CHANNEL_PREFIX))
    except ValueError:
        await query.answer(context.tr._("This button is out of date."))
        return
    services = context.services
    channel = services.store.channel(chat_id)
    if channel is None or channel.configured_by != user.id:
        answer = context.tr._("Only the administrator who set this channel up sees it here.")
        await query.answer(answer)
        return
    await query.answer()
    await reply(update, settings_html(services, chat_id, context.tr, channel.name))


async def on_my_chat_member(update: Update, context: BotContext) -> None:
    """Remember a channel the bot was added to, promoted or demoted in, or removed from."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.CHANNEL:
        return
    chat, member = change.chat, change.new_chat_member
    can_post = member.status == ChatMemberStatus.OWNER or (
        member.status == ChatMemberStatus.ADMINISTRATOR
        and bool(getattr(member, "can_post_messages", False))
    )
    services = context.services
    before = services.store.channel(chat.id)
    services.store.remember_channel(
        chat.id, chat.title, chat.username, can_post, services.clock.now()
    )
    log.info("channel %s: the bot %s post there", chat.id, "can" if can_post else "cannot")
    if not can_post and before is not None and before.active and before.subscribed:
        await notify_channel_gone(context.bot, services, chat.id)


async def notify_channel_gone(bot: ExtBot[Any], services: BotServices, chat_id: int) -> None:
    """Tell the admin who set a channel up, once, that the bot can no longer post there."""
    channel = services.store.channel(chat_id)
    if channel is None or channel.configured_by is None:
        return
    # In the language the admin's own chat chose, as scheduled digests are.
    tr = choose(services.store.chat_language(channel.configured_by), None)
    text = tr._(
        "⚠️ I can no longer post in %(channel)s; its digests are paused. Add me again as an "
        "administrator with the “Post messages” right and send "
        "<code>/subscribe %(again)s</code>."
    ) % {
        "channel": e(channel.name),
        "again": e(channel.name if channel.username else str(chat_id)),
    }
    try:
        await bot.send_message(channel.configured_by, text)
    except TelegramError as exc:  # the admin may have blocked the bot too
        log.warning("could not tell user %s about channel %s: %s", channel.configured_by,
                    chat_id, exc)  # fmt: skip
