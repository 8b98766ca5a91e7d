"""The topic commands: /follow, /unfollow and /following, and the tag buttons under /follow."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Update

from bot.briefing.render import BULLET, e
from bot.briefing.topics import (
    MAX_TOPICS,
    Topic,
    TopicError,
    merge,
    most_common_tags,
    parse_topics,
    remove,
)
from bot.context import BotContext, BotServices
from bot.handlers.common import reply
from bot.handlers.keyboards import FOLLOW_PREFIX, follow_keyboard
from bot.handlers.targets import (
    Target,
    channel_target,
    is_channel_ref,
    may_change_settings,
    settings_target,
)
from bot.i18n import Translator

SUGGESTED_TAGS = 8


def _shown(topic: str) -> str:
    return f"“{e(topic)}”" if " " in topic else f"<b>{e(topic)}</b>"


def _listed(topics: Sequence[Topic] | Sequence[str]) -> str:
    return ", ".join(_shown(t if isinstance(t, str) else t.text) for t in topics)


def _problem(exc: TopicError, tr: Translator) -> str:
    params = {k: e(v) if isinstance(v, str) else v for k, v in exc.params.items()}
    return tr._(exc.message) % params


def _followed(services: BotServices, chat_id: int) -> list[Topic]:
    topics = []
    for text in services.store.topics(chat_id):
        try:
            topics.append(Topic.parse(text))
        except TopicError:
            continue
    return topics


async def _follow(update: Update, context: BotContext, target: Target, topics: list[Topic]) -> None:
    """Add `topics` to the target chat's and answer with what it follows now."""
    services, tr = context.services, context.tr
    current = _followed(services, target.chat_id)
    merged, added = merge(current, topics)
    if len(merged) > MAX_TOPICS:
        answer = tr.ngettext(
            "A chat follows at most %(limit)d topics, and this one follows %(count)d: "
            "there is room for %(room)d more. /unfollow some first.",
            "A chat follows at most %(limit)d topics, and this one follows %(count)d: "
            "there is room for %(room)d more. /unfollow some first.",
            MAX_TOPICS - len(current),
        ) % {"limit": MAX_TOPICS, "count": len(current), "room": MAX_TOPICS - len(current)}
        await reply(update, target.prefix + answer)
        return
    services.store.set_topics(target.chat_id, [t.text for t in merged])
    lines = [target.prefix + tr._("🔎 Following: %(topics)s.") % {"topics": _listed(merged)}]
    if len(added) < len(topics):
        already = _listed([t for t in topics if t not in added])
        lines.append(tr._("(Already followed: %(topics)s.)") % {"topics": already})
    lines.append(
        tr._(
            "Digests now carry only new briefings about these topics. "
            "/unfollow removes one, /following lists them."
        )
    )
    await reply(update, "\n".join(lines))


async def cmd_follow(update: Update, context: BotContext) -> None:
    """Follow topics (tags, words or "quoted phrases"); without any, offer the common tags."""
    target = await _target(update, context)
    if target is None:
        return
    tr = context.tr
    if not target.args:
        tags = most_common_tags(context.services.library, SUGGESTED_TAGS)
        if not tags:
            await reply(update, tr._("Follow a topic with <code>/follow word</code>."))
            return
        channel = "" if target.channel is None else str(target.chat_id)
        await reply(
            update,
            target.prefix
            + tr._(
                "Which topics? Tap a tag, or write <code>/follow word</code>, "
                '<code>/follow #tag</code> or <code>/follow "two words"</code>.'
            ),
            follow_keyboard(tags, channel),
        )
        return
    try:
        topics = parse_topics(" ".join(target.args))
    except TopicError as exc:
        await reply(update, target.prefix + _problem(exc, tr))
        return
    await _follow(update, context, target, topics)


async def on_follow_button(update: Update, context: BotContext) -> None:
    """A tag button under /follow: follow that tag, with the same rights as the command."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    channel, _, tag = query.data.removeprefix(FOLLOW_PREFIX).partition(":")
    await query.answer()
    if channel:
        target = await channel_target(update, context, channel, [], change=True)
    elif await may_change_settings(update, context) and update.effective_chat is not None:
        target = Target(update.effective_chat.id, [])
    else:
        target = None
    if target is None:
        return
    try:
        topic = Topic.parse("#" + tag)
    except TopicError as exc:
        await reply(update, _problem(exc, context.tr))
        return
    await _follow(update, context, target, [topic])


async def cmd_unfollow(update: Update, context: BotContext) -> None:
    """Stop following topics; `/unfollow all` follows none again (every briefing)."""
    target = await _target(update, context)
    if target is None:
        return
    services, tr = context.services, context.tr
    current = _followed(services, target.chat_id)
    if not target.args:
        text = tr._(
            "Name the topics to drop, e.g. <code>/unfollow ukraine</code>, "
            "or <code>/unfollow all</code>."
        )
        if current:
            text += " " + tr._("Following: %(topics)s.") % {"topics": _listed(current)}
        await reply(update, target.prefix + text)
        return
    if [a.lower() for a in target.args] == ["all"]:
        services.store.set_topics(target.chat_id, [])
        await reply(update, target.prefix + _nothing_followed(tr))
        return
    try:
        topics = parse_topics(" ".join(target.args))
    except TopicError as exc:
        await reply(update, target.prefix + _problem(exc, tr))
        return
    kept, gone = remove(current, topics)
    if not gone:
        answer = tr._("Not followed: %(topics)s. /following lists the topics.")
        await reply(update, target.prefix + answer % {"topics": _listed(topics)})
        return
    services.store.set_topics(target.chat_id, [t.text for t in kept])
    text = target.prefix + tr._("Stopped following %(topics)s.") % {"topics": _listed(gone)}
    if kept:
        text += "\n" + tr._("Still following: %(topics)s.") % {"topics": _listed(kept)}
    else:
        text += "\n" + _nothing_followed(tr)
    await reply(update, text)


async def cmd_following(update: Update, context: BotContext) -> None:
    """List the topics this chat follows."""
    target = await settings_target(update, context, change=False)
    if target is None:
        return
    tr = context.tr
    topics = context.services.store.topics(target.chat_id)
    if not topics:
        await reply(update, target.prefix + _nothing_followed(tr))
        return
    lines = [target.prefix + tr._("Digests carry new briefings about any of:")]
    lines += [f"{BULLET} {_shown(t)}" for t in topics]
    lines.append("\n" + tr._("/follow adds topics, /unfollow removes them."))
    await reply(update, "\n".join(lines))


def _nothing_followed(tr: Translator) -> str:
    return tr._(
        "No topics followed: digests carry every new briefing. "
        "<code>/follow word</code> narrows them down."
    )


async def _target(update: Update, context: BotContext) -> Target | None:
    """The chat to change; only looking (no topics given) needs no rights."""
    given = context.args or []
    rest = given[1:] if given and is_channel_ref(given[0]) else given
    return await settings_target(update, context, change=bool(rest))
