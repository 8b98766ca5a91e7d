"""The JobQueue timers, for real: the start-up catch-up digest, new files picked up by watching the
folder or, where it is not watched, by the briefings reload job, and the article window."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import briefing_yaml, make_config
from telegram import Update

from bot.application import build_application, create_services
from bot.simulation.fake_api import FakeBotAPI, FakeRequest
from bot.simulation.updates import UpdateFactory


async def wait_until(predicate: Callable[[], bool], seconds: float = 10.0) -> bool:
    try:
        async with asyncio.timeout(seconds):
            while not predicate():  # noqa: ASYNC110 - the state belongs to the app under test
                await asyncio.sleep(0.05)
    except TimeoutError:
        return False
    return True


@pytest.mark.parametrize("watch", [True, False], ids=["watching", "scanning"])
async def test_jobs_send_due_digests_and_pick_up_new_files(
    briefings_dir: Path, tmp_path: Path, watch: bool, caplog: pytest.LogCaptureFixture
) -> None:
    config = make_config(
        briefings_dir,
        tmp_path / "state.sqlite3",
        briefings={"dir": str(briefings_dir), "reload_seconds": 0.2, "watch": watch},
    )
    services = create_services(config)
    now = services.clock.now()
    # A daily digest that fell due a minute ago, while the bot was down.
    slot = (now - dt.timedelta(minutes=1)).replace(second=0, microsecond=0)
    services.store.subscribe(1001, f"{slot:%H:%M}", slot, now)
    api = FakeBotAPI()
    application = build_application(
        services, api.token, request=FakeRequest(api), updates_request=FakeRequest(api)
    )
    async with application:
        assert application.post_init is not None
        await application.post_init(application)
        await application.start()
        try:
            # The catch-up tick runs half a second after start; the slot is within the grace.
            assert await wait_until(lambda: bool(api.messages_to(1001)))
            [digest] = api.messages_to(1001)
            assert "Your digest · 1 new briefing" in digest.visible_text

            new = briefings_dir / "fresh.yaml"
            new.write_text(briefing_yaml("fresh", "2026-11-01"), encoding="utf-8")
            os.utime(new)
            assert await wait_until(lambda: "fresh" in services.library)
            assert application.job_queue is not None
            names = {job.name for job in application.job_queue.jobs()}
            assert "digest-tick" in names
            assert ("briefings-reload" in names) is not watch
            fallback = [r.message for r in caplog.records if "not watching" in r.message]
            assert len(fallback) == (0 if watch else 1)
        finally:
            await application.stop()
    assert application.post_shutdown is not None
    await application.post_shutdown(application)


async def test_forwarded_parts_are_drafted_when_the_window_closes(
    briefings_dir: Path, tmp_path: Path
) -> None:
    config = make_config(briefings_dir, tmp_path / "state.sqlite3")
    services = create_services(config)
    services.article_parts.window = dt.timedelta(milliseconds=600)
    api = FakeBotAPI()
    application = build_application(
        services, api.token, request=FakeRequest(api), updates_request=FakeRequest(api)
    )
    factory = UpdateFactory()
    async with application:
        application.bot_data["schedule_jobs"] = True  # without post_init's recurring jobs
        await application.start()
        try:
            for text in ("Tram line approved", "The council voted 9 to 4."):
                update = Update.de_json(factory.forwarded(text, chat_id=42), application.bot)
                await application.process_update(update)
            assert api.messages_to(42) == []  # the window is still open
            assert await wait_until(lambda: len(api.messages_to(42)) == 2, seconds=5)
            document, preview = api.messages_to(42)
            assert document.document_name == "tram-line-approved.yaml"
            assert "joined from 2 messages" in document.visible_text
            assert "Publish" in str(preview.reply_markup)
        finally:
            await application.stop()
    assert application.post_shutdown is not None
    await application.post_shutdown(application)
