"""Commands about briefings: /start, /help, /briefings, /summary, /who_attends, /quotes, ..."""

from __future__ import annotations

import math

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.briefing.library import speaker_matches
from bot.briefing.models import Briefing
from bot.briefing.render import (
    e,
    render_archive_quotes,
    render_attendees,
    render_briefing_list,
    render_help,
    render_no_speaker,
    render_quotes,
    render_related,
    render_search_results,
    render_summary,
    render_timeline,
    render_welcome,
)
from bot.context import BotContext
from bot.handlers.common import (
    NO_BRIEFINGS,
    current_briefing,
    is_private,
    reply,
    unknown_briefing_html,
)
from bot.handlers.keyboards import (
    OPEN_PREFIX,
    PAGE_PREFIX,
    PAGE_SIZE,
    QUOTES_PAGE_PREFIX,
    SECTION_PREFIX,
    archive_quotes_keyboard,
    list_keyboard,
    summary_keyboard,
)

# Longest search query echoed back and searched; longer input is cut, not refused.
MAX_QUERY = 200
# `/quotes all <speaker>`: the word, and quotes per page (one message each).
ALL_BRIEFINGS = "all"
ARCHIVE_QUOTES_PER_PAGE = 5


async def _briefing_from_args(update: Update, context: BotContext) -> Briefing | None:
    """The briefing named by the command's argument, else the chat's current one.

    Replies itself (and returns None) when the reference is unknown or no briefing exists.
    """
    args = context.args or []
    library = context.services.library
    if args:
        ref = " ".join(args)
        briefing = library.resolve(ref)
        if briefing is None:
            await reply(update, unknown_briefing_html(context, ref[:MAX_QUERY]))
        return briefing
    briefing = current_briefing(update, context)
    if briefing is None:
        await reply(update, NO_BRIEFINGS)
    return briefing


def _choose(update: Update, context: BotContext, briefing: Briefing) -> None:
    chat = update.effective_chat
    if chat is not None:
        services = context.services
        services.store.set_current_briefing(chat.id, briefing.id, services.clock.now())


async def cmd_start(update: Update, context: BotContext) -> None:
    """Greet; with a deep-link payload (t.me/<bot>?start=<id>), open that briefing."""
    if context.args:
        briefing = context.services.library.resolve(context.args[0])
        if briefing is not None:
            _choose(update, context, briefing)
            await reply(update, render_summary(briefing), summary_keyboard(briefing))
            return
    await reply(update, render_welcome(len(context.services.library)))


async def cmd_help(update: Update, context: BotContext) -> None:
    """List every command."""
    user = update.effective_user
    await reply(update, render_help(context.services.is_admin(user.id if user else None)))


def _page(
    context: BotContext, page: int, current_id: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of /briefings and its buttons (none when the library is empty)."""
    library = context.services.library
    total = len(library)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(page, 1), pages)
    first = (page - 1) * PAGE_SIZE
    shown = library.newest(limit=first + PAGE_SIZE)[first:]
    html = render_briefing_list(shown, first + 1, total, current_id)
    return html, list_keyboard(shown, first + 1, page, pages) if shown else None


async def cmd_briefings(update: Update, context: BotContext) -> None:
    """List briefings, newest first, with buttons to pick one."""
    page = 1
    if context.args and context.args[0].isdecimal() and len(context.args[0]) < 6:
        page = int(context.args[0])
    current = current_briefing(update, context)
    html, keyboard = _page(context, page, current.id if current else None)
    await reply(update, html, keyboard)


async def cmd_summary(update: Update, context: BotContext) -> None:
    """Title, date, source, summary and key points, with buttons for the other sections."""
    briefing = await _briefing_from_args(update, context)
    if briefing is not None:
        await reply(update, render_summary(briefing), summary_keyboard(briefing))


async def cmd_who_attends(update: Update, context: BotContext) -> None:
    """Attendees grouped by status."""
    briefing = await _briefing_from_args(update, context)
    if briefing is not None:
        await reply(update, render_attendees(briefing))


async def cmd_related(update: Update, context: BotContext) -> None:
    """Related headlines."""
    briefing = await _briefing_from_args(update, context)
    if briefing is not None:
        await reply(update, render_related(briefing))


async def cmd_timeline(update: Update, context: BotContext) -> None:
    """The timeline, in order."""
    briefing = await _briefing_from_args(update, context)
    if briefing is not None:
        await reply(update, render_timeline(briefing))


async def cmd_quotes(update: Update, context: BotContext) -> None:
    """Quotes of a briefing, optionally only one speaker's.

    `/quotes`, `/quotes <ref>`, `/quotes <speaker>` and `/quotes <ref> <speaker>`: the first
    argument is tried as a briefing reference, otherwise everything is a speaker's name.
    """
    args = context.args or []
    library = context.services.library
    if args and args[0].lower() == ALL_BRIEFINGS:
        await _archive_quotes(update, context, " ".join(args[1:]))
        return
    briefing = library.resolve(args[0]) if args else None
    speaker = " ".join(args[1:] if briefing else args).strip()[:MAX_QUERY]
    if briefing is None:
        briefing = current_briefing(update, context)
        if briefing is None:
            await reply(update, NO_BRIEFINGS)
            return
    if not speaker:
        await reply(update, render_quotes(briefing, briefing.quotes))
        return
    matching = [q for q in briefing.quotes if speaker_matches(speaker, q)]
    if matching:
        await reply(update, render_quotes(briefing, matching, speaker))
    elif len(args) == 1 and (args[0].isdecimal() or "-" in args[0]):
        # Looks like a mistyped briefing reference rather than a name.
        await reply(update, unknown_briefing_html(context, args[0][:MAX_QUERY]))
    else:
        await reply(update, render_no_speaker(briefing, speaker))


def _archive_quotes_page(
    context: BotContext, speaker: str, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of a speaker's quotes across the library, and its ‹ › buttons.

    Only the briefings on the page are unpacked; the rest is the library's speaker index.
    """
    library = context.services.library
    refs = library.quote_refs(speaker)
    pages = max(1, math.ceil(len(refs) / ARCHIVE_QUOTES_PER_PAGE))
    page = min(max(page, 1), pages)
    first = (page - 1) * ARCHIVE_QUOTES_PER_PAGE
    entries = []
    for briefing_id, number in refs[first : first + ARCHIVE_QUOTES_PER_PAGE]:
        briefing = library.get(briefing_id)
        if briefing is not None:
            entries.append((briefing, briefing.quotes[number]))
    html = render_archive_quotes(speaker, entries, first + 1, len(refs), page, pages)
    return html, archive_quotes_keyboard(speaker, page, pages)


async def _archive_quotes(update: Update, context: BotContext, speaker: str) -> None:
    speaker = " ".join(speaker.split())[:MAX_QUERY]
    if not speaker:
        await reply(update, "Whose quotes? For example: <code>/quotes all macron</code>", None)
        return
    html, keyboard = _archive_quotes_page(context, speaker, 1)
    await reply(update, html, keyboard)


async def _search(update: Update, context: BotContext, query: str) -> None:
    query = " ".join(query.split())[:MAX_QUERY]
    results = context.services.library.search(query, limit=10)
    await reply(update, render_search_results(query, results))


async def cmd_search(update: Update, context: BotContext) -> None:
    """Search every briefing; best matches first."""
    query = " ".join(context.args or [])
    if not query.strip():
        await reply(update, "What should I look for? For example: <code>/search ceasefire</code>")
        return
    await _search(update, context, query)


async def text_search(update: Update, context: BotContext) -> None:
    """Plain text in a private chat is a search."""
    message = update.effective_message
    if message is not None and message.text:
        await _search(update, context, message.text)


async def cmd_unknown(update: Update, context: BotContext) -> None:
    """A command the bot does not have: point to /help.

    In groups only commands addressed to this bot by name are answered, since other bots in the
    group may own the rest.
    """
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split()[0]
    name, _, addressee = command.partition("@")
    if addressee and addressee.lower() != (context.bot.username or "").lower():
        return
    if not is_private(update) and not addressee:
        return
    await reply(update, f"I don't know {e(name[:64])}. /help lists what I can do.")


async def on_button(update: Update, context: BotContext) -> None:
    """Inline buttons: pick a briefing, turn a page of /briefings, or open a section."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    data = query.data
    library = context.services.library
    if data.startswith(PAGE_PREFIX):
        await query.answer()
        number = data.removeprefix(PAGE_PREFIX)
        page = int(number) if number.isdecimal() and len(number) < 6 else 1
        current = current_briefing(update, context)
        html, keyboard = _page(context, page, current.id if current else None)
        try:
            await query.edit_message_text(html, reply_markup=keyboard)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise
        return
    if data.startswith(QUOTES_PAGE_PREFIX):
        await query.answer()
        number, _, speaker = data.removeprefix(QUOTES_PAGE_PREFIX).partition(":")
        page = int(number) if number.isdecimal() and len(number) < 6 else 1
        html, keyboard = _archive_quotes_page(context, speaker, page)
        try:
            await query.edit_message_text(html, reply_markup=keyboard)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise
        return
    if data.startswith(OPEN_PREFIX):
        briefing = library.get(data.removeprefix(OPEN_PREFIX))
        if briefing is None:
            await query.answer("That briefing is no longer available.", show_alert=True)
            return
        await query.answer()
        _choose(update, context, briefing)
        await reply(update, render_summary(briefing), summary_keyboard(briefing))
        return
    if data.startswith(SECTION_PREFIX):
        section, _, briefing_id = data.removeprefix(SECTION_PREFIX).partition(":")
        briefing = library.get(briefing_id)
        if briefing is None:
            await query.answer("That briefing is no longer available.", show_alert=True)
            return
        await query.answer()
        renderers = {
            "who": render_attendees,
            "quotes": lambda b: render_quotes(b, b.quotes),
            "related": render_related,
            "timeline": render_timeline,
        }
        render = renderers.get(section)
        if render is not None:
            await reply(update, render(briefing))
        return
    await query.answer("This button is out of date.")
