"""The start-up check of the Bot API, in-process against the fake Bot API server."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from conftest import token_like

from bot.simulation.fake_api import FakeBotAPI, FakeBotAPIServer
from bot.startup_check import TokenRejected, Unreachable, check_bot_api

TOKEN = token_like()


@pytest.fixture
def api() -> Iterator[tuple[FakeBotAPI, FakeBotAPIServer]]:
    fake = FakeBotAPI(token=TOKEN)
    with FakeBotAPIServer(fake) as server:
        yield fake, server


class TestCheckBotAPI:
    """getMe is retried with backoff; the outcome is reachable, rejected or one cause."""

    async def test_a_passing_outage_is_waited_out(
        self, api: tuple[FakeBotAPI, FakeBotAPIServer]
    ) -> None:
        fake, server = api
        fake.fail("getMe", times=1, status=502, description="Bad Gateway")
        started = time.monotonic()
        await check_bot_api(TOKEN, server.base_url, budget=5)
        assert 0.9 < time.monotonic() - started < 4  # one pause of a second, then success
        assert [r.status for r in fake.requests if r.method == "getMe"] == [502, 200]

    async def test_an_error_status_until_the_end(
        self, api: tuple[FakeBotAPI, FakeBotAPIServer]
    ) -> None:
        fake, server = api
        fake.fail("getMe", times=100, status=502, description="Bad Gateway")
        with pytest.raises(Unreachable) as caught:
            await check_bot_api(TOKEN, server.base_url, budget=0.3)
        assert re.fullmatch(
            rf"cannot reach the Telegram Bot API at {re.escape(server.base_url)}…: the server"
            r" answered: Bad Gateway \(tried 2 times over 0\.\d s\)",
            str(caught.value),
        )
        assert TOKEN not in str(caught.value)

    async def test_a_rejected_token_is_not_retried(
        self, api: tuple[FakeBotAPI, FakeBotAPIServer]
    ) -> None:
        _, server = api
        started = time.monotonic()
        with pytest.raises(TokenRejected):
            await check_bot_api(token_like(987654321, "Wrong"), server.base_url, budget=5)
        assert time.monotonic() - started < 0.9  # a retry would have waited a second first
