"""The operations web server: ``GET /healthz`` and ``GET /metrics`` on ``ops.port``.

It runs next to the bot in every mode, on a port of its own. In webhook mode python-telegram-bot
keeps its own webhook server (and with it the secret-token check on every update); health and
metrics stay off the public webhook address, for the load balancer and the scraper only.

While it runs, a probe asks the Bot API (`getMe`) and the database every quarter window, so
`/healthz` reflects both even when no user writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST
from telegram import Bot
from telegram.error import TelegramError
from tornado.httpserver import HTTPServer
from tornado.web import Application, RequestHandler

from bot.ops.health import HealthState
from bot.ops.metrics import Metrics
from bot.storage import Store

log = logging.getLogger(__name__)

OPS_SERVER_KEY = "ops_server"


class OpsPortError(Exception):
    """``ops.port`` cannot be listened on; the message names the setting and the cause."""


class _Healthz(RequestHandler):
    def initialize(self, health: HealthState, window: float) -> None:
        self.health = health
        self.window = window

    def get(self) -> None:
        healthy, body = self.health.report(self.window)
        self.set_status(200 if healthy else 503)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body))


class _Metrics(RequestHandler):
    def initialize(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def get(self) -> None:
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(self.metrics.render())


async def probe(bot: Bot, store: Store, health: HealthState) -> None:
    """Check the database and the Bot API once; record each outcome."""
    try:
        store.next_due_time()  # a real query on the real table: the cheapest honest check
    except Exception as exc:  # any failure of the database is what this check reports
        health.failed("database", str(exc) or type(exc).__name__)
    else:
        health.ok("database")
    try:
        await bot.get_me()
    except TelegramError as exc:
        health.failed("bot_api", str(exc) or type(exc).__name__)
    else:
        health.ok("bot_api")


class OpsServer:
    """The web server and the probe, started after the bot and stopped before it closes."""

    def __init__(
        self,
        *,
        listen: str,
        port: int,
        window: float,
        bot: Bot,
        store: Store,
        health: HealthState,
        metrics: Metrics,
    ) -> None:
        self.listen, self.port, self.window = listen, port, window
        self.bot, self.store, self.health = bot, store, health
        routes: list[Any] = [
            (r"/healthz", _Healthz, {"health": health, "window": window}),
            (r"/metrics", _Metrics, {"metrics": metrics}),
        ]
        self._app = Application(routes)
        self._server: HTTPServer | None = None
        self._probe: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Probe once, then listen; raise `OpsPortError` if the port cannot be bound."""
        await probe(self.bot, self.store, self.health)
        try:
            self._server = self._app.listen(self.port, self.listen, xheaders=True)
        except OSError as exc:
            cause = (exc.strerror or str(exc)).lower()
            raise OpsPortError(
                f"ops.port: cannot listen on {self.listen}:{self.port}: {cause}"
            ) from None
        self._probe = asyncio.create_task(self._probe_loop(), name="ops-probe")
        log.info("health and metrics on http://%s:%d/", self.listen, self.port)

    async def _probe_loop(self) -> None:
        while True:
            await asyncio.sleep(self.window / 4)
            await probe(self.bot, self.store, self.health)

    async def stop(self) -> None:
        """Stop the probe and the server."""
        if self._probe is not None:
            self._probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
