"""Admin commands (users listed in `admins`): /stats (with the live replicas) and /reload."""

from __future__ import annotations

import datetime as dt

from telegram import Update

from bot.briefing.render import BULLET, e, plural
from bot.context import BotContext, BotServices
from bot.handlers.common import ignored_words, reply

MAX_ERRORS_SHOWN = 10


async def _is_admin(update: Update, context: BotContext) -> bool:
    user = update.effective_user
    if context.services.is_admin(user.id if user else None):
        return True
    await reply(update, "This command is for the bot's admins.")
    return False


async def cmd_stats(update: Update, context: BotContext) -> None:
    """Subscribers, deliveries today, briefings loaded and reload errors."""
    if not await _is_admin(update, context):
        return
    services = context.services
    now = services.clock.now()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    stats = services.store.stats(since=midnight)
    errors = services.library.errors
    lines = [
        "<b>Stats</b>",
        "",
        f"Chats: {stats.chats}",
        f"Subscribers: {stats.subscribers} ({stats.active_subscribers} active)",
        f"Deliveries today (UTC): {stats.deliveries_since}",
        f"Briefings loaded: {len(services.library)}",
        f"Briefing files with errors: {len({err.path for err in errors})}",
        f"Up since: {services.started_at:%Y-%m-%d %H:%M} UTC ({_ago(now - services.started_at)})",
    ]
    lines += [f"{BULLET} <code>{e(str(err))}</code>" for err in errors[:MAX_ERRORS_SHOWN]]
    lines += _replica_lines(services, now)
    await reply(update, "\n".join(lines) + ignored_words(context.args, "stats"))


def _replica_lines(services: BotServices, now: dt.datetime) -> list[str]:
    """The live replicas sharing the database and their roles; none outside `briefbot run`."""
    live = services.store.replicas(now)
    if not live:
        return []
    mine = services.replica.record.replica_id if services.replica else None
    lines = ["", f"<b>Replicas</b>: {len(live)} live"]
    for replica in live:
        port = f", port {replica.port}" if replica.port else ""
        here = " (this one)" if replica.replica_id == mine else ""
        beat = max(0, int((now - replica.heartbeat_at).total_seconds()))
        lines.append(
            f"{BULLET} <code>{e(replica.replica_id)}</code>{here}: {e(replica.role)}{port};"
            f" up {_ago(now - replica.started_at)}, last heartbeat {beat} s ago"
        )
    return lines


def _ago(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 1440}d {minutes // 60 % 24}h {minutes % 60}m"


async def cmd_reload(update: Update, context: BotContext) -> None:
    """Reload the briefings folder now and report what changed."""
    if not await _is_admin(update, context):
        return
    library = context.services.library
    report = library.reload()
    lines = [
        "<b>Reloaded</b>",
        f"Added: {len(report.added)}, changed: {len(report.changed)}, "
        f"removed: {len(report.removed)}; {plural(len(library), 'briefing')} loaded.",
    ]
    errors = library.errors
    if errors:
        lines += ["", f"<b>{plural(len(errors), 'error')}</b>, last good versions still served:"]
        lines += [f"{BULLET} <code>{e(str(err))}</code>" for err in errors[:MAX_ERRORS_SHOWN]]
    await reply(update, "\n".join(lines) + ignored_words(context.args, "reload"))
