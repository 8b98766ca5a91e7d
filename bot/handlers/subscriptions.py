"""Digest commands: /subscribe, /unsubscribe, /timezone, /digest and /settings."""

from __future__ import annotations

import datetime as dt
import difflib
import zoneinfo
from functools import cache

from telegram import Update
from telegram.constants import ChatMemberStatus

from bot.briefing.render import BULLET, e
from bot.context import BotContext
from bot.digest.cron import CronSyntaxError, parse_time_of_day
from bot.digest.describe import describe_schedule
from bot.digest.runner import Outcome
from bot.handlers.common import ignored_words, is_private, reply
from bot.i18n import N_, Translator

ADMIN_STATUSES = {ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}


@cache
def _zone_names() -> dict[str, str]:
    """IANA zone names by their lowercase form."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def _when(moment: dt.datetime, zone: zoneinfo.ZoneInfo, tr: Translator) -> str:
    local = moment.astimezone(zone)
    return f"{tr.moment(local)} ({local.tzname()})"


DEFAULT_SCHEDULE = N_(", the default schedule")


async def _may_change_settings(update: Update, context: BotContext) -> bool:
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


async def cmd_subscribe(update: Update, context: BotContext) -> None:
    """Subscribe to digests: on the default schedule, or daily at HH:MM."""
    chat = update.effective_chat
    if chat is None or not await _may_change_settings(update, context):
        return
    services = context.services
    args = context.args or []
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
    record = services.store.chat(chat.id)
    timezone = record.timezone if record else None
    next_due = services.planner.next_due(daily_at, timezone, now)
    services.store.subscribe(chat.id, daily_at, next_due, now)
    zone = services.planner.zone(timezone)
    tr = context.tr
    schedule = describe_schedule(services.planner.schedule(daily_at).expression, zone.key, tr)
    if not daily_at:
        schedule += tr._(DEFAULT_SCHEDULE)
    answer = tr._(
        "✅ Subscribed: a digest of new briefings %(schedule)s.\n"
        "Next digest: %(next)s.\n"
        "Change the time zone with /timezone, stop with /unsubscribe."
    ) % {"schedule": e(schedule), "next": e(_when(next_due, zone, tr))}
    await reply(update, answer + ignored_words(args[1:], "subscribe", N_("one time of day"), tr))


async def cmd_unsubscribe(update: Update, context: BotContext) -> None:
    """Stop digests."""
    chat = update.effective_chat
    if chat is None or not await _may_change_settings(update, context):
        return
    services = context.services
    record = services.store.chat(chat.id)
    tr = context.tr
    ignored = ignored_words(context.args, "unsubscribe", tr=tr)
    if record is None or not record.subscribed:
        answer = tr._("This chat is not subscribed. /subscribe starts daily digests.")
        await reply(update, answer + ignored)
        return
    services.store.unsubscribe(chat.id, services.clock.now())
    answer = tr._("Unsubscribed: no more digests. /subscribe brings them back.")
    await reply(update, answer + ignored)


async def cmd_timezone(update: Update, context: BotContext) -> None:
    """Set the chat's time zone (an IANA name such as Europe/Berlin)."""
    chat = update.effective_chat
    if chat is None:
        return
    services = context.services
    args = context.args or []
    record = services.store.chat(chat.id)
    if not args:
        zone = services.planner.zone(record.timezone if record else None)
        answer = context.tr._(
            "This chat's time zone is <b>%(zone)s</b>.\n"
            "Change it with <code>/timezone Area/City</code>, e.g. "
            "<code>/timezone Europe/Berlin</code>."
        )
        await reply(update, answer % {"zone": e(zone.key)})
        return
    if not await _may_change_settings(update, context):
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
    services.store.set_timezone(chat.id, name, next_due, now)
    zone = zoneinfo.ZoneInfo(name)
    tr = context.tr
    text = tr._("🕗 Time zone set to <b>%(zone)s</b> (now %(time)s there).") % {
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
        await reply(
            update,
            tr._("Nothing new since your last digest. /briefings lists everything.")
            + (f"\n\n{ignored}" if ignored else ""),
        )
    elif result.outcome is Outcome.FAILED:
        answer = tr._("I couldn't send the digest just now. Please try again in a minute.")
        await reply(update, answer)
    elif ignored:
        await reply(update, ignored)


async def cmd_settings(update: Update, context: BotContext) -> None:
    """Show subscription, time, time zone and the next digest."""
    chat = update.effective_chat
    if chat is None:
        return
    services = context.services
    record = services.store.chat(chat.id)
    zone = services.planner.zone(record.timezone if record else None)
    tr = context.tr
    lines = ["<b>" + tr._("Settings") + "</b>", ""]
    if record is not None and record.subscribed:
        expression = services.planner.schedule(record.daily_at).expression
        schedule = e(describe_schedule(expression, zone.key, tr))
        if not record.daily_at:
            schedule += tr._(DEFAULT_SCHEDULE)
        lines.append(tr._("Digest: subscribed, %(schedule)s") % {"schedule": schedule})
        if record.next_due is not None:
            moment = e(_when(record.next_due, zone, tr))
            lines.append(tr._("Next digest: %(next)s") % {"next": moment})
    else:
        lines.append(tr._("Digest: not subscribed (/subscribe)"))
    lines.append(tr._("Time zone: %(zone)s") % {"zone": e(zone.key)})
    delivered = len(services.store.delivered_ids(chat.id))
    lines.append(
        tr._("Briefings received so far: %(received)d of %(total)d")
        % {"received": delivered, "total": len(services.library)}
    )
    await reply(update, "\n".join(lines) + ignored_words(context.args, "settings", tr=tr))
