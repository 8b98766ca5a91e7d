"""The reader's language: the user's Telegram language, `/language`, menus and digests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import ROOT

from bot.cli import main
from bot.simulation.harness import SimulatedBot, buttons

CHAT = 1001
GROUP = -100777
OWNER, MEMBER = 7, 5001


async def text_of(sim: SimulatedBot, text: str, **kwargs: int) -> str:
    """The visible text of the one message the bot sends back."""
    sent = await sim.say(text, **kwargs)
    assert len(sent) == 1, [m.visible_text for m in sent]
    return sent[0].visible_text


class TestUserLanguage:
    """Without a choice, the chat is answered in the language of the user's Telegram app."""

    async def test_help_in_ukrainian(self, sim: SimulatedBot) -> None:
        sim.updates.language_code = "uk"
        text = await text_of(sim, "/help")
        assert text.startswith("Команди")
        assert "/summary [огляд] · Стислий виклад і головне" in text
        assert "/who_attends" in text  # command names stay English

    async def test_help_in_french_for_a_regional_code(self, sim: SimulatedBot) -> None:
        sim.updates.language_code = "fr-CA"
        text = await text_of(sim, "/help")
        assert text.startswith("Commandes")
        assert "/quotes [synthèse|all] [personne] · Les citations" in text

    @pytest.mark.parametrize("code", ["de", None])
    async def test_other_or_no_language_is_english(
        self, sim: SimulatedBot, code: str | None
    ) -> None:
        sim.updates.language_code = code
        assert (await text_of(sim, "/help")).startswith("Commands")

    async def test_summary_buttons_are_translated(self, sim: SimulatedBot) -> None:
        sim.updates.language_code = "uk"
        [summary] = await sim.say("/summary")
        assert [label for label, _ in buttons(summary)] == [
            "👥 Учасники",
            "💬 Цитати",
            "🔗 Пов’язане",
            "🗓 Хронологія",
            "↗ Поділитися",
        ]

    async def test_unknown_command_and_errors_in_the_language(self, sim: SimulatedBot) -> None:
        sim.updates.language_code = "fr"
        text = await text_of(sim, "/nope")
        assert text == "Je ne connais pas /nope. /help liste ce que je sais faire."


class TestLanguageCommand:
    """`/language` saves the chat's choice, which wins over the user's own language."""

    async def test_french_summary_with_french_date(self, sim: SimulatedBot) -> None:
        confirmed = await text_of(sim, "/language fr")
        assert confirmed == "✅ Désormais, je réponds en français dans cette discussion."
        text = await text_of(sim, "/summary")
        assert "15 mars 2025" in text
        assert "Points clés" in text
        assert "15 March" not in text and "Key points" not in text

    async def test_the_choice_wins_over_the_user_language(self, sim: SimulatedBot) -> None:
        await sim.say("/language en")
        sim.updates.language_code = "uk"
        assert (await text_of(sim, "/help")).startswith("Commands")

    async def test_buttons_choose_the_language(self, sim: SimulatedBot) -> None:
        [menu] = await sim.say("/language")
        assert menu.visible_text.startswith("This chat's language: English.")
        choices = dict(buttons(menu))
        assert list(choices) == ["English", "Українська", "Français"]
        [edited] = await sim.press(menu, choices["Українська"])
        assert edited.visible_text == "✅ Відтепер у цьому чаті я відповідаю українською."
        assert sim.services.store.chat_language(CHAT) == "uk"
        assert "Налаштування" in await text_of(sim, "/settings")

    async def test_an_unknown_language_changes_nothing(self, sim: SimulatedBot) -> None:
        text = await text_of(sim, "/language klingon")
        assert text == "I don't speak “klingon”. Choose /language en, /language uk or /language fr."
        assert sim.services.store.chat_language(CHAT) is None

    async def test_only_group_admins_change_it(self, sim: SimulatedBot) -> None:
        sim.api.set_chat_admins(GROUP, [OWNER])
        refused = await text_of(sim, "/language fr", chat_id=GROUP, user_id=MEMBER)
        assert "Only this group's administrators" in refused
        assert sim.services.store.chat_language(GROUP) is None
        await sim.say("/language fr", chat_id=GROUP, user_id=OWNER)
        assert sim.services.store.chat_language(GROUP) == "fr"
        assert (await text_of(sim, "/help", chat_id=GROUP, user_id=MEMBER)).startswith("Commandes")


class TestDigestsAndMenus:
    """Pushed digests follow the chat's choice; the command menu exists in every language."""

    async def test_a_scheduled_digest_in_the_chat_language(self, sim: SimulatedBot) -> None:
        await sim.say("/language uk")
        sim.updates.language_code = "fr"  # the chat's choice wins over who subscribed
        subscribed = await text_of(sim, "/subscribe 08:00")
        assert "Підписку оформлено" in subscribed
        assert "щодня о 08:00 (UTC)" in subscribed
        pushed, _ = await sim.advance(dt.timedelta(days=1))
        [digest] = [m for m in pushed if m.chat_id == CHAT]
        assert digest.visible_text.startswith("Ваша добірка · 1 новий огляд")
        assert "15 березня 2025" in digest.visible_text
        assert buttons(digest)[0][0].startswith("Відкрити: ")

    async def test_digest_on_demand_in_the_user_language(self, sim: SimulatedBot) -> None:
        sim.updates.language_code = "fr"
        [digest] = await sim.say("/digest")
        assert digest.visible_text.startswith("Votre résumé · 1 nouvelle synthèse")

    async def test_menus_registered_per_language(self, sim: SimulatedBot) -> None:
        for scope in ({"type": "all_private_chats"}, {"type": "all_group_chats"}):
            english = {c["command"]: c["description"] for c in sim.api.commands_for(scope)}
            ukrainian = {c["command"]: c["description"] for c in sim.api.commands_for(scope, "uk")}
            french = {c["command"]: c["description"] for c in sim.api.commands_for(scope, "fr")}
            assert list(english) == list(ukrainian) == list(french)
            assert english["summary"] == "Summary and key points"
            assert ukrainian["summary"] == "Стислий виклад і головне"
            assert french["summary"] == "Résumé et points clés"


class TestSimulator:
    """`simulate --lang` acts as a user whose Telegram app is in that language."""

    def test_lang_option(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        config = tmp_path / "bot.yaml"
        config.write_text(f"briefings: {{dir: {ROOT / 'briefings'}}}\n", encoding="utf-8")
        script = tmp_path / "script.txt"
        script.write_text("/settings\n:lang fr\n/settings\n:lang x!\n", encoding="utf-8")
        args = [
            "simulate",
            "--config",
            str(config),
            "--script",
            str(script),
            "--at",
            "2026-11-25T07:00Z",
        ]
        assert main([*args, "--at", "2026-11-25T07:00Z", "--lang", "uk"]) == 0
        out = capsys.readouterr().out
        assert "Часовий пояс: UTC" in out
        assert "Fuseau horaire\u00a0: UTC" in out
        assert "(not a language code: 'x!'; for example uk or fr)" in out

    def test_bad_lang_option(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["simulate", "--script", "-", "--lang", "../etc"]) == 2
        assert "--lang: not a language code" in capsys.readouterr().err
