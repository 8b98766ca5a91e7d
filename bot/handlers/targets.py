"""Whose digest settings a command changes: this chat's, or a channel's named in its first word.

`/subscribe @newsroom 07:30` sent in a private chat configures the channel @newsroom (or one
given by its numeric id, ``-100…``), once Telegram confirms that the bot may post there and that
the sender administers it. Anything else configures the chat the command was sent in, where in
groups only administrators may change settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.briefing.render import e
from bot.context import BotContext
from bot.handlers.common import is_private, reply

ADMIN_STATUSES = {ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}
# A public channel's @username (5-32 characters), or a channel's id, which starts with -100.
_CHANNEL_REF = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,31}|-100\d{1,13}")


@dataclass(frozen=True)
class Target:
    """The chat whose settings a command reads or changes, and the command's other words."""

    chat_id: int
    args: list[str]
    channel: str | None = None  # "@newsroom" (or its title) when it is a channel

    @property
    def ref(self) -> str:
        """What to write after a command to mean this chat: " @newsroom", " -100…" or nothing."""
        if self.channel is None:
            return ""
        return f" {self.channel}" if self.channel.startswith("@") else f" {self.chat_id}"

    @property
    def prefix(self) -> str:
        """What opens an answer about a channel ("📣 @newsroom: "); nothing for this chat."""
        return f"📣 {e(self.channel)}: " if self.channel else ""


def is_channel_ref(word: str) -> bool:
    """Whether a command's first word names a channel."""
    return _CHANNEL_REF.fullmatch(word) is not None


async def may_change_settings(update: Update, context: BotContext) -> bool:
    """Anyone in a private chat; in groups only the group's administrators."""
    if is_private(update):
        return True
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None:
        return False
    # An anonymous administrator posts as the group itself.
    if (
        message is not None
        and message.sender_chat is not None
        and message.sender_chat.id == chat.id
    ):
        return True
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    if member.status in ADMIN_STATUSES:
        return True
    await reply(
        update, context.tr._("Only this group's administrators can change its digest settings.")
    )
    return False


async def settings_target(update: Update, context: BotContext, *, change: bool) -> Target | None:
    """The chat a settings command is about; None once it has answered why it cannot be."""
    chat = update.effective_chat
    if chat is None:
        return None
    args = list(context.args or [])
    if args and is_channel_ref(args[0]):
        return await channel_target(update, context, args[0], args[1:], change=change)
    if change and not await may_change_settings(update, context):
        return None
    return Target(chat.id, args)


async def channel_target(
    update: Update, context: BotContext, ref: str, args: list[str], *, change: bool
) -> Target | None:
    """A channel the sender administers and the bot posts in; else None, after saying why."""
    user, tr = update.effective_user, context.tr
    if not is_private(update) or user is None:
        answer = tr._(
            "Configure %(channel)s from a private chat with me, where only you see the answers."
        )
        await reply(update, answer % {"channel": e(ref)})
        return None
    bot = context.bot
    try:
        chat = await bot.get_chat(ref if ref.startswith("@") else int(ref))
    except TelegramError:
        answer = tr._(
            "I can't find the channel %(channel)s. Check the name, and add me to the channel "
            "as an administrator with the “Post messages” right."
        )
        await reply(update, answer % {"channel": e(ref)})
        return None
    name = f"@{chat.username}" if chat.username else (chat.title or ref)
    if chat.type != ChatType.CHANNEL:
        answer = tr._(
            "%(chat)s is not a channel. To set up a group's digest, send the command in "
            "the group itself."
        )
        await reply(update, answer % {"chat": e(name)})
        return None
    try:
        me = await bot.get_chat_member(chat.id, bot.id)
    except TelegramError:
        me = None
    if me is None or me.status not in ADMIN_STATUSES:
        answer = tr._(
            "I'm not an administrator of %(channel)s. Add me to the channel as an administrator "
            "with the “Post messages” right, then try again."
        )
        await reply(update, answer % {"channel": e(name)})
        return None
    if me.status == ChatMemberStatus.ADMINISTRATOR and not getattr(me, "can_post_messages", False):
        answer = tr._(
            "I'm an administrator of %(channel)s but may not post there. Give me the "
            "“Post messages” right in the channel's administrator settings, then try again."
        )
        await reply(update, answer % {"channel": e(name)})
        return None
    try:
        member = await bot.get_chat_member(chat.id, user.id)
    except TelegramError:
        member = None
    if member is None or member.status not in ADMIN_STATUSES:
        answer = tr._(
            "Only administrators of %(channel)s can configure its digest, and you are not one."
        )
        await reply(update, answer % {"channel": e(name)})
        return None
    services = context.services
    now = services.clock.now()
    if change:
        services.store.configure_channel(chat.id, chat.title, chat.username, user.id, now)
    else:
        services.store.remember_channel(chat.id, chat.title, chat.username, True, now)
    return Target(chat.id, args, name)
