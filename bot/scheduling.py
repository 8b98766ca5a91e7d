"""Timers on python-telegram-bot's JobQueue: the digest tick and the briefings reload.

Schedules live in SQLite (each chat's next digest time), not in the JobQueue, which forgets
everything on restart. A tick every few seconds, aligned to the wall clock, asks the store who is
due; the first tick after start-up is what sends digests missed while the bot was down.
"""

from __future__ import annotations

import logging
import time

from bot.context import BotApplication, BotContext

log = logging.getLogger(__name__)

DIGEST_TICK_SECONDS = 10


def schedule_jobs(application: BotApplication) -> None:
    """Register the repeating jobs."""
    jobs = application.job_queue
    if jobs is None:  # pragma: no cover - the job-queue extra is a dependency
        raise RuntimeError("python-telegram-bot's job queue is not installed")
    # Digest times are whole minutes; aligning ticks to multiples of 10 s fires them on time.
    first = DIGEST_TICK_SECONDS - time.time() % DIGEST_TICK_SECONDS
    jobs.run_once(digest_tick, when=0.5, name="digest-catch-up")
    jobs.run_repeating(digest_tick, interval=DIGEST_TICK_SECONDS, first=first, name="digest-tick")


def schedule_reload_scan(application: BotApplication) -> None:
    """Scan the briefings folder every `briefings.reload_seconds` (when it cannot be watched)."""
    jobs = application.job_queue
    if jobs is None:  # pragma: no cover - the job-queue extra is a dependency
        raise RuntimeError("python-telegram-bot's job queue is not installed")
    every = application.bot_data["services"].config.briefings.reload_seconds
    jobs.run_repeating(reload_tick, interval=every, first=every, name="briefings-reload")


async def digest_tick(context: BotContext) -> None:
    """Send the digests that are due; a long fan-out runs on while later ticks skip its chats."""
    if not context.services.library.loaded:
        return  # the first tick after the briefings are loaded sends what is due
    context.application.create_task(context.services.runner.run_due(), name="digest-fanout")


async def reload_tick(context: BotContext) -> None:
    """Pick up new, changed and removed briefing files."""
    report = context.services.library.reload()
    for error in report.errors:
        log.warning("briefing not reloaded, last good version kept: %s", error)
    if report.changed_anything:
        log.info(
            "briefings reloaded: %d added, %d changed, %d removed",
            len(report.added), len(report.changed), len(report.removed),
        )  # fmt: skip
