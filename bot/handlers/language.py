"""The chat's language: `/language` with buttons, or `/language uk|fr|en`."""

from __future__ import annotations

from telegram import Update

from bot.briefing.render import e
from bot.context import BotContext
from bot.handlers.common import ignored_words, reply
from bot.handlers.keyboards import LANGUAGE_PREFIX, language_keyboard
from bot.handlers.targets import may_change_settings
from bot.i18n import LANGUAGES, language_of, translator

BUTTON_PATTERN = f"^{LANGUAGE_PREFIX}"


def _confirmation(language: str) -> str:
    # Said in the new language, so the reader sees the change at once.
    return translator(language)._("✅ I'll answer in English in this chat.")


def _save(context: BotContext, chat_id: int, language: str) -> None:
    services = context.services
    services.store.set_language(chat_id, language, services.clock.now())
    context.forget_language()


async def cmd_language(update: Update, context: BotContext) -> None:
    """Without an argument: the languages as buttons. With a code: make it the chat's language."""
    chat = update.effective_chat
    if chat is None:
        return
    args = context.args or []
    tr = context.tr
    if not args:
        current = tr._("This chat's language: %(language)s.") % {"language": LANGUAGES[tr.language]}
        await reply(update, current + "\n" + tr._("Choose one:"), language_keyboard())
        return
    language = language_of(args[0])
    if language is None:
        answer = tr._(
            "I don't speak “%(code)s”. Choose /language en, /language uk or /language fr."
        ) % {"code": e(args[0][:16])}
        await reply(update, answer)
        return
    if not await may_change_settings(update, context):
        return
    _save(context, chat.id, language)
    extra = ignored_words(args[1:], "language", tr=context.tr)
    await reply(update, _confirmation(language) + extra)


async def on_language_button(update: Update, context: BotContext) -> None:
    """A language button under `/language`: make it the chat's language."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or query.data is None or chat is None:
        return
    language = language_of(query.data.removeprefix(LANGUAGE_PREFIX))
    if language is None:
        await query.answer(context.tr._("This button is out of date."))
        return
    await query.answer()
    if not await may_change_settings(update, context):
        return
    _save(context, chat.id, language)
    await query.edit_message_text(_confirmation(language))
