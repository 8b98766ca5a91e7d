"""Channels: set up from a private chat by their admins, fed with digests as channel posts,
and tracked through the bot's own membership (`my_chat_member`)."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import SEED_ID

from bot.simulation.fake_api import FakeBotAPI, FloodLimits
from bot.simulation.harness import SimulatedBot, buttons

ADMIN = 1001  # the private chat with the bot is the user's id
OTHER = 2002  # a user who administers nothing
CHANNEL = -1009000000001
SEED_TITLE = "Ukraine’s allies rally"


async def answer(sim: SimulatedBot, text: str, *, user: int = ADMIN) -> str:
    """The visible text of the one message the bot sends back in the user's private chat."""
    sent = await sim.say(text, chat_id=user, user_id=user)
    assert len(sent) == 1, [m.visible_text for m in sent]
    return sent[0].visible_text


@pytest.fixture
async def newsroom(sim: SimulatedBot) -> SimulatedBot:
    """The channel @newsroom, owned by user 1001, with the bot as an administrator."""
    assert await sim.add_channel(CHANNEL, "newsroom", title="The Newsroom") == []
    return sim


class TestConfigure:
    """An admin of the channel configures it from a private chat; each command names it."""

    async def test_subscribe_and_get_the_digest_as_a_channel_post(
        self, newsroom: SimulatedBot
    ) -> None:
        sim = newsroom
        text = await answer(sim, "/subscribe @newsroom 07:30")
        assert text.startswith("📣 @newsroom: ✅ Subscribed")
        assert "Next digest: Wed 25 Nov 2026, 07:30 (UTC)" in text
        assert "with /timezone @newsroom, stop with /unsubscribe @newsroom." in text
        assert sim.api.messages_to(CHANNEL) == []
        sent, stats = await sim.advance(dt.timedelta(hours=1))
        assert stats.sent == 1 and [m.chat_id for m in sent] == [CHANNEL]
        assert SEED_TITLE in sent[0].visible_text
        # Buttons in a channel open the briefing in a private chat, not in the channel.
        assert buttons(sent[0])[0][1] == f"https://t.me/briefbot_sim_bot?start={SEED_ID}"
        assert sim.services.store.delivered_ids(CHANNEL) == {SEED_ID}
        sent, _ = await sim.advance(dt.timedelta(days=1))
        assert sent == []

    async def test_by_numeric_id(self, newsroom: SimulatedBot) -> None:
        text = await answer(newsroom, f"/subscribe {CHANNEL}")
        assert text.startswith("📣 @newsroom: ✅ Subscribed")

    async def test_a_channel_without_a_username_by_its_id(self, sim: SimulatedBot) -> None:
        sim.api.register_chat(CHANNEL, "channel", "Private Newsroom")
        sim.api.set_chat_admins(CHANNEL, [ADMIN])
        await sim.set_channel_rights(CHANNEL, admin=True)
        text = await answer(sim, f"/subscribe {CHANNEL}")
        assert text.startswith("📣 Private Newsroom: ✅ Subscribed")
        assert f"stop with /unsubscribe {CHANNEL}." in text

    async def test_timezone_topics_and_settings(self, newsroom: SimulatedBot) -> None:
        sim = newsroom
        await sim.say("/subscribe @newsroom 09:00")
        assert "📣 @newsroom: 🕗 Time zone set to Europe/Kyiv" in await answer(
            sim, "/timezone @newsroom Europe/Kyiv"
        )
        assert "time zone is Europe/Kyiv" in await answer(sim, "/timezone @newsroom")
        assert "Following: nato, energy." in await answer(sim, "/follow @newsroom nato energy")
        assert "Stopped following nato." in await answer(sim, "/unfollow @newsroom nato")
        assert "• energy" in await answer(sim, "/following @newsroom")
        settings = await answer(sim, "/settings @newsroom")
        assert settings.startswith("Settings of @newsroom")
        assert "Time zone: Europe/Kyiv" in settings and "Topics: energy" in settings
        # The private chat's own settings are untouched.
        own = await answer(sim, "/settings")
        assert "Digest: not subscribed" in own and "Time zone: UTC" in own
        assert sim.services.store.topics(ADMIN) == []
        assert "Unsubscribed" in await answer(sim, "/unsubscribe @newsroom")

    async def test_follow_buttons_for_a_channel(self, newsroom: SimulatedBot) -> None:
        sent = await newsroom.say("/follow @newsroom")
        data = dict(buttons(sent[0]))["#ukraine"]
        assert data == f"tf:{CHANNEL}:ukraine"
        pressed = await newsroom.press(sent[0], data)
        assert "📣 @newsroom: 🔎 Following: #ukraine." in pressed[-1].visible_text
        assert newsroom.services.store.topics(CHANNEL) == ["#ukraine"]

    async def test_channel_topics_filter_its_digest(self, newsroom: SimulatedBot) -> None:
        await newsroom.say("/follow @newsroom energy")
        await newsroom.say("/subscribe @newsroom 07:30")
        sent, stats = await newsroom.advance(dt.timedelta(hours=1))
        assert sent == [] and stats.empty == 1
        assert newsroom.services.store.delivered_ids(CHANNEL) == set()


class TestRefusals:
    """Each missing piece is named, and nothing is stored."""

    async def test_unknown_channel(self, sim: SimulatedBot) -> None:
        text = await answer(sim, "/subscribe @nowhere")
        assert text.startswith("I can't find the channel @nowhere.")

    async def test_a_group_is_not_a_channel(self, sim: SimulatedBot) -> None:
        sim.api.register_chat(-1005, "supergroup", "Team", username="team_chat")
        text = await answer(sim, "/subscribe @team_chat")
        assert "@team_chat is not a channel" in text

    async def test_bot_not_an_administrator(self, sim: SimulatedBot) -> None:
        sim.api.register_chat(CHANNEL, "channel", "The Newsroom", username="newsroom")
        sim.api.set_chat_admins(CHANNEL, [ADMIN])
        text = await answer(sim, "/subscribe @newsroom")
        assert text.startswith("I'm not an administrator of @newsroom.")
        assert "“Post messages”" in text

    async def test_bot_may_not_post(self, sim: SimulatedBot) -> None:
        await sim.add_channel(CHANNEL, "newsroom", can_post=False)
        text = await answer(sim, "/subscribe @newsroom")
        assert "I'm an administrator of @newsroom but may not post there" in text

    async def test_user_not_an_administrator(self, newsroom: SimulatedBot) -> None:
        text = await answer(newsroom, "/subscribe @newsroom", user=OTHER)
        assert text == (
            "Only administrators of @newsroom can configure its digest, and you are not one."
        )
        channel = newsroom.services.store.channel(CHANNEL)
        assert channel is not None and not channel.subscribed and channel.configured_by is None

    async def test_only_from_a_private_chat(self, newsroom: SimulatedBot) -> None:
        newsroom.api.set_chat_admins(-100777, [ADMIN])
        sent = await newsroom.say("/subscribe @newsroom", chat_id=-100777, user_id=ADMIN)
        assert "from a private chat" in sent[0].visible_text
        record = newsroom.services.store.chat(CHANNEL)
        assert record is None or not record.subscribed


class TestChannelsCommand:
    """/channels lists the channels this user set up, with a settings button each."""

    async def test_in_the_private_menu_only(self, sim: SimulatedBot) -> None:
        private = [c["command"] for c in sim.api.commands_for({"type": "all_private_chats"})]
        groups = [c["command"] for c in sim.api.commands_for({"type": "all_group_chats"})]
        assert "channels" in private and "channels" not in groups
        assert {"follow", "unfollow", "following"} <= set(private) & set(groups)

    async def test_none_yet(self, sim: SimulatedBot) -> None:
        assert "You have not set up a channel yet" in await answer(sim, "/channels")

    async def test_only_in_a_private_chat(self, newsroom: SimulatedBot) -> None:
        await newsroom.say("/subscribe @newsroom")
        sent = await newsroom.say("/channels", chat_id=-100777, user_id=ADMIN)
        assert sent[0].visible_text == "Ask me for /channels in a private chat."

    async def test_list_and_button(self, newsroom: SimulatedBot) -> None:
        await newsroom.say("/subscribe @newsroom")
        sent = await newsroom.say("/channels")
        assert "• @newsroom: subscribed" in sent[0].visible_text
        assert buttons(sent[0]) == [("⚙️ @newsroom", f"ch:{CHANNEL}")]
        pressed = await newsroom.press(sent[0], f"ch:{CHANNEL}")
        assert pressed[-1].visible_text.startswith("Settings of @newsroom")
        # Another user's press shows nothing.
        other = await newsroom.press(sent[0], f"ch:{CHANNEL}", user_id=OTHER)
        assert other == []
        assert "You have not set up a channel yet" in await answer(
            newsroom, "/channels", user=OTHER
        )


class TestLosingTheChannel:
    """A channel the bot can no longer post in is paused, and its admin told once."""

    async def test_403_pauses_and_tells_the_admin_once(self, newsroom: SimulatedBot) -> None:
        sim = newsroom
        await sim.say("/subscribe @newsroom 07:30")
        # Removed without the bot hearing of it: the next post gets 403.
        sim.api.set_bot_rights(CHANNEL, admin=False)
        sent, stats = await sim.advance(dt.timedelta(hours=1))
        assert stats.gone == 1
        assert [(m.chat_id, m.visible_text[:40]) for m in sent] == [
            (ADMIN, "⚠️ I can no longer post in @newsroom; it")
        ]
        assert "/subscribe @newsroom" in sent[0].visible_text
        record = sim.services.store.chat(CHANNEL)
        assert record is not None and not record.active
        assert sim.services.store.delivered_ids(CHANNEL) == set()
        sent, _ = await sim.advance(dt.timedelta(days=3))
        assert sent == []
        # Configured again, it is back.
        await sim.add_channel(CHANNEL, "newsroom")
        assert "Subscribed" in await answer(sim, "/subscribe @newsroom 07:30")
        sent, stats = await sim.advance(dt.timedelta(days=1))
        assert stats.sent == 1 and sent[0].chat_id == CHANNEL

    async def test_a_post_in_the_channel_does_not_resume_it(self, newsroom: SimulatedBot) -> None:
        sim = newsroom
        await sim.say("/subscribe @newsroom 07:30")
        await sim.set_channel_rights(CHANNEL, admin=False)
        post = {
            "update_id": 999,
            "channel_post": {
                "message_id": 1,
                "date": int(sim.clock.now().timestamp()),
                "chat": sim.api.chat_json(CHANNEL),
                "sender_chat": sim.api.chat_json(CHANNEL),
                "text": "Good morning",
            },
        }
        assert await sim.feed(post) == []
        record = sim.services.store.chat(CHANNEL)
        assert record is not None and not record.active

    async def test_losing_the_right_to_post_pauses_too(self, newsroom: SimulatedBot) -> None:
        await newsroom.say("/subscribe @newsroom 07:30")
        newsroom.api.set_bot_rights(CHANNEL, admin=True, can_post=False)
        sent, stats = await newsroom.advance(dt.timedelta(hours=1))
        assert stats.gone == 1 and [m.chat_id for m in sent] == [ADMIN]

    async def test_removed_tells_the_admin_once(self, newsroom: SimulatedBot) -> None:
        sim = newsroom
        await sim.say("/subscribe @newsroom 07:30")
        sent = await sim.set_channel_rights(CHANNEL, admin=False)
        assert [m.chat_id for m in sent] == [ADMIN]
        assert "can no longer post in @newsroom" in sent[0].visible_text
        sent, stats = await sim.advance(dt.timedelta(days=2))
        assert sent == [] and stats.due == 0
        text = await answer(sim, "/channels")
        assert "• @newsroom: paused: I can't post there" in text


class TestMembership:
    """`my_chat_member` updates record the channel: added, promoted, removed."""

    async def test_added_promoted_removed(self, sim: SimulatedBot) -> None:
        store = sim.services.store
        await sim.add_channel(CHANNEL, "newsroom", title="The Newsroom", can_post=False)
        channel = store.channel(CHANNEL)
        assert channel is not None and channel.title == "The Newsroom"
        assert channel.username == "newsroom" and not channel.can_post
        await sim.set_channel_rights(CHANNEL, admin=True, can_post=True)
        channel = store.channel(CHANNEL)
        assert channel is not None and channel.can_post
        await sim.set_channel_rights(CHANNEL, admin=False)
        channel = store.channel(CHANNEL)
        assert channel is not None and not channel.can_post and not channel.active

    async def test_not_configured_nobody_is_told(self, sim: SimulatedBot) -> None:
        await sim.add_channel(CHANNEL, "newsroom")
        assert await sim.set_channel_rights(CHANNEL, admin=False) == []

    async def test_group_membership_is_left_alone(self, sim: SimulatedBot) -> None:
        sim.api.register_chat(-1005, "supergroup", "Team")
        bot = {"id": sim.api.bot_id, "is_bot": True, "first_name": "briefbot"}
        update = sim.updates.my_chat_member(
            sim.api.chat_json(-1005),
            {"status": "left", "user": bot},
            {"status": "member", "user": bot},
        )
        assert await sim.feed(update) == []
        assert sim.services.store.channel(-1005) is None


class TestFakeChannels:
    """The fake Bot API treats a channel as Telegram does."""

    def test_a_channel_counts_as_a_group_for_flood_limits(self) -> None:
        api = FakeBotAPI(flood=FloodLimits(group_per_minute=20), monotonic=lambda: 100.0)
        api.register_chat(CHANNEL, "channel", "The Newsroom", username="newsroom")
        api.set_bot_rights(CHANNEL, admin=True)
        statuses = [
            api.handle("sendMessage", {"chat_id": CHANNEL, "text": f"post {n}"})[0]
            for n in range(21)
        ]
        assert statuses == [200] * 20 + [429]

    def test_posts_are_signed_by_the_channel_and_found_by_username(self) -> None:
        api = FakeBotAPI()
        api.register_chat(CHANNEL, "channel", "The Newsroom", username="newsroom")
        api.set_bot_rights(CHANNEL, admin=True)
        status, body = api.handle("sendMessage", {"chat_id": "@NewsRoom", "text": "hello"})
        assert status == 200
        message = body["result"]
        assert "from" not in message and message["sender_chat"]["username"] == "newsroom"
        assert api.texts_to(CHANNEL) == ["hello"]

    def test_a_bot_that_is_no_admin_cannot_post_nor_see_members(self) -> None:
        api = FakeBotAPI()
        api.register_chat(CHANNEL, "channel", "The Newsroom")
        status, body = api.handle("sendMessage", {"chat_id": CHANNEL, "text": "hello"})
        assert status == 403 and "not a member of the channel" in body["description"]
        status, body = api.handle("getChatMember", {"chat_id": CHANNEL, "user_id": ADMIN})
        assert status == 400 and body["description"] == "Bad Request: member list is inaccessible"


class TestLanguages:
    """An admin whose Telegram app is in Ukrainian configures a channel in Ukrainian."""

    async def test_configuring_answers_in_the_admins_language(self, newsroom: SimulatedBot) -> None:
        sim = newsroom
        sim.updates.language_code = "uk"
        text = await answer(sim, "/subscribe @newsroom 07:30")
        assert text.startswith("📣 @newsroom: ✅ Підписку оформлено")
        assert "/timezone @newsroom" in text and "/unsubscribe @newsroom" in text
        text = await answer(sim, "/channels")
        assert "• @newsroom: підписано" in text
        text = await answer(sim, "/subscribe @nosuchchannel")
        assert text.startswith("Не можу знайти канал @nosuchchannel.")

    async def test_a_channel_gets_its_digest_in_the_language_chosen_for_it(
        self, newsroom: SimulatedBot
    ) -> None:
        sim = newsroom
        await sim.say("/subscribe @newsroom 07:30")
        text = await answer(sim, "/language @newsroom")
        assert text.startswith("Language of the digests in @newsroom: English.")
        text = await answer(sim, "/language @newsroom fr")
        assert text == "✅ Les résumés de @newsroom seront en français."
        assert (await answer(sim, "/settings")).startswith("Settings")  # the admin's own chat
        sent, _ = await sim.advance(dt.timedelta(days=1))
        posts = [m for m in sent if m.chat_id == CHANNEL]
        assert posts and posts[0].visible_text.startswith("Votre résumé")
        label, url = buttons(posts[-1])[0]
        assert label.startswith("Ouvrir") and url.endswith(f"?start={SEED_ID}")
