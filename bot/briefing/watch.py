"""Saved briefing files reach the library at once: operating-system change notifications.

`watchfiles` (inotify, FSEvents, ...) reports created, changed, renamed and deleted files in the
briefings folders; changes are grouped until the folder has been quiet for `QUIET_MS` (editors
save in several steps: truncate then write, write a temporary file then rename it, several writes
in a row), then only those files are reloaded. A file that fails to load is tried once more after
`RETRY_SECONDS` before its error is reported, since it may have been caught half-written; either
way its last good version stays on air.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from bot.briefing.library import SUFFIXES, BriefingLibrary, ReloadReport

log = logging.getLogger(__name__)

QUIET_MS = 100  # a burst of changes is over after this much quiet
MAX_GROUP_MS = 400  # but never hold changes back longer than this
WAKE_MS = 1000  # how often the watcher looks up when nothing happens (to see `stop`)
RETRY_SECONDS = 0.3


class WatchUnavailable(Exception):
    """Change notifications cannot be had here; the caller falls back to scanning."""


def folders_to_watch(sources: list[Path]) -> list[Path]:
    """The folders whose changes matter: each source folder, and the folder of each source file."""
    return list(dict.fromkeys(s if s.is_dir() else s.parent for s in sources))


async def watch_library(
    library: BriefingLibrary,
    sources: list[Path],
    on_reload: Callable[[ReloadReport], None],
    stop: asyncio.Event,
) -> None:
    """Reload changed briefing files as they are saved, until `stop` is set.

    Raises `WatchUnavailable` if the folders cannot be watched (no notifications, no folder).
    """
    try:
        from watchfiles import awatch
    except ImportError as exc:  # pragma: no cover - watchfiles is a dependency
        raise WatchUnavailable(f"watchfiles is not installed ({exc})") from None
    folders = folders_to_watch(sources)
    missing = [str(f) for f in folders if not f.is_dir()]
    if missing:
        raise WatchUnavailable(f"no such folder: {', '.join(missing)}")

    def briefing_file(_change: object, path: str) -> bool:
        return path.endswith(SUFFIXES)

    changes = awatch(
        *folders,
        watch_filter=briefing_file,
        debounce=MAX_GROUP_MS,
        step=QUIET_MS,
        stop_event=stop,
        rust_timeout=WAKE_MS,
        yield_on_timeout=True,
        recursive=False,
        ignore_permission_denied=True,
    )
    caught_up = False
    try:
        async for batch in changes:
            if not caught_up:
                # The watcher is up now: one full scan picks up whatever was saved between the
                # library's last scan and this moment, which no notification will report.
                caught_up = True
                report = library.reload()
            elif not batch:
                continue
            else:
                report = library.reload_paths({path for _, path in batch})
            if report.errors:
                report = await _retry_failed(library, report)
            on_reload(report)
    except (OSError, RuntimeError) as exc:
        # notify reports a watcher it cannot start (e.g. the inotify limit) as these.
        raise WatchUnavailable(str(exc)) from exc


async def _retry_failed(library: BriefingLibrary, report: ReloadReport) -> ReloadReport:
    """Load the files that failed once more after a pause; report the errors that remain."""
    failed = {str(error.path) for error in report.errors}
    await asyncio.sleep(RETRY_SECONDS)
    retried = library.reload_paths(failed)
    # A file still broken but unchanged is not parsed again; its error is still current.
    errors = [e for e in library.errors if str(e.path) in failed]
    return ReloadReport(
        added=report.added + [i for i in retried.added if i not in report.added],
        changed=report.changed + [i for i in retried.changed if i not in report.changed],
        removed=report.removed + retried.removed,
        errors=errors,
    )
