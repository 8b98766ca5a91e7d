"""Admin commands (users listed in `admins`): /stats (with the live replicas) and /reload."""

from __future__ import annotations

import datetime as dt

from telegram import Update

from bot.briefing.render import BULLET, e
from bot.context import BotContext, BotServices
from bot.handlers.common import ignored_words, reply
from bot.i18n import N_, Translator

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
    tr = context.tr
    lines = [
        "<b>" + tr._("Stats") + "</b>",
        "",
        tr._("Chats: %(count)d") % {"count": stats.chats},
        tr._("Subscribers: %(count)d (%(active)d active)")
        % {"count": stats.subscribers, "active": stats.active_subscribers},
        tr._("Deliveries today (UTC): %(count)d") % {"count": stats.deliveries_since},
        tr._("Briefings loaded: %(count)d") % {"count": len(services.library)},
        tr._("Briefing files with errors: %(count)d")
        % {"count": len({err.path for err in errors})},
        tr._("Up since: %(moment)s UTC (%(ago)s)")
        % {
            "moment": f"{services.started_at:%Y-%m-%d %H:%M}",
            "ago": _ago(now - services.started_at, tr),
        },
    ]
    lines += [f"{BULLET} <code>{e(str(err))}</code>" for err in errors[:MAX_ERRORS_SHOWN]]
    lines += _replica_lines(services, now, tr)
    await reply(update, "\n".join(lines) + ignored_words(context.args, "stats", tr=tr))


def _replica_lines(services: BotServices, now: dt.datetime, tr: Translator) -> list[str]:
    """The live replicas sharing the database and their roles; none outside `briefbot run`."""
    live = services.store.replicas(now)
    if not live:
        return []
    mine = services.replica.record.replica_id if services.replica else None
    lines = ["", tr._("<b>Replicas</b>: %(count)d live") % {"count": len(live)}]
    for replica in live:
        beat = max(0, int((now - replica.heartbeat_at).total_seconds()))
        details = {
            "id": f"<code>{e(replica.replica_id)}</code>",
            "role": e(replica.role),
            "port": replica.port or "-",
            "ago": _ago(now - replica.started_at, tr),
            "beat": beat,
        }
        line = tr._("%(id)s: %(role)s, port %(port)s; up %(ago)s, last heartbeat %(beat)d s ago")
        here = tr._(" (this one)") if replica.replica_id == mine else ""
        lines.append(f"{BULLET} " + line % details + here)
    return lines


def _ago(delta: dt.timedelta, tr: Translator) -> str:
    minutes = int(delta.total_seconds() // 60)
    return tr._("%(days)dd %(hours)dh %(minutes)dm") % {
        "days": minutes // 1440,
        "hours": minutes // 60 % 24,
        "minutes": minutes % 60,
    }


async def cmd_reload(update: Update, context: BotContext) -> None:
    """Reload the briefings folder now and report what changed."""
    if not await _is_admin(update, context):
        return
    library = context.services.library
    report = library.reload()
    tr = context.tr
    loaded = tr.ngettext("%(count)d briefing", "%(count)d briefings", len(library)) % {
        "count": len(library)
    }
    lines = [
        "<b>" + tr._("Reloaded") + "</b>",
        tr._("Added: %(added)d, changed: %(changed)d, removed: %(removed)d; %(loaded)s loaded.")
        % {
            "added": len(report.added),
            "changed": len(report.changed),
            "removed": len(report.removed),
            "loaded": loaded,
        },
    ]
    errors = library.errors
    if errors:
        count = len(errors)
        lines += [
            "",
            tr.ngettext(
                "<b>%(count)d error</b>, last good versions still served:",
                "<b>%(count)d errors</b>, last good versions still served:",
                count,
            )
            % {"count": count},
        ]
        lines += [f"{BULLET} <code>{e(str(err))}</code>" for err in errors[:MAX_ERRORS_SHOWN]]
    await reply(update, "\n".join(lines) + ignored_words(context.args, "reload", tr=tr))
