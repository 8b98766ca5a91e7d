"""Admin commands (users listed in `admins`): /stats and /reload."""

from __future__ import annotations

import datetime as dt

from telegram import Update

from bot.briefing.render import BULLET, e, plural
from bot.context import BotContext
from bot.handlers.common import ignored_words, reply
from bot.i18n import N_

MAX_ERRORS_SHOWN = 10
NOT_ADMIN = N_("This command is for the bot's admins.")


async def _is_admin(update: Update, context: BotContext) -> bool:
    user = update.effective_user
    if context.services.is_admin(user.id if user else None):
        return True
    await reply(update, context.tr._(NOT_ADMIN))
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
    await reply(update, "\n".join(lines) + ignored_words(context.args, "stats"))


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
