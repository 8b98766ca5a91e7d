"""Per-update CPU of answering a command, in-process, next to a bare python-telegram-bot app.

Set-up: briefbot's real `Application` (as `SimulatedBot` builds it: the repository's briefings,
a fresh SQLite file, every handler group and wrapper) and a bare `Application` with one
MessageHandler answering "Noted." both talk to the in-process `FakeRequest`. Each command is fed
`--count` times with `Application.process_update`, the way the update fetcher hands updates on.

How to read the figures: "own" is the time per update less the time spent inside the fake
(which parses every HTML answer as Telegram would, so a long answer costs the fake more than
"Noted."). It is the dispatch through the handler groups, the wrappers, `track_chat`, rendering,
building the request and parsing the answer's echo, without HTTP or the event loop's waiting:
the part of `bench_commands.py`'s latency that the bot's code decides. `--profile` prints where
briefbot's time goes (cProfile, cumulative, our modules and python-telegram-bot's dispatch).

Run: ``PYTHONPATH=. python bench/bench_dispatch.py [--count N] [--profile]``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import logging
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.config import Config
from bot.simulation.fake_api import FakeBotAPI, FakeRequest
from bot.simulation.harness import SimulatedBot

REPO = Path(__file__).resolve().parent.parent
COMMANDS = ("/who_attends", "/quotes")
CHAT = 1001
START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


class TimedRequest(FakeRequest):
    """The in-process fake, adding up the time spent inside it."""

    def __init__(self, api: FakeBotAPI) -> None:
        super().__init__(api)
        self.spent = 0.0

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Answer as the fake does; note how long it took."""
        started = time.perf_counter()
        try:
            return await super().do_request(*args, **kwargs)
        finally:
            self.spent += time.perf_counter() - started


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text("Noted.")


async def per_update(
    app: Application,  # type: ignore[type-arg]
    request: TimedRequest,
    raw: dict[str, Any],
    count: int,
    profile: cProfile.Profile | None = None,
) -> tuple[float, float]:
    """Seconds per update: all of it, and less the fake's share."""
    updates = [Update.de_json(raw, app.bot) for _ in range(count)]
    request.spent = 0.0
    started = time.perf_counter()
    if profile is not None:
        profile.enable()
    for update in updates:
        await app.process_update(update)
    if profile is not None:
        profile.disable()
    took = time.perf_counter() - started
    return took / count, (took - request.spent) / count


async def measure(count: int, warmup: int, profile: bool) -> None:
    """Time each command on both apps, alternating in rounds so drift hits both alike."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-dispatch-"))
    config = Config.model_validate(
        {"briefings": {"dir": str(REPO / "briefings")}, "storage": {"path": str(workdir / "s.db")}}
    )
    sim = SimulatedBot(config, storage_path=config.storage.path, start=START)
    request = TimedRequest(sim.api)
    sim.application.bot._request = (request, request)  # both of the bot's request slots
    bare_request = TimedRequest(FakeBotAPI())
    bare = ApplicationBuilder().token(bare_request.api.token).request(bare_request).build()
    bare.add_handler(MessageHandler(filters.COMMAND, _answer))
    profiler = cProfile.Profile() if profile else None
    async with sim:
        await bare.initialize()
        print(f"{'command':<14}{'bare all':>10}{'bare own':>10}{'bb all':>10}{'bb own':>10}  ratio")
        for command in COMMANDS:
            raw = sim.updates.message(command, chat_id=CHAT)
            await per_update(bare, bare_request, raw, warmup)
            await per_update(sim.application, request, raw, warmup)
            rounds = 5
            figures: list[tuple[float, float]] = [(0.0, 0.0), (0.0, 0.0)]
            for _ in range(rounds):
                for i, (app, req) in enumerate(((bare, bare_request), (sim.application, request))):
                    all_, own = await per_update(
                        app, req, raw, count // rounds, profiler if i else None
                    )
                    figures[i] = (figures[i][0] + all_ / rounds, figures[i][1] + own / rounds)
            (b_all, b_own), (r_all, r_own) = figures
            print(
                f"{command:<14}{b_all * 1e6:>8.0f}µs{b_own * 1e6:>8.0f}µs"
                f"{r_all * 1e6:>8.0f}µs{r_own * 1e6:>8.0f}µs  {r_own / b_own:5.2f}x own"
            )
        await bare.shutdown()
        if sim.errors:
            raise SystemExit(f"handlers raised: {sim.errors!r}")
    if profiler is not None:
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(r"bot/(handlers|briefing|context|ops|storage|ratelimit)|telegram/ext", 40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="updates timed per command")
    parser.add_argument("--warmup", type=int, default=100, help="updates before timing")
    parser.add_argument("--profile", action="store_true", help="print briefbot's profile")
    args = parser.parse_args()
    # Logging is written off the event loop in production (a QueueHandler): not part of this.
    logging.disable(logging.INFO)
    asyncio.run(measure(args.count, args.warmup, args.profile))


if __name__ == "__main__":
    main()
