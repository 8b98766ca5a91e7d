"""The digest commands as a chat sees them: /subscribe, /unsubscribe, /timezone, /digest,
/settings and the admins' /stats, in private chats and in groups."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from conftest import SEED_ID, T0, make_config

from bot.simulation.harness import SimulatedBot, buttons

CHAT = 1001
ADMIN = 42
GROUP = -100777
OWNER, GROUP_ADMIN, MEMBER = 7, 8, 5001
SEED_TITLE = "Ukraine’s allies rally"
UTC = dt.UTC


async def answer(
    sim: SimulatedBot, text: str, *, chat_id: int = CHAT, user_id: int | None = None
) -> str:
    """What the chat sees in reply to `text`: the visible text of the one message sent back."""
    sent = await sim.say(text, chat_id=chat_id, user_id=user_id)
    assert len(sent) == 1, [m.visible_text for m in sent]
    return sent[0].visible_text


class TestSubscribe:
    """/subscribe confirms with the next digest time and sends no digest right away."""

    async def test_default_schedule(self, sim: SimulatedBot) -> None:
        text = await answer(sim, "/subscribe")
        assert "Subscribed" in text and "default schedule" in text
        assert "Next digest: Wed 25 Nov 2026, 08:00 (UTC)" in text
        assert SEED_TITLE not in text
        assert sim.services.store.delivered_ids(CHAT) == set()

    async def test_own_time_is_normalised(self, sim: SimulatedBot) -> None:
        text = await answer(sim, "/subscribe 7:30")
        assert "every day at 07:30" in text
        assert "Next digest: Wed 25 Nov 2026, 07:30 (UTC)" in text

    async def test_time_already_past_today_means_tomorrow(self, sim: SimulatedBot) -> None:
        text = await answer(sim, "/subscribe 06:59")
        assert "Next digest: Thu 26 Nov 2026, 06:59 (UTC)" in text

    async def test_time_is_in_the_chats_zone(self, sim: SimulatedBot) -> None:
        await sim.say("/timezone Europe/Berlin")
        # 07:00 UTC is 08:00 in Berlin, so 07:30 there has passed today.
        text = await answer(sim, "/subscribe 07:30")
        assert "(Europe/Berlin)" in text
        assert "Next digest: Thu 26 Nov 2026, 07:30 (CET)" in text

    async def test_without_a_time_returns_to_the_default(self, sim: SimulatedBot) -> None:
        await sim.say("/subscribe 21:00")
        text = await answer(sim, "/subscribe")
        assert "default schedule" in text and "08:00" in text
        settings = await answer(sim, "/settings")
        assert "every day at 08:00 (UTC), the default schedule" in settings

    @pytest.mark.parametrize("wrong", ["25:00", "banana", "7:60", "8"])
    async def test_bad_time_is_explained(self, sim: SimulatedBot, wrong: str) -> None:
        text = await answer(sim, f"/subscribe {wrong}")
        assert f"“{wrong}” is not a time of day" in text
        assert "HH:MM" in text and "/subscribe 07:30" in text
        record = sim.services.store.chat(CHAT)
        assert record is None or not record.subscribed

    async def test_bad_time_with_html_is_shown_as_typed(self, sim: SimulatedBot) -> None:
        sent = await sim.say("/subscribe <b>&")
        assert "“<b>&” is not a time of day" in sent[0].visible_text
        assert "&lt;b&gt;&amp;" in sent[0].text

    async def test_subscribing_pushes_nothing_until_the_slot(self, sim: SimulatedBot) -> None:
        await sim.say("/subscribe")
        sent, _ = await sim.advance(dt.timedelta(minutes=59))
        assert sent == []


class TestUnsubscribe:
    """/unsubscribe stops digests and confirms; it says so when there was nothing to stop."""

    async def test_unsubscribe_stops_digests(self, sim: SimulatedBot) -> None:
        await sim.say("/subscribe")
        text = await answer(sim, "/unsubscribe")
        assert "Unsubscribed" in text
        sent, _ = await sim.advance(dt.timedelta(days=2))
        assert sent == []
        assert "not subscribed" in await answer(sim, "/settings")

    async def test_not_subscribed(self, sim: SimulatedBot) -> None:
        text = await answer(sim, "/unsubscribe")
        assert "not subscribed" in text and "/subscribe" in text

    async def test_resubscribe_after_unsubscribe(self, sim: SimulatedBot) -> None:
        await sim.say("/subscribe")
        await sim.say("/unsubscribe")
        text = await answer(sim, "/subscribe")
        assert "Next digest: Wed 25 Nov 2026, 08:00 (UTC)" in text


class TestTimezone:
    """/timezone takes IANA names in any case, suggests close names, and moves the next digest."""

    async def test_set(self, sim: SimulatedBot) -> None:
        text = await answer(sim, "/timezone Europe/Berlin")
        assert "Time zone set to Europe/Berlin (now 08:00 there)" in text
        assert "Time zone: Europe/Berlin" in await answer(sim, "/settings")

    async def test_case_does_not_matter(self, sim: SimulatedBot) -> None:
        text = await answer(sim, "/timezone europe/berlin")
        assert "Time zone set to Europe/Berlin" in text
        record = sim.services.store.chat(CHAT)
        assert record is not None and record.timezone == "Europe/Berlin"

    async def test_space_for_underscore(self, sim: SimulatedBot) -> None:
        text = await answer(sim, "/timezone America/New York")
        assert "Time zone set to America/New_York (now 02:00 there)" in text

    async def test_typo_gets_suggestions(self, sim: SimulatedBot) -> None:
        text = await answer(sim, "/timezone Europe/Berln")
        assert "I don't know the time zone “Europe/Berln”" in text
        assert "Did you mean:" in text and "Europe/Berlin" in text
        record = sim.services.store.chat(CHAT)
        assert record is None or record.timezone is None

    async def test_html_is_echoed_escaped(self, sim: SimulatedBot) -> None:
        sent = await sim.say("/timezone <b>Mars</b>")
        assert "“<b>Mars</b>”" in sent[0].visible_text
        assert "&lt;b&gt;Mars&lt;/b&gt;" in sent[0].text

    async def test_without_argument_shows_the_current_zone(self, sim: SimulatedBot) -> None:
        assert "time zone is UTC" in await answer(sim, "/timezone")
        await sim.say("/timezone Asia/Tokyo")
        assert "time zone is Asia/Tokyo" in await answer(sim, "/timezone")

    async def test_moves_a_subscribed_chats_next_digest(self, sim: SimulatedBot) -> None:
        await sim.say("/subscribe")
        text = await answer(sim, "/timezone America/New_York")
        assert "Next digest: Wed 25 Nov 2026, 08:00 (EST)" in text
        sent, _ = await sim.travel_to(dt.datetime(2026, 11, 25, 12, 59, tzinfo=UTC))
        assert sent == []  # 08:00 UTC came and went
        sent, _ = await sim.advance(dt.timedelta(minutes=1))
        assert len(sent) == 1 and SEED_TITLE in sent[0].visible_text


class TestDigestCommand:
    """/digest sends the digest now, once; a second time there is nothing new."""

    async def test_digest_now_then_nothing_new(self, sim: SimulatedBot) -> None:
        sent = await sim.say("/digest")
        assert len(sent) == 1
        text = sent[0].visible_text
        assert text.startswith("Your digest · 1 new briefing")
        assert SEED_TITLE in text and f"/summary {SEED_ID}" in text
        assert [data for _, data in buttons(sent[0])] == [f"o:{SEED_ID}"]
        again = await answer(sim, "/digest")
        assert again.startswith("Nothing new since your last digest")

    async def test_seen_briefings_are_not_pushed_again(self, sim: SimulatedBot) -> None:
        await sim.say("/subscribe")
        await sim.say("/digest")
        sent, stats = await sim.advance(dt.timedelta(hours=1))
        assert sent == [] and stats.empty == 1

    async def test_new_briefing_after_digest(
        self, sim: SimulatedBot, write_briefing: Callable[..., Path]
    ) -> None:
        await sim.say("/digest")
        write_briefing("late-news", "2026-11-25", title="Late news")
        sim.reload()
        text = await answer(sim, "/digest")
        assert "Late news" in text and SEED_TITLE not in text

    async def test_failure_is_reported(
        self, sim: SimulatedBot, instant_retries: Callable[[SimulatedBot], list[float]]
    ) -> None:
        instant_retries(sim)
        sim.api.fail("sendMessage", chat_id=CHAT, times=3)
        text = await answer(sim, "/digest")
        assert "couldn't send the digest" in text
        assert sim.services.store.delivered_ids(CHAT) == set()


class TestSettings:
    """/settings shows subscription, time, time zone, next digest and progress."""

    async def test_not_subscribed(self, sim: SimulatedBot) -> None:
        text = await answer(sim, "/settings")
        assert "Digest: not subscribed (/subscribe)" in text
        assert "Time zone: UTC" in text
        assert "Next digest" not in text
        assert "Briefings received so far: 0 of 1" in text

    async def test_subscribed_with_time_and_zone(self, sim: SimulatedBot) -> None:
        await sim.say("/timezone Europe/Berlin")
        await sim.say("/subscribe 09:15")
        await sim.say("/digest")
        text = await answer(sim, "/settings")
        assert "Digest: subscribed, every day at 09:15" in text
        assert "Next digest: Wed 25 Nov 2026, 09:15 (CET)" in text
        assert "Time zone: Europe/Berlin" in text
        assert "Briefings received so far: 1 of 1" in text


class TestStats:
    """/stats is for the bot's admins and counts subscribers, deliveries and briefings."""

    async def test_admin_sees_counts(
        self, sim: SimulatedBot, add_briefing: Callable[..., Path]
    ) -> None:
        await sim.say("/subscribe", chat_id=CHAT)
        await sim.say("/subscribe", chat_id=1002)
        await sim.say("/digest", chat_id=CHAT)
        sim.api.fail(
            "sendMessage",
            chat_id=1002,
            status=403,
            description="Forbidden: bot was blocked by the user",
        )
        await sim.travel_to(dt.datetime(2026, 11, 25, 8, tzinfo=UTC))
        add_briefing("broken.yaml", "title: [unclosed\n")
        sim.reload()
        text = await answer(sim, "/stats", chat_id=ADMIN)
        assert "Subscribers: 2 (1 active)" in text
        assert "Deliveries today (UTC): 1" in text
        assert "Briefings loaded: 1" in text
        assert "Briefing files with errors: 1" in text
        assert "broken.yaml" in text

    async def test_non_admin_is_refused(self, sim: SimulatedBot) -> None:
        text = await answer(sim, "/stats", chat_id=CHAT)
        assert "for the bot's admins" in text
        assert "Subscribers" not in text


class TestGroups:
    """In groups only administrators change the subscription or the time zone."""

    @pytest.fixture(autouse=True)
    def admins(self, sim: SimulatedBot) -> None:
        """The group has an owner and one administrator; user 5001 is a plain member."""
        sim.api.set_chat_admins(GROUP, [OWNER, GROUP_ADMIN])

    @pytest.mark.parametrize(
        "command", ["/subscribe", "/subscribe 07:30", "/unsubscribe", "/timezone Europe/Berlin"]
    )
    async def test_member_is_refused(self, sim: SimulatedBot, command: str) -> None:
        await sim.say("/subscribe", chat_id=GROUP, user_id=GROUP_ADMIN)
        before = sim.services.store.chat(GROUP)
        text = await answer(sim, command, chat_id=GROUP, user_id=MEMBER)
        assert "Only this group's administrators" in text
        assert sim.services.store.chat(GROUP) == before

    @pytest.mark.parametrize("user", [OWNER, GROUP_ADMIN])
    async def test_administrators_may(self, sim: SimulatedBot, user: int) -> None:
        assert "Time zone set to Europe/Berlin" in await answer(
            sim, "/timezone Europe/Berlin", chat_id=GROUP, user_id=user
        )
        assert "Subscribed" in await answer(sim, "/subscribe 07:30", chat_id=GROUP, user_id=user)
        record = sim.services.store.chat(GROUP)
        assert record is not None and record.subscribed and record.timezone == "Europe/Berlin"
        assert "Unsubscribed" in await answer(sim, "/unsubscribe", chat_id=GROUP, user_id=user)

    async def test_members_may_read_settings_and_get_a_digest(self, sim: SimulatedBot) -> None:
        assert "Digest: not subscribed" in await answer(
            sim, "/settings", chat_id=GROUP, user_id=MEMBER
        )
        assert "time zone is UTC" in await answer(sim, "/timezone", chat_id=GROUP, user_id=MEMBER)
        text = await answer(sim, "/digest", chat_id=GROUP, user_id=MEMBER)
        assert SEED_TITLE in text

    async def test_group_digest_goes_to_the_group(self, sim: SimulatedBot) -> None:
        await sim.say("/subscribe", chat_id=GROUP, user_id=OWNER)
        sent, _ = await sim.travel_to(dt.datetime(2026, 11, 25, 8, tzinfo=UTC))
        assert [m.chat_id for m in sent] == [GROUP]


class TestScheduleInWords:
    """Schedules read as words in the chat's zone, never as a raw crontab line."""

    @pytest.fixture
    async def weekdays(self, briefings_dir: Path, tmp_path: Path) -> AsyncIterator[SimulatedBot]:
        config = make_config(
            briefings_dir,
            tmp_path / "weekdays.sqlite3",
            digest={"cron": "30 7 * * 1-5", "timezone": "Europe/Berlin"},
        )
        async with SimulatedBot(config, storage_path=config.storage.path, start=T0) as bot:
            yield bot

    async def test_default_schedule_in_words(self, weekdays: SimulatedBot) -> None:
        text = await answer(weekdays, "/subscribe")
        assert "on weekdays at 07:30 (Europe/Berlin), the default schedule" in text
        settings = await answer(weekdays, "/settings")
        assert "Digest: subscribed, on weekdays at 07:30 (Europe/Berlin)" in settings
        assert "30 7" not in settings

    async def test_own_time_in_the_chats_zone(self, sim: SimulatedBot) -> None:
        await sim.say("/timezone Asia/Tokyo")
        text = await answer(sim, "/subscribe 06:45")
        assert "every day at 06:45 (Asia/Tokyo)." in text
        settings = await answer(sim, "/settings")
        assert "Digest: subscribed, every day at 06:45 (Asia/Tokyo)" in settings


class TestIgnoredWords:
    """Words after a command that takes none are answered as usual and pointed out."""

    @pytest.mark.parametrize(
        ("command", "usual"),
        [
            ("/settings", "Digest: not subscribed"),
            ("/unsubscribe", "This chat is not subscribed."),
            ("/digest", "Your digest"),
        ],
    )
    async def test_noted_after_the_usual_answer(
        self, sim: SimulatedBot, command: str, usual: str
    ) -> None:
        sent = await sim.say(f"{command} <b>now</b> please")
        text = "\n".join(m.visible_text for m in sent)
        assert usual in text
        name = command.lstrip("/")
        assert text.endswith(f"(I ignored “<b>now</b> please”: /{name} takes no arguments.)")

    async def test_digest_with_nothing_new(self, sim: SimulatedBot) -> None:
        await sim.say("/digest")
        text = await answer(sim, "/digest foo")
        assert text == (
            "Nothing new since your last digest. /briefings lists everything.\n\n"
            "(I ignored “foo”: /digest takes no arguments.)"
        )

    async def test_subscribe_takes_one_time(self, sim: SimulatedBot) -> None:
        text = await answer(sim, "/subscribe 07:30 tomorrow")
        assert "every day at 07:30" in text
        assert text.endswith("(I ignored “tomorrow”: /subscribe takes one time of day.)")

    @pytest.mark.parametrize("command", ["/stats", "/reload"])
    async def test_admin_commands(self, sim: SimulatedBot, command: str) -> None:
        text = await answer(sim, f"{command} all", chat_id=ADMIN)
        assert text.endswith(f"(I ignored “all”: {command} takes no arguments.)")

    async def test_without_extra_words_no_note(self, sim: SimulatedBot) -> None:
        assert "ignored" not in await answer(sim, "/settings")

    async def test_long_words_are_shortened(self, sim: SimulatedBot) -> None:
        text = await answer(sim, "/settings " + "x" * 500)
        assert f"(I ignored “{'x' * 39}…”" in text
