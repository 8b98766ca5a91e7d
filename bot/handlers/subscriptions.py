"""Digest commands: /subscribe, /unsubscribe, /timezone, /digest and /settings."""

from __future__ import annotations

import datetime as dt
import difflib
import zoneinfo
from functools import cache

from telegram import Update

from bot.briefing.render import BULLET, e
from bot.context import BotContext, BotServices
from bot.digest.cron import CronSyntaxError, parse_time_of_day
from bot.digest.describe import describe_schedule
from bot.digest.runner import Outcome
from bot.handlers.common import ignored_words, reply
from bot.handlers.targets import is_channel_ref, settings_target


@cache
def _zone_names() -> dict[str, str]:
    """IANA zone names by their lowercase form."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def _when(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} ({local.tzname()})"


async def cmd_subscribe(update: Update, context: BotContext) -> None:
    """Subscribe to digests: on the default schedule, or daily at HH:MM."""
    target = await settings_target(update, context, change=True)
    if target is None:
        return
    services = context.services
    args = target.args
    daily_at: str | None = None
    if args:
        try:
            daily_at = parse_time_of_day(args[0])
        except CronSyntaxError:
            await reply(
                update,
                f"“{e(' '.join(args)[:40])}” is not a time of day. Use 24-hour HH:MM, "
                "for example <code>/subscribe 07:30</code>, or just /subscribe for the "
                "default schedule.",
            )
            return
    now = services.clock.now()
    record = services.store.chat(target.chat_id)
    timezone = record.timezone if record else None
    next_due = services.planner.next_due(daily_at, timezone, now)
    services.store.subscribe(target.chat_id, daily_at, next_due, now)
    zone = services.planner.zone(timezone)
    schedule = describe_schedule(services.planner.schedule(daily_at).expression, zone.key)
    if not daily_at:
        schedule += ", the default schedule"
    await reply(
        update,
        f"{target.prefix}✅ Subscribed: a digest of new briefings {e(schedule)}.\n"
        f"Next digest: {e(_when(next_due, zone))}.\n"
        f"Change the time zone with /timezone{e(target.ref)}, stop with "
        f"/unsubscribe{e(target.ref)}." + ignored_words(args[1:], "subscribe", "one time of day"),
    )


async def cmd_unsubscribe(update: Update, context: BotContext) -> None:
    """Stop digests."""
    target = await settings_target(update, context, change=True)
    if target is None:
        return
    services = context.services
    record = services.store.chat(target.chat_id)
    ignored = ignored_words(target.args, "unsubscribe")
    if record is None or not record.subscribed:
        await reply(
            update,
            f"{target.prefix}This chat is not subscribed. /subscribe starts daily digests."
            + ignored,
        )
        return
    services.store.unsubscribe(target.chat_id, services.clock.now())
    await reply(
        update,
        f"{target.prefix}Unsubscribed: no more digests. /subscribe brings them back." + ignored,
    )


async def cmd_timezone(update: Update, context: BotContext) -> None:
    """Set the chat's time zone (an IANA name such as Europe/Berlin)."""
    given = context.args or []
    rest = given[1:] if given and is_channel_ref(given[0]) else given
    target = await settings_target(update, context, change=bool(rest))
    if target is None:
        return
    services = context.services
    args = target.args
    record = services.store.chat(target.chat_id)
    if not args:
        zone = services.planner.zone(record.timezone if record else None)
        await reply(
            update,
            f"{target.prefix}This chat's time zone is <b>{e(zone.key)}</b>.\n"
            "Change it with <code>/timezone Area/City</code>, e.g. "
            "<code>/timezone Europe/Berlin</code>.",
        )
        return
    wanted = " ".join(args)[:64]
    names = _zone_names()
    name = names.get(wanted.lower().replace(" ", "_"))
    if name is None:
        close = difflib.get_close_matches(wanted.lower(), list(names), n=5, cutoff=0.5)
        hint = "\n".join(f"{BULLET} <code>{e(names[c])}</code>" for c in close)
        await reply(
            update,
            f"I don't know the time zone “{e(wanted)}”."
            + (f"\nDid you mean:\n{hint}" if hint else "")
            + "\nUse an IANA name like <code>Europe/Berlin</code> or "
            "<code>America/New_York</code>.",
        )
        return
    now = services.clock.now()
    next_due = None
    if record is not None and record.subscribed:
        next_due = services.planner.next_due(record.daily_at, name, now)
    services.store.set_timezone(target.chat_id, name, next_due, now)
    zone = zoneinfo.ZoneInfo(name)
    local = now.astimezone(zone)
    text = f"{target.prefix}🕗 Time zone set to <b>{e(name)}</b> (now {local:%H:%M} there)."
    if next_due is not None:
        text += f"\nNext digest: {e(_when(next_due, zone))}."
    await reply(update, text)


async def cmd_digest(update: Update, context: BotContext) -> None:
    """Send this chat its digest now, or say there is nothing new."""
    chat = update.effective_chat
    if chat is None:
        return
    result = await context.services.runner.deliver(chat.id)
    # The digest itself goes out through the runner, as scheduled ones do; the note about
    # ignored words then follows it, or ends the answer that there is nothing to send.
    ignored = ignored_words(context.args, "digest").lstrip()
    if result is None:
        runner = context.services.runner
        if runner.topic_filter(chat.id).topics and runner.build(chat.id, filtered=False):
            nothing = "Nothing new on your topics (/following lists them)."
        else:
            nothing = "Nothing new since your last digest."
        await reply(
            update,
            f"{nothing} /briefings lists everything." + (f"\n\n{ignored}" if ignored else ""),
        )
    elif result.outcome is Outcome.FAILED:
        await reply(update, "I couldn't send the digest just now. Please try again in a minute.")
    elif ignored:
        await reply(update, ignored)


async def cmd_settings(update: Update, context: BotContext) -> None:
    """Show subscription, time, time zone, topics and the next digest."""
    target = await settings_target(update, context, change=False)
    if target is None:
        return
    html = settings_html(context.services, target.chat_id, target.channel)
    await reply(update, html + ignored_words(target.args, "settings"))


def settings_html(services: BotServices, chat_id: int, channel: str | None = None) -> str:
    """A chat's (or a channel's) digest settings."""
    record = services.store.chat(chat_id)
    zone = services.planner.zone(record.timezone if record else None)
    heading = f"<b>Settings of {e(channel)}</b>" if channel else "<b>Settings</b>"
    lines = [heading, ""]
    if record is not None and record.subscribed:
        expression = services.planner.schedule(record.daily_at).expression
        schedule = e(describe_schedule(expression, zone.key))
        if not record.daily_at:
            schedule += ", the default schedule"
        lines.append(f"Digest: subscribed, {schedule}")
        if not record.active:
            lines.append("Paused: I can't post there (/subscribe again once I can)")
        elif record.next_due is not None:
            lines.append(f"Next digest: {e(_when(record.next_due, zone))}")
    else:
        lines.append("Digest: not subscribed (/subscribe)")
    lines.append(f"Time zone: {e(zone.key)}")
    topics = services.store.topics(chat_id)
    if topics:
        lines.append("Topics: " + ", ".join(e(t) for t in topics) + " (/following)")
    else:
        lines.append("Topics: all briefings (/follow to choose)")
    delivered = len(services.store.delivered_ids(chat_id))
    lines.append(f"Briefings received so far: {delivered} of {len(services.library)}")
    return "\n".join(lines)
