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
from bot.i18n import N_, Translator


@cache
def _zone_names() -> dict[str, str]:
    """IANA zone names by their lowercase form."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def _when(moment: dt.datetime, zone: zoneinfo.ZoneInfo, tr: Translator) -> str:
    local = moment.astimezone(zone)
    return f"{tr.moment(local)} ({local.tzname()})"


DEFAULT_SCHEDULE = N_(", the default schedule")


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
            answer = context.tr._(
                "“%(words)s” is not a time of day. Use 24-hour HH:MM, "
                "for example <code>/subscribe 07:30</code>, or just /subscribe for the "
                "default schedule."
            )
            await reply(update, answer % {"words": e(" ".join(args)[:40])})
            return
    now = services.clock.now()
    record = services.store.chat(target.chat_id)
    timezone = record.timezone if record else None
    next_due = services.planner.next_due(daily_at, timezone, now)
    services.store.subscribe(target.chat_id, daily_at, next_due, now)
    zone = services.planner.zone(timezone)
    tr = context.tr
    schedule = describe_schedule(services.planner.schedule(daily_at).expression, zone.key, tr)
    if not daily_at:
        schedule += tr._(DEFAULT_SCHEDULE)
    answer = tr._(
        "✅ Subscribed: a digest of new briefings %(schedule)s.\n"
        "Next digest: %(next)s.\n"
        "Change the time zone with /timezone%(ref)s, stop with /unsubscribe%(ref)s."
    ) % {"schedule": e(schedule), "next": e(_when(next_due, zone, tr)), "ref": e(target.ref)}
    ignored = ignored_words(args[1:], "subscribe", N_("one time of day"), tr)
    await reply(update, target.prefix + answer + ignored)


async def cmd_unsubscribe(update: Update, context: BotContext) -> None:
    """Stop digests."""
    target = await settings_target(update, context, change=True)
    if target is None:
        return
    services = context.services
    record = services.store.chat(target.chat_id)
    tr = context.tr
    ignored = ignored_words(target.args, "unsubscribe", tr=tr)
    if record is None or not record.subscribed:
        answer = tr._("This chat is not subscribed. /subscribe starts daily digests.")
        await reply(update, target.prefix + answer + ignored)
        return
    services.store.unsubscribe(target.chat_id, services.clock.now())
    answer = tr._("Unsubscribed: no more digests. /subscribe brings them back.")
    await reply(update, target.prefix + answer + ignored)


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
        answer = context.tr._(
            "This chat's time zone is <b>%(zone)s</b>.\n"
            "Change it with <code>/timezone Area/City</code>, e.g. "
            "<code>/timezone Europe/Berlin</code>."
        )
        await reply(update, target.prefix + answer % {"zone": e(zone.key)})
        return
    wanted = " ".join(args)[:64]
    names = _zone_names()
    name = names.get(wanted.lower().replace(" ", "_"))
    if name is None:
        close = difflib.get_close_matches(wanted.lower(), list(names), n=5, cutoff=0.5)
        hint = "\n".join(f"{BULLET} <code>{e(names[c])}</code>" for c in close)
        tr = context.tr
        await reply(
            update,
            tr._("I don't know the time zone “%(zone)s”.") % {"zone": e(wanted)}
            + ("\n" + tr._("Did you mean:") + f"\n{hint}" if hint else "")
            + "\n"
            + tr._(
                "Use an IANA name like <code>Europe/Berlin</code> or <code>America/New_York</code>."
            ),
        )
        return
    now = services.clock.now()
    next_due = None
    if record is not None and record.subscribed:
        next_due = services.planner.next_due(record.daily_at, name, now)
    services.store.set_timezone(target.chat_id, name, next_due, now)
    zone = zoneinfo.ZoneInfo(name)
    tr = context.tr
    text = target.prefix + tr._("🕗 Time zone set to <b>%(zone)s</b> (now %(time)s there).") % {
        "zone": e(name),
        "time": f"{now.astimezone(zone):%H:%M}",
    }
    if next_due is not None:
        text += "\n" + tr._("Next digest: %(next)s.") % {"next": e(_when(next_due, zone, tr))}
    await reply(update, text)


async def cmd_digest(update: Update, context: BotContext) -> None:
    """Send this chat its digest now, or say there is nothing new."""
    chat = update.effective_chat
    if chat is None:
        return
    tr = context.tr
    result = await context.services.runner.deliver_now(chat.id, tr.language)
    # The digest itself goes out through the runner, as scheduled ones do; the note about
    # ignored words then follows it, or ends the answer that there is nothing to send.
    ignored = ignored_words(context.args, "digest", tr=tr).lstrip()
    if result is None:
        runner = context.services.runner
        if runner.topic_filter(chat.id).topics and runner.build(chat.id, filtered=False):
            nothing = tr._(
                "Nothing new on your topics (/following lists them). /briefings lists everything."
            )
        else:
            nothing = tr._("Nothing new since your last digest. /briefings lists everything.")
        await reply(update, nothing + (f"\n\n{ignored}" if ignored else ""))
    elif result.outcome is Outcome.FAILED:
        answer = tr._("I couldn't send the digest just now. Please try again in a minute.")
        await reply(update, answer)
    elif ignored:
        await reply(update, ignored)


async def cmd_settings(update: Update, context: BotContext) -> None:
    """Show subscription, time, time zone, topics and the next digest."""
    target = await settings_target(update, context, change=False)
    if target is None:
        return
    tr = context.tr
    html = settings_html(context.services, target.chat_id, tr, target.channel)
    await reply(update, html + ignored_words(target.args, "settings", tr=tr))


def settings_html(
    services: BotServices, chat_id: int, tr: Translator, channel: str | None = None
) -> str:
    """A chat's (or a channel's) digest settings."""
    record = services.store.chat(chat_id)
    zone = services.planner.zone(record.timezone if record else None)
    if channel:
        heading = tr._("Settings of %(channel)s") % {"channel": e(channel)}
    else:
        heading = tr._("Settings")
    lines = [f"<b>{heading}</b>", ""]
    if record is not None and record.subscribed:
        expression = services.planner.schedule(record.daily_at).expression
        schedule = e(describe_schedule(expression, zone.key, tr))
        if not record.daily_at:
            schedule += tr._(DEFAULT_SCHEDULE)
        lines.append(tr._("Digest: subscribed, %(schedule)s") % {"schedule": schedule})
        if not record.active:
            lines.append(tr._("Paused: I can't post there (/subscribe again once I can)"))
        elif record.next_due is not None:
            moment = e(_when(record.next_due, zone, tr))
            lines.append(tr._("Next digest: %(next)s") % {"next": moment})
    else:
        lines.append(tr._("Digest: not subscribed (/subscribe)"))
    lines.append(tr._("Time zone: %(zone)s") % {"zone": e(zone.key)})
    topics = services.store.topics(chat_id)
    if topics:
        listed = ", ".join(e(t) for t in topics)
        lines.append(tr._("Topics: %(topics)s (/following)") % {"topics": listed})
    else:
        lines.append(tr._("Topics: all briefings (/follow to choose)"))
    delivered = len(services.store.delivered_ids(chat_id))
    lines.append(
        tr._("Briefings received so far: %(received)d of %(total)d")
        % {"received": delivered, "total": len(services.library)}
    )
    return "\n".join(lines)
