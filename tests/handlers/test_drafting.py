"""Drafting from Telegram as admins and readers see it: articles in, drafts and buttons out,
publishing on air at once; refusals for files that cannot be drafted; nothing of it for others."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, SEED_ID, T0, briefing_yaml

from bot.briefing.loader import parse_briefing
from bot.cli import main
from bot.config import Config
from bot.simulation.fake_api import SentMessage
from bot.simulation.harness import SimulatedBot, buttons

ADMIN = 42  # the admin of the test config; in a private chat its id is also the chat's
OTHER_ADMIN = 43
READER = 1001
ARTICLE = (FIXTURES / "articles" / "ukraine-allies-virtual-meeting.txt").read_text("utf-8")
EDITED = FIXTURES / "drafts" / "porto-tram-line.yaml"


def press_data(message: SentMessage, label: str) -> str:
    """The callback data of the button whose label contains `label`."""
    matches = [data for text, data in buttons(message) if label in text]
    assert len(matches) == 1, buttons(message)
    return matches[0]


async def paste(sim: SimulatedBot, text: str = ARTICLE, chat_id: int = ADMIN) -> list[SentMessage]:
    """An admin pastes an article and the joining window closes."""
    sent = await sim.say(text, chat_id=chat_id)
    return sent + await sim.close_article_windows()


async def draft(sim: SimulatedBot, text: str = ARTICLE) -> tuple[SentMessage, SentMessage]:
    """The document and the preview the admin gets for an article."""
    sent = await paste(sim, text)
    assert [m.method for m in sent] == ["sendDocument", "sendMessage"]
    return sent[0], sent[1]


def file_names(folder: Path) -> list[str]:
    """Every file in a folder, hidden temporary files included, sorted."""
    return sorted(path.name for path in folder.iterdir())


def toast(sim: SimulatedBot) -> str:
    """The text of the last answer to a button press."""
    answers = [r for r in sim.api.requests if r.method == "answerCallbackQuery"]
    return str(answers[-1].params.get("text", ""))


class TestArticleToDraft:
    """An admin's article becomes a .yaml document and a preview with Publish/Preview/Discard."""

    async def test_pasted_article_gets_a_document_and_a_preview(self, sim: SimulatedBot) -> None:
        document, preview = await draft(sim)
        assert document.document is not None and document.document_name is not None
        briefing = parse_briefing(document.document, Path(document.document_name))
        assert document.document_name == f"{briefing.id}.yaml"
        text = preview.visible_text
        assert text.startswith(f"Draft · {briefing.id}\n{briefing.title}\n")
        assert f"{len(briefing.quotes)} quote" in text
        assert f"{len(briefing.attendees)} attendee" in text
        assert f"{len(briefing.related)} related headline" in text
        assert "published: 2026-11-25 — no date found in the article" in text  # every review line
        assert [label for label, _ in buttons(preview)] == ["✅ Publish", "👁 Preview", "🗑 Discard"]
        assert all(len(data.encode()) <= 64 for _, data in buttons(preview))

    async def test_preview_button_shows_the_readers_view(self, sim: SimulatedBot) -> None:
        document, preview = await draft(sim)
        shown = await sim.press(preview, press_data(preview, "Preview"), user_id=ADMIN)
        texts = [m.visible_text for m in shown]
        assert len(texts) == 3
        assert texts[0].startswith("Ukraine’s allies rally to support it")
        assert texts[1].startswith("Who attends · ")
        assert texts[2].startswith("Quotes · ")
        # Previewing does not publish.
        assert sim.services.library.get(str(document.document_name).removesuffix(".yaml")) is None

    async def test_draft_command_takes_the_text_after_it(self, sim: SimulatedBot) -> None:
        await sim.say("/draft Tram line approved\n\nThe council voted 9 to 4.", chat_id=ADMIN)
        sent = await sim.close_article_windows()
        assert sent[0].document_name == "tram-line-approved.yaml"
        assert "Tram line approved" in sent[1].visible_text

    async def test_draft_command_alone_explains_itself(self, sim: SimulatedBot) -> None:
        [sent] = await sim.say("/draft", chat_id=ADMIN)
        assert "Send the article after /draft" in sent.visible_text

    async def test_forwarded_parts_are_joined_in_order(self, sim: SimulatedBot) -> None:
        first = sim.updates.forwarded("Tram line approved", chat_id=ADMIN)
        second = sim.updates.forwarded("The council voted 9 to 4.", chat_id=ADMIN)
        third = sim.updates.message("Work starts in spring.", chat_id=ADMIN)  # short, but joins
        # Handled out of order, as concurrent updates may be; sent order is what counts.
        assert await sim.feed(second) == []
        assert await sim.feed(first) == []
        assert await sim.feed(third) == []
        document, preview = await sim.close_article_windows()
        assert document.document is not None
        data = yaml.safe_load(document.document)
        assert data["title"] == "Tram line approved"
        assert data["summary"].startswith("The council voted 9 to 4.")
        assert "joined from 3 messages" in document.visible_text
        assert "Tram line approved" in preview.visible_text

    async def test_parts_seconds_apart_are_separate_articles(self, sim: SimulatedBot) -> None:
        await sim.feed(sim.updates.forwarded("First article\n\nIts text.", chat_id=ADMIN))
        sim.clock.advance(dt.timedelta(seconds=10))
        sent = await sim.feed(sim.updates.forwarded("Second article\n\nMore.", chat_id=ADMIN))
        assert sent[0].document_name == "first-article.yaml"
        sent = await sim.close_article_windows()
        assert sent[0].document_name == "second-article.yaml"

    async def test_short_text_from_an_admin_is_still_a_search(self, sim: SimulatedBot) -> None:
        [sent] = await sim.say("ceasefire monitoring", chat_id=ADMIN)
        assert await sim.close_article_windows() == []
        assert "ceasefire monitoring" in sent.visible_text
        assert sent.document is None

    async def test_help_tells_admins_the_rule(self, sim: SimulatedBot) -> None:
        [admin_help] = await sim.say("/help", chat_id=ADMIN)
        assert "/draft <article>" in admin_help.visible_text
        assert "at least 600 characters or 3 paragraphs" in admin_help.visible_text
        [reader_help] = await sim.say("/help", chat_id=READER)
        assert "/draft" not in reader_help.visible_text
        assert "600 characters" not in reader_help.visible_text


class TestPublish:
    """Publish writes the file, puts the briefing on air and in the next digests at once."""

    async def test_publish_puts_it_on_air_and_in_the_next_digest(
        self,
        sim: SimulatedBot,
        briefings_dir: Path,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        await sim.say("/subscribe 09:00", chat_id=READER)
        document, preview = await draft(sim)
        briefing_id = str(document.document_name).removesuffix(".yaml")
        with caplog.at_level(logging.INFO, logger="bot.handlers.drafting"):
            [done] = await sim.press(preview, press_data(preview, "Publish"), user_id=ADMIN)
        assert done.visible_text.startswith(f"Published {briefing_id} as {briefing_id}.yaml")
        assert toast(sim) == "Published."
        path = briefings_dir / f"{briefing_id}.yaml"
        assert path.read_bytes() == document.document
        assert file_names(briefings_dir) == sorted([f"{SEED_ID}.yaml", f"{briefing_id}.yaml"])
        assert any(
            f"briefing {briefing_id} published by admin {ADMIN}" in r.getMessage()
            for r in caplog.records
        )
        [summary] = await sim.say(f"/summary {briefing_id}", chat_id=READER)
        assert summary.visible_text.startswith("Ukraine’s allies rally to support it")
        pushed, _ = await sim.advance(dt.timedelta(hours=3))
        [digest] = [m for m in pushed if m.chat_id == READER]
        assert digest.visible_text.startswith("Your digest · 2 new briefings")
        assert f"/summary {briefing_id}" in digest.visible_text

    async def test_buttons_of_a_published_draft_are_stale(self, sim: SimulatedBot) -> None:
        _, preview = await draft(sim)
        await sim.press(preview, press_data(preview, "Publish"), user_id=ADMIN)
        assert await sim.press(preview, press_data(preview, "Publish"), user_id=ADMIN) == []
        assert "no longer pending" in toast(sim)

    async def test_existing_id_is_refused_then_replaced_by_the_same_admin(
        self, sim: SimulatedBot, briefings_dir: Path
    ) -> None:
        seed = briefings_dir / f"{SEED_ID}.yaml"
        before = seed.read_bytes()
        services = sim.services
        services.config = services.config.model_copy(update={"admins": [ADMIN, OTHER_ADMIN]})
        text = briefing_yaml(SEED_ID, "2026-11-24", title="Corrected title")
        [preview] = await sim.send_document(text.encode(), f"{SEED_ID}.yaml", chat_id=ADMIN)
        [refused] = await sim.press(preview, press_data(preview, "Publish"), user_id=ADMIN)
        assert f"A briefing with the id {SEED_ID} exists already" in refused.visible_text
        assert seed.read_bytes() == before
        replace = press_data(refused, "Replace")
        assert await sim.press(refused, replace, user_id=OTHER_ADMIN) == []
        assert toast(sim) == "Only the admin who made this draft can use its buttons."
        assert await sim.press(refused, replace, user_id=READER) == []
        assert toast(sim) == "These buttons are for the bot's admins."
        assert seed.read_bytes() == before
        [done] = await sim.press(refused, replace, user_id=ADMIN)
        assert done.visible_text.startswith(f"Replaced {SEED_ID}")
        assert seed.read_text("utf-8") == text
        [summary] = await sim.say(f"/summary {SEED_ID}", chat_id=READER)
        assert summary.visible_text.startswith("Corrected title")

    async def test_discard_drops_the_draft(self, sim: SimulatedBot, briefings_dir: Path) -> None:
        _, preview = await draft(sim)
        [gone] = await sim.press(preview, press_data(preview, "Discard"), user_id=ADMIN)
        assert gone.visible_text.startswith("Draft ") and gone.visible_text.endswith(" discarded.")
        assert await sim.press(preview, press_data(preview, "Publish"), user_id=ADMIN) == []
        assert "no longer pending" in toast(sim)
        assert file_names(briefings_dir) == [f"{SEED_ID}.yaml"]

    async def test_a_restart_keeps_the_pending_draft(
        self, config: Config, briefings_dir: Path
    ) -> None:
        async with SimulatedBot(config, storage_path=config.storage.path, start=T0) as first:
            _, preview = await draft(first)
        async with SimulatedBot(config, storage_path=config.storage.path, start=T0) as second:
            [done] = await second.press(preview, press_data(preview, "Publish"), user_id=ADMIN)
            assert done.visible_text.startswith("Published ")
            assert len(second.services.library) == 2
            assert not second.errors


class TestEditedDraft:
    """An edited .yaml sent back is validated; errors read as `briefbot validate` prints them."""

    async def test_errors_are_the_validate_lines(
        self,
        sim: SimulatedBot,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        [answer] = await sim.send_document(EDITED.read_bytes(), EDITED.name, chat_id=ADMIN)
        monkeypatch.chdir(EDITED.parent)
        assert main(["validate", EDITED.name]) == 1
        printed = capsys.readouterr().out.splitlines()
        assert printed == ["porto-tram-line.yaml:17: quotes[1].speaker: field required"]
        assert answer.visible_text.splitlines()[1:] == printed
        assert buttons(answer) == []

    async def test_a_valid_edit_gets_the_buttons_and_its_review_lines(
        self, sim: SimulatedBot, briefings_dir: Path
    ) -> None:
        fixed = EDITED.read_text("utf-8").replace("  - role: Councillor", "  - speaker: Rui Matos")
        [preview] = await sim.send_document(fixed.encode(), EDITED.name, chat_id=ADMIN)
        text = preview.visible_text
        assert text.startswith("Edited draft · porto-tram-line\n")
        assert "2 quotes · 2 attendees · 0 related headlines" in text
        assert "To review (1):\n• check the speaker of this quote" in text
        await sim.press(preview, press_data(preview, "Publish"), user_id=ADMIN)
        assert (briefings_dir / "porto-tram-line.yaml").read_text("utf-8") == fixed


class TestRefusals:
    """Files that cannot be drafted get one clear line; readers never see the draft tools."""

    async def test_file_over_1_mb_is_refused_before_downloading(self, sim: SimulatedBot) -> None:
        big = b"x" * 1_500_000
        [answer] = await sim.send_document(big, "long.txt", chat_id=ADMIN)
        assert answer.visible_text == "long.txt is 1.4 MB; files of up to 1 MB are accepted."
        assert not [r for r in sim.api.requests if r.method == "getFile"]

    async def test_file_that_turns_out_bigger_than_announced_is_refused(
        self, sim: SimulatedBot
    ) -> None:
        [answer] = await sim.send_document(b"x" * 1_500_000, "long.txt", chat_id=ADMIN, size=10)
        assert "files of up to 1 MB are accepted" in answer.visible_text

    async def test_binary_file_is_refused(self, sim: SimulatedBot) -> None:
        [answer] = await sim.send_document(b"%PDF\x00\x01\x02", "scan.txt", chat_id=ADMIN)
        assert answer.visible_text == "scan.txt is a binary file, not text."

    async def test_non_utf8_text_is_refused(self, sim: SimulatedBot) -> None:
        [answer] = await sim.send_document("Café\n".encode("latin-1"), "a.md", chat_id=ADMIN)
        assert answer.visible_text.startswith("a.md is not UTF-8 text (byte 3 is 0xe9)")

    async def test_other_extensions_are_refused(self, sim: SimulatedBot) -> None:
        [answer] = await sim.send_document(b"text", "article.docx", chat_id=ADMIN)
        assert answer.visible_text.startswith("article.docx is not a file I can draft from")

    async def test_a_readers_long_text_is_a_search(self, sim: SimulatedBot) -> None:
        sent = await paste(sim, ARTICLE, chat_id=READER)
        assert len(sent) == 1 and sent[0].document is None
        assert sent[0].visible_text.startswith("Search · “Ukraine’s allies")
        assert not any(data.startswith("d") for _, data in buttons(sent[0]))

    async def test_a_readers_file_gets_a_polite_no(self, sim: SimulatedBot) -> None:
        [answer] = await sim.send_document(ARTICLE.encode(), "article.txt", chat_id=READER)
        assert answer.visible_text.startswith("I can't do anything with files, sorry.")
        assert not [r for r in sim.api.requests if r.method == "getFile"]

    async def test_a_readers_draft_command_is_refused(self, sim: SimulatedBot) -> None:
        [answer] = await sim.say(f"/draft {ARTICLE}", chat_id=READER)
        assert answer.visible_text == "This command is for the bot's admins."
        assert await sim.close_article_windows() == []


class TestInTheAdminsLanguage:
    """Drafts, their buttons and what a press answers come in the admin's chat language; the
    review notes stay as written in the .yaml file."""

    async def test_ukrainian_app_gets_a_ukrainian_draft_and_publish(
        self, sim: SimulatedBot
    ) -> None:
        sim.updates.language_code = "uk"
        document, preview = await draft(sim)
        briefing_id = str(document.document_name).removesuffix(".yaml")
        assert document.visible_text == (
            f"{briefing_id}.yaml · відредагуйте й надішліть назад для повторної перевірки"
        )
        lines = preview.visible_text.splitlines()
        assert lines[0] == f"Чернетка · {briefing_id}"
        assert lines[2].startswith("25 листопада 2026")  # the date as Babel writes it
        assert lines[2].endswith("· 18 цитат · 15 учасників · 20 пов’язаних заголовків")
        assert lines[4] == "Перевірити (11):"
        assert lines[5].startswith("• published: 2026-11-25 — no date found in the article")
        assert lines[-1].startswith("«Опублікувати» відкриває огляд читачам одразу")
        assert [label for label, _ in buttons(preview)] == [
            "✅ Опублікувати",
            "👁 Перегляд",
            "🗑 Видалити",
        ]
        shown = await sim.press(preview, press_data(preview, "Перегляд"), user_id=ADMIN)
        assert [m.visible_text.split(" · ")[0] for m in shown[1:]] == ["Учасники", "Цитати"]
        [done] = await sim.press(preview, press_data(preview, "Опублікувати"), user_id=ADMIN)
        assert done.visible_text == (
            f"Опубліковано {briefing_id} як {briefing_id}.yaml: огляд уже доступний читачам "
            f"і потрапить до найближчих добірок.\n/summary {briefing_id}"
        )
        assert toast(sim) == "Опубліковано."
        assert await sim.press(preview, press_data(preview, "Опублікувати"), user_id=ADMIN) == []
        assert toast(sim) == "Ця чернетка вже неактуальна: її опубліковано або видалено."

    async def test_joined_parts_and_errors_use_ukrainian_plurals(self, sim: SimulatedBot) -> None:
        sim.updates.language_code = "uk"
        for text in ("Tram line approved", "The council voted 9 to 4.", "Work starts in spring."):
            await sim.feed(sim.updates.forwarded(text, chat_id=ADMIN))
        document, _ = await sim.close_article_windows()
        assert "· зібрано з 3 повідомлень ·" in document.visible_text
        [answer] = await sim.send_document(EDITED.read_bytes(), EDITED.name, chat_id=ADMIN)
        assert answer.visible_text.splitlines() == [
            "У файлі porto-tram-line.yaml 1 помилка; виправте й надішліть знову:",
            "porto-tram-line.yaml:17: quotes[1].speaker: field required",
        ]

    async def test_french_chosen_for_the_chat_wins_over_the_app(
        self, sim: SimulatedBot, briefings_dir: Path
    ) -> None:
        await sim.say("/language fr", chat_id=ADMIN)
        fixed = EDITED.read_text("utf-8").replace("  - role: Councillor", "  - speaker: Rui Matos")
        [preview] = await sim.send_document(fixed.encode(), EDITED.name, chat_id=ADMIN)
        assert preview.visible_text.splitlines()[:5] == [
            "Brouillon modifié · porto-tram-line",
            "Porto council approves a second tram line across the river",
            "24 novembre 2026 · 2 citations · 2 participants · 0 titre lié",
            "",
            "À vérifier (1) :",
        ]
        assert [label for label, _ in buttons(preview)] == ["✅ Publier", "👁 Aperçu", "🗑 Supprimer"]
        [gone] = await sim.press(preview, press_data(preview, "Supprimer"), user_id=ADMIN)
        assert gone.visible_text == "Brouillon porto-tram-line supprimé."
        assert toast(sim) == "Supprimé."
        seed = briefing_yaml(SEED_ID, "2026-11-24", title="Corrected title")
        [again] = await sim.send_document(seed.encode(), f"{SEED_ID}.yaml", chat_id=ADMIN)
        [refused] = await sim.press(again, press_data(again, "Publier"), user_id=ADMIN)
        assert refused.visible_text.startswith(
            f"Une synthèse avec l’identifiant {SEED_ID} existe déjà ({SEED_ID}.yaml)."
        )
        assert [label for label, _ in buttons(refused)] == ["♻️ Remplacer", "🗑 Supprimer"]
        [done] = await sim.press(refused, press_data(refused, "Remplacer"), user_id=ADMIN)
        assert done.visible_text.startswith(f"Remplacée : {SEED_ID}, fichier {SEED_ID}.yaml.")
        assert toast(sim) == "Remplacée."
        assert file_names(briefings_dir) == [f"{SEED_ID}.yaml"]
