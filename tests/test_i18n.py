"""The catalogs: complete in every shipped language, safe HTML, and in step with the code.

When one of these fails, the message names the language and the message, and the command
that brings the catalogs up to date (see "Translating" in README.md).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from conftest import ROOT

from bot.briefing.library import BriefingLibrary
from bot.briefing.pages import paginate
from bot.briefing.render import quotes_section, render_digest, render_search_results
from bot.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, choose, language_of, translator
from bot.simulation.fake_api import HTMLEntityError, parse_html_entities

EXTRACT = (
    "pybabel extract -F babel.cfg -k N_ --no-location --sort-output --project=briefbot "
    "--copyright-holder=briefbot -o bot/locale/briefbot.pot ."
)
UPDATE = (
    "pybabel update -D briefbot -i bot/locale/briefbot.pot -d bot/locale "
    "--no-fuzzy-matching --ignore-obsolete"
)
COMPILE = "pybabel compile -D briefbot -d bot/locale"
TRANSLATED = [code for code in LANGUAGES if code != "en"]
# %(name)s / %(name)d, and the tags of Telegram HTML.
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TAG = re.compile(r"</?([a-z][a-z-]*)\b[^>]*>")


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalog(language: str) -> Catalog:
    with po_path(language).open("rb") as file:
        return read_po(file, locale=language)


def ids(message: Message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def strings(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def messages(language: str) -> Iterator[Message]:
    return (m for m in catalog(language) if m.id)


def filled(text: str) -> str:
    """`text` with every placeholder replaced by what it might show."""
    return PLACEHOLDER.sub(lambda m: "7" if m.group(0).endswith("d") else "Macron", text)


def is_html(text: str) -> bool:
    try:
        parse_html_entities(filled(text))
    except HTMLEntityError:
        return False
    return True


class TestCompleteness:
    """Every message of the English catalog is in every other, translated in every form."""

    @pytest.mark.parametrize("language", TRANSLATED)
    def test_every_english_message_is_translated(self, language: str) -> None:
        english = {m.id if isinstance(m.id, str) else m.id[0] for m in messages("en")}
        found = {ids(m)[0]: m for m in messages(language)}
        missing = sorted(english - found.keys())
        assert not missing, f"{language}: not in the catalog: {missing}; run: {UPDATE}"
        for msgid in sorted(english):
            message = found[msgid]
            assert not message.fuzzy, f"{language}: {msgid!r} is marked fuzzy; check and unmark"
            forms = strings(message)
            assert all(forms), f"{language}: {msgid!r} is not translated (in every form)"

    @pytest.mark.parametrize("language", TRANSLATED)
    def test_plurals_have_every_form_of_the_language(self, language: str) -> None:
        forms = catalog(language).num_plurals
        # Babel writes CLDR's rules: French adds a form for exact millions ("1 000 000 de").
        assert forms == {"uk": 3, "fr": 3}[language]
        for message in messages(language):
            if message.pluralizable:
                assert len(strings(message)) == forms, f"{language}: {ids(message)[0]!r}"

    def test_the_english_catalog_has_every_message_of_the_template(self) -> None:
        with (LOCALE_DIR / f"{DOMAIN}.pot").open("rb") as file:
            template = {ids(m)[0] for m in read_po(file) if m.id}
        english = {ids(m)[0] for m in messages("en")}
        assert template == english, f"catalogs behind the template; run: {UPDATE}"


class TestHtmlSafety:
    """A translation keeps the placeholders and tags of its message and stays valid HTML."""

    @pytest.mark.parametrize("language", TRANSLATED)
    def test_same_placeholders_as_the_message(self, language: str) -> None:
        for message in messages(language):
            wanted = set(PLACEHOLDER.findall(" ".join(ids(message))))
            for form in strings(message):
                got = set(PLACEHOLDER.findall(form))
                assert got == wanted, f"{language}: {ids(message)[0]!r} has {sorted(got)}"
                # The values the code passes fill the translation without an error.
                form % {name: 1 for name in wanted}

    @pytest.mark.parametrize("language", TRANSLATED)
    def test_html_messages_stay_valid_with_the_same_tags(self, language: str) -> None:
        for message in messages(language):
            msgid = ids(message)[0]
            if not is_html(msgid):
                continue  # plain text such as "<words>", escaped where it is shown
            for form in strings(message):
                try:
                    parse_html_entities(filled(form))
                except HTMLEntityError as exc:
                    pytest.fail(f"{language}: {msgid!r} breaks the HTML: {exc}")
                assert sorted(TAG.findall(form)) == sorted(TAG.findall(msgid)), (
                    f"{language}: {msgid!r} has other tags: {form!r}"
                )

    def test_a_lost_placeholder_or_an_unbalanced_tag_is_caught(self) -> None:
        # The checks above on two broken translations.
        assert not is_html("<b>Citations de %(speaker)s")
        assert PLACEHOLDER.findall("Page %(page)d sur") != PLACEHOLDER.findall(
            "Page %(page)d of %(pages)d"
        )


class TestCatalogsInStep:
    """The template, catalogs and compiled files match the code and each other."""

    def test_the_template_matches_a_fresh_extraction(self) -> None:
        keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
        fresh: set[str] = set()
        for _file, _line, msgid, _comments, _context in extract_from_dir(
            ROOT, method_map=[("bot/**.py", "python")], keywords=keywords
        ):
            fresh.add(msgid if isinstance(msgid, str) else msgid[0])
        with (LOCALE_DIR / f"{DOMAIN}.pot").open("rb") as file:
            template = {ids(m)[0] for m in read_po(file) if m.id}
        new, gone = sorted(fresh - template), sorted(template - fresh)
        assert not new and not gone, (
            f"bot/locale/briefbot.pot is out of date (new: {new}, gone: {gone}); run: "
            f"{EXTRACT} && {UPDATE}, translate, then {COMPILE}"
        )

    @pytest.mark.parametrize("language", list(LANGUAGES))
    def test_the_compiled_catalog_matches_its_po_file(self, language: str) -> None:
        compiled = io.BytesIO()
        write_mo(compiled, catalog(language))
        committed = po_path(language).with_suffix(".mo").read_bytes()
        assert compiled.getvalue() == committed, f"{language}: .mo is stale; run: {COMPILE}"


class TestTranslator:
    """Choosing a language, plurals and dates."""

    @pytest.mark.parametrize(
        ("code", "language"),
        [("uk", "uk"), ("fr-CA", "fr"), ("FR", "fr"), ("en-GB", "en"), ("de", None), ("", None)],
    )
    def test_telegram_language_codes(self, code: str, language: str | None) -> None:
        assert language_of(code) == language

    def test_the_chat_choice_wins_over_the_user_language(self) -> None:
        assert choose("fr", "uk").language == "fr"
        assert choose(None, "uk").language == "uk"
        assert choose(None, "de").language == "en"
        assert choose(None, None).language == "en"

    def test_dates_in_each_language(self) -> None:
        day = dt.date(2025, 3, 15)
        assert translator("en").date(day) == "15 March 2025"
        assert translator("fr").date(day) == "15 mars 2025"
        assert translator("uk").date(day) == "15 березня 2025\u202fр."

    def test_times_in_each_language(self) -> None:
        moment = dt.datetime(2026, 11, 27, 8, 0)
        assert translator("en").moment(moment) == "Fri 27 Nov 2026, 08:00"
        assert translator("fr").moment(moment) == "ven. 27 nov. 2026, 08:00"

    @pytest.mark.parametrize(
        ("count", "words"),
        [(1, "1 новий огляд"), (3, "3 нові огляди"), (5, "5 нових оглядів"), (21, "21 новий")],
    )
    def test_ukrainian_has_three_plural_forms(self, count: int, words: str) -> None:
        library = BriefingLibrary([ROOT / "briefings"])
        library.reload()
        html = render_digest(library.newest(limit=1) * count, 0, translator("uk"))
        assert words in html

    def test_french_plurals(self) -> None:
        html = render_search_results("zzz", [], translator("fr"))
        assert "Aucune synthèse ne correspond à «\u00a0zzz\u00a0»." in html

    def test_page_footers_in_the_language(self) -> None:
        library = BriefingLibrary([ROOT / "briefings"])
        library.reload()
        [briefing] = library.newest(limit=1)
        pages = paginate(quotes_section(briefing, briefing.quotes, tr=translator("uk")), 600)
        assert len(pages) > 1
        assert pages[0].endswith(f"<i>Сторінка 1 з {len(pages)}</i>")
        assert pages[0].startswith("<b>Цитати</b>")
