"""Keeping the briefings current while the bot runs.

At start-up the library loads in a worker thread while the bot already answers (commands that
need briefings say they are still loading). Then saved files are picked up as they are saved,
through change notifications (`bot.briefing.watch`); where those are turned off or unavailable,
the folder is scanned every `briefings.reload_seconds` by a job instead, which is logged once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from bot.briefing.library import LoadStopped, ReloadReport
from bot.briefing.watch import WatchUnavailable, watch_library
from bot.context import BotApplication, BotServices
from bot.scheduling import schedule_reload_scan

log = logging.getLogger(__name__)


def log_reload(report: ReloadReport) -> None:
    """One line for what a reload changed, and one per file that could not be loaded."""
    for error in report.errors:
        log.warning("briefing not reloaded, last good version kept: %s", error)
    if report.changed_anything:
        log.info(
            "briefings reloaded: %d added, %d changed, %d removed",
            len(report.added), len(report.changed), len(report.removed),
        )  # fmt: skip


class BriefingUpkeep:
    """The background task that loads the library, then watches its folder (or schedules scans)."""

    def __init__(self, application: BotApplication, services: BotServices, *, watch: bool) -> None:
        self._application = application
        self._services = services
        self._watch = watch
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._warming: asyncio.Future[int] | None = None

    def start(self) -> None:
        """Start loading and watching in the background."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="briefings-upkeep")

    async def stop(self) -> None:
        """Stop watching, and stop a first load that is still running."""
        self._stop.set()
        self._services.library.stop_loading()  # a first load, or the listings' warming
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._warming is not None:
            try:
                await self._warming
            except Exception:  # only slower searches: each lists its briefings itself
                log.warning("could not list the briefings ahead of searches", exc_info=True)

    async def _run(self) -> None:
        library = self._services.library
        if not library.loaded:
            started = time.perf_counter()
            log.info("loading the briefings in the background; the bot answers meanwhile")
            try:
                await asyncio.to_thread(library.reload)
            except LoadStopped:
                return
            except Exception:  # e.g. the index's disk is full: say so rather than die quietly
                log.error("could not load the briefings", exc_info=True)
                return
            for error in library.errors:
                log.warning("briefing not loaded: %s", error)
            log.info("briefings loaded: %d in %.1f s", len(library), time.perf_counter() - started)
            # Search results then list briefings without unpacking them; meanwhile they unpack.
            self._warming = asyncio.get_running_loop().run_in_executor(None, library.warm_listings)
        if not self._watch:
            return  # the simulator: reloads happen when asked
        if not self._services.config.briefings.watch:
            self._fall_back("briefings.watch is off")
            return
        try:
            await watch_library(library, library.sources, log_reload, self._stop)
        except WatchUnavailable as exc:
            self._fall_back(f"change notifications unavailable: {exc}")

    def _fall_back(self, why: str) -> None:
        every = self._services.config.briefings.reload_seconds
        log.warning("not watching the briefings folder (%s); scanning it every %g s", why, every)
        if self._application.job_queue is not None:
            schedule_reload_scan(self._application)
