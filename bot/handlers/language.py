"""The chat's language: `/language` with buttons, or `/language uk|fr|en`.

`/language @channel uk` sets the language of a channel's digests, as the other settings
commands do (see `bot.handlers.targets`).
"""

from __future__ import annotations

from telegram import Update

from bot.briefing.render import e
from bot.context import BotContext
from bot.handlers.common import ignored_words, reply
from bot.handlers.keyboards import LANGUAGE_PREFIX, language_keyboard
from bot.handlers.targets import Target, is_channel_ref, may_change_settings, settings_target
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, language_of, translator

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
    if args and is_channel_ref(args[0]):
        target = await settings_target(update, context, change=len(args) > 1)
        if target is not None:
            await _channel_language(update, context, target)
        return
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


async def _channel_language(update: Update, context: BotContext, target: Target) -> None:
    """Show or set the language of a channel's digests (English unless one was chosen)."""
    services, tr = context.services, context.tr
    channel = e(target.channel or str(target.chat_id))
    if not target.args:
        current = services.store.chat_language(target.chat_id) or DEFAULT_LANGUAGE
        answer = tr._(
            "Language of the digests in %(channel)s: %(language)s. Change it with "
            "<code>/language %(channel)s uk</code> (en, uk or fr)."
        ) % {"channel": channel, "language": LANGUAGES.get(current, current)}
        await reply(update, answer)
        return
    language = language_of(target.args[0])
    if language is None:
        answer = tr._(
            "I don't speak “%(code)s”. Choose /language en, /language uk or /language fr."
        ) % {"code": e(target.args[0][:16])}
        await reply(update, answer)
        return
    services.store.set_language(target.chat_id, language, services.clock.now())
    # Said in the channel's new language, the language its readers will see.
    answer = translator(language)._("✅ Digests in %(channel)s will be in English.")
    extra = ignored_words(target.args[1:], "language", tr=tr)
    await reply(update, answer % {"channel": channel} + extra)
