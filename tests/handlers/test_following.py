"""/follow, /unfollow and /following as a chat sees them, and digests narrowed to the topics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SEED_ID

from bot.simulation.harness import SimulatedBot, buttons

CHAT = 1001
GROUP = -100777
OWNER, MEMBER = 7, 5001
SEED_TITLE = "Ukraine’s allies rally"


async def answer(
    sim: SimulatedBot, text: str, *, chat_id: int = CHAT, user_id: int | None = None
) -> str:
    """The visible text of the one message the bot sends back."""
    sent = await sim.say(text, chat_id=chat_id, user_id=user_id)
    assert len(sent) == 1, [m.visible_text for m in sent]
    return sent[0].visible_text


class TestFollow:
    """/follow adds topics, lists what the chat follows, and keeps to the limits."""

    async def test_follow_words_tags_and_phrases(self, sim: SimulatedBot) -> None:
        text = await answer(sim, '/follow #ukraine energy "peace talks"')
        assert "Following: #ukraine, energy, “peace talks”." in text
        assert "only new briefings about these topics" in text
        assert sim.services.store.topics(CHAT) == ["#ukraine", "energy", "peace talks"]

    async def test_following_twice_is_said(self, sim: SimulatedBot) -> None:
        await sim.say("/follow energy")
        text = await answer(sim, "/follow Energy nato")
        assert "Following: energy, nato." in text and "Already followed: Energy" in text

    async def test_twenty_topics_but_not_twenty_one(self, sim: SimulatedBot) -> None:
        words = " ".join(f"topic{n}" for n in range(20))
        assert "Following:" in await answer(sim, f"/follow {words}")
        text = await answer(sim, "/follow one-more")
        assert "at most 20 topics" in text and "room for 0 more" in text
        assert len(sim.services.store.topics(CHAT)) == 20

    async def test_topic_too_long(self, sim: SimulatedBot) -> None:
        text = await answer(sim, "/follow " + "x" * 65)
        assert "too long: a topic has at most 64 characters" in text
        assert sim.services.store.topics(CHAT) == []

    async def test_html_in_a_topic_is_shown_as_typed(self, sim: SimulatedBot) -> None:
        sent = await sim.say("/follow <b>&x")
        assert "Following: <b>&x." in sent[0].visible_text
        assert "&lt;b&gt;&amp;x" in sent[0].text

    async def test_without_topics_offers_the_common_tags(self, sim: SimulatedBot) -> None:
        sent = await sim.say("/follow")
        assert "Which topics?" in sent[0].visible_text
        offered = buttons(sent[0])
        assert len(offered) == 7  # the shipped briefing has seven tags
        assert ("#ukraine", "tf::ukraine") in offered
        pressed = await sim.press(sent[0], "tf::ceasefire")
        assert "Following: #ceasefire." in pressed[-1].visible_text
        assert sim.services.store.topics(CHAT) == ["#ceasefire"]

    async def test_following_lists_and_settings_show(self, sim: SimulatedBot) -> None:
        assert "No topics followed" in await answer(sim, "/following")
        await sim.say('/follow nato "peace talks"')
        text = await answer(sim, "/following")
        assert "• nato\n• “peace talks”" in text
        assert "Topics: nato, peace talks (/following)" in await answer(sim, "/settings")


class TestUnfollow:
    """/unfollow removes topics, `all` clears them; it says what was not followed."""

    async def test_remove_one(self, sim: SimulatedBot) -> None:
        await sim.say("/follow nato energy")
        text = await answer(sim, "/unfollow NATO")
        assert "Stopped following nato." in text and "Still following: energy." in text

    async def test_remove_the_last(self, sim: SimulatedBot) -> None:
        await sim.say("/follow nato")
        assert "No topics followed" in await answer(sim, "/unfollow nato")

    async def test_all(self, sim: SimulatedBot) -> None:
        await sim.say("/follow nato energy")
        assert "every new briefing" in await answer(sim, "/unfollow all")
        assert sim.services.store.topics(CHAT) == []

    async def test_not_followed(self, sim: SimulatedBot) -> None:
        await sim.say("/follow nato")
        assert "Not followed: energy." in await answer(sim, "/unfollow energy")

    async def test_without_arguments(self, sim: SimulatedBot) -> None:
        await sim.say("/follow nato")
        text = await answer(sim, "/unfollow")
        assert "/unfollow all" in text and "Following: nato." in text


class TestGroups:
    """In groups, only administrators change topics; anyone may read them."""

    @pytest.fixture(autouse=True)
    def admins(self, sim: SimulatedBot) -> None:
        """The group's owner is user 7; user 5001 is a plain member."""
        sim.api.set_chat_admins(GROUP, [OWNER])

    @pytest.mark.parametrize("command", ["/follow nato", "/unfollow nato", "/unfollow all"])
    async def test_member_is_refused(self, sim: SimulatedBot, command: str) -> None:
        await sim.say("/follow nato", chat_id=GROUP, user_id=OWNER)
        text = await answer(sim, command, chat_id=GROUP, user_id=MEMBER)
        assert "Only this group's administrators" in text
        assert sim.services.store.topics(GROUP) == ["nato"]

    async def test_member_may_list_and_see_the_buttons_but_not_press(
        self, sim: SimulatedBot
    ) -> None:
        await sim.say("/follow nato", chat_id=GROUP, user_id=OWNER)
        assert "• nato" in await answer(sim, "/following", chat_id=GROUP, user_id=MEMBER)
        sent = await sim.say("/follow", chat_id=GROUP, user_id=MEMBER)
        pressed = await sim.press(sent[0], "tf::ukraine", user_id=MEMBER)
        assert "Only this group's administrators" in pressed[-1].visible_text
        assert sim.services.store.topics(GROUP) == ["nato"]

    async def test_owner_may(self, sim: SimulatedBot) -> None:
        text = await answer(sim, "/follow ukraine", chat_id=GROUP, user_id=OWNER)
        assert "Following: ukraine." in text


class TestDigests:
    """A digest carries only briefings about the topics; one with none is not sent."""

    async def test_matching_briefing_is_sent(self, sim: SimulatedBot) -> None:
        await sim.say("/follow zelensky")
        sent = await sim.say("/digest")
        assert SEED_TITLE in sent[0].visible_text

    async def test_nothing_matching_is_not_sent_nor_recorded(
        self, sim: SimulatedBot, write_briefing: Callable[..., Path]
    ) -> None:
        write_briefing("grain-deal", "2026-11-24", title="Grain deal signed", tags=["trade"])
        sim.reload()
        await sim.say("/follow #energy")
        text = await answer(sim, "/digest")
        assert text.startswith("Nothing new on your topics (/following lists them).")
        assert sim.services.store.delivered_ids(CHAT) == set()
        # Following a matching topic later still brings the briefing.
        await sim.say("/follow grains")
        sent = await sim.say("/digest")
        assert "Grain deal signed" in sent[0].visible_text
        assert SEED_TITLE not in sent[0].visible_text
        assert sim.services.store.delivered_ids(CHAT) == {"grain-deal"}
        await sim.say("/unfollow all")
        sent = await sim.say("/digest")
        assert SEED_TITLE in sent[0].visible_text

    async def test_scheduled_digest_with_nothing_matching_is_skipped(
        self, sim: SimulatedBot
    ) -> None:
        await sim.say("/subscribe")
        await sim.say('/follow "peace talks"')
        sent, stats = await sim.advance(dt.timedelta(hours=1))
        assert sent == [] and stats.empty == 1
        assert sim.services.store.delivered_ids(CHAT) == set()
        await sim.say("/follow #ceasefire")
        sent, stats = await sim.advance(dt.timedelta(days=1))
        assert stats.sent == 1 and SEED_TITLE in sent[0].visible_text
        assert sim.services.store.delivered_ids(CHAT) == {SEED_ID}

    async def test_an_edited_briefing_is_read_again(
        self, sim: SimulatedBot, briefings_dir: Path
    ) -> None:
        await sim.say("/follow hydrogen")
        assert (await answer(sim, "/digest")).startswith("Nothing new on your topics")
        path = briefings_dir / f"{SEED_ID}.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("  - europe\n", "  - europe\n  - hydrogen\n"), "utf-8")
        sim.reload()
        sent = await sim.say("/digest")
        assert SEED_TITLE in sent[0].visible_text

    async def test_regex_looking_topic_is_plain_text(self, sim: SimulatedBot) -> None:
        await sim.say("/follow ukr.*")
        assert (await answer(sim, "/digest")).startswith("Nothing new on your topics")

    async def test_topics_survive_a_group_upgrade(self, sim: SimulatedBot) -> None:
        store = sim.services.store
        store.set_topics(-5, ["nato"])
        store.touch_chat(-5, "group", sim.clock.now())
        store.migrate_chat(-5, -1005, sim.clock.now())
        assert store.topics(-1005) == ["nato"] and store.topics(-5) == []


class TestLanguages:
    """The topic answers, and why a topic cannot be followed, come in the reader's language."""

    async def test_follow_and_a_refused_topic_in_ukrainian(self, sim: SimulatedBot) -> None:
        sim.updates.language_code = "uk"
        text = await answer(sim, '/follow "peace talks"')
        assert "🔎 Відстежуються: “peace talks”." in text
        assert "/unfollow прибирає тему" in text
        text = await answer(sim, "/follow ###")
        assert text == "У «###» немає ні літер, ні цифр, які можна шукати."

    async def test_settings_name_the_topics_in_french(self, sim: SimulatedBot) -> None:
        sim.updates.language_code = "fr"
        await sim.say("/follow nato")
        text = await answer(sim, "/settings")
        assert "Sujets\u00a0: nato (/following)" in text
        text = await answer(sim, "/unfollow all")
        assert text.startswith("Aucun sujet suivi\u00a0: ")
