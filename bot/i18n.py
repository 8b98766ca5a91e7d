"""The reader's language: gettext catalogs (built with Babel) and dates formatted for a locale.

Catalogs live in `bot/locale/<lang>/LC_MESSAGES/briefbot.mo`. A `Translator` holds one language;
render functions take one (English by default), handlers get the chat's from their context.
Nothing here knows about Telegram.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime

DOMAIN = "briefbot"
LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LANGUAGE = "en"
# The shipped languages and the name each is offered under (in itself), in button order.
LANGUAGES: dict[str, str] = {"en": "English", "uk": "Українська", "fr": "Français"}

# English dates keep the day first ("15 March 2025"), as the bot has always written them;
# other languages use their locale's long form ("15 mars 2025", "15 березня 2025 р.").
_DATE_PATTERNS = {"en": "d MMMM y"}
_MOMENT_PATTERN = "EEE d MMM y, HH:mm"


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it (it is translated where shown)."""
    return message


class Translator:
    """Messages, plurals and dates in one language."""

    def __init__(self, language: str, translations: gettext.NullTranslations) -> None:
        self.language = language
        self.locale = Locale.parse(language)
        self._translations = translations

    def _(self, message: str) -> str:
        """`message` in this language."""
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form of a message for `n` things (Ukrainian has three, French and English two)."""
        return self._translations.ngettext(singular, plural, n)

    def date(self, day: dt.date) -> str:
        """A date as people write it in this language: "15 March 2025", "15 mars 2025"."""
        return format_date(day, _DATE_PATTERNS.get(self.language, "long"), locale=self.locale)

    def moment(self, moment: dt.datetime) -> str:
        """A weekday, date and time: "Wed 26 Nov 2026, 08:00" (`moment` in the wanted zone)."""
        return format_datetime(moment, _MOMENT_PATTERN, tzinfo=moment.tzinfo, locale=self.locale)


def language_of(code: str | None) -> str | None:
    """The shipped language for a Telegram `language_code` ("fr-CA" → "fr"), or None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-", 1)[0].lower()
    return base if base in LANGUAGES else None


@functools.cache
def translator(language: str) -> Translator:
    """The translator of a shipped language (English for any other); catalogs read once."""
    language = language_of(language) or DEFAULT_LANGUAGE
    translations = gettext.translation(
        DOMAIN, localedir=LOCALE_DIR, languages=[language], fallback=False
    )
    return Translator(language, translations)


EN = translator(DEFAULT_LANGUAGE)


def choose(chat_choice: str | None, user_code: str | None) -> Translator:
    """The chat's chosen language, else the user's Telegram language, else English."""
    return translator(language_of(chat_choice) or language_of(user_code) or DEFAULT_LANGUAGE)
