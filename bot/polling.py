"""The getUpdates connection: each long poll starts once the answers to the last updates left.

Updates are handled concurrently (each in its own task), and python-telegram-bot calls
getUpdates again as soon as an answer arrives. Building and sending that call is about 0.3 ms of
work on the event loop, and it used to run before the handlers' answers were written to their
sockets: every answer to a polled update left that much later. A millisecond's pause before
each getUpdates lets the answers go first; an update that arrives in that millisecond is simply
picked up by the poll that follows. Webhook mode has no poll and no pause.

Only the pause: failed polls are retried with python-telegram-bot's own back-off
(``run_polling``'s ``poll_interval`` would add the pause too, but it also shrinks that back-off
from a second to a millisecond).
"""

from __future__ import annotations

import asyncio

from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, HTTPXRequest, RequestData

# Long enough for a handler's answer to reach its socket; short next to any network's delay.
ANSWERS_FIRST = 0.001


class PollingRequest(HTTPXRequest):
    """The connection getUpdates uses: python-telegram-bot's, with the pause before each poll."""

    def __init__(self, pause: float = ANSWERS_FIRST) -> None:
        """One connection, as python-telegram-bot's own getUpdates connection has."""
        super().__init__(connection_pool_size=1)
        self.pause = pause

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Pause, then poll as python-telegram-bot does."""
        await asyncio.sleep(self.pause)
        return await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
