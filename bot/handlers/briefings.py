"""Commands about briefings: /start, /help, /briefings, /summary, /who_attends, /quotes, ..."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.briefing.models import Briefing
from bot.briefing.pages import Section, paginate, pick
from bot.briefing.quotefilter import quotes_for_key, quotes_matching
from bot.briefing.render import (
    attendees_section,
    e,
    quotes_section,
    related_section,
    render_archive_quotes,
    render_briefing_list,
    render_help,
    render_no_speaker,
    render_summary,
    render_welcome,
    search_section,
    speakers_label,
    timeline_section,
)
from bot.context import BotContext
from bot.handlers.common import (
    NO_BRIEFINGS,
    current_briefing,
    ignored_words,
    is_private,
    reply,
    unknown_briefing_html,
)
from bot.handlers.keyboards import (
    OLD_SECTION_CODES,
    OPEN_PREFIX,
    PAGE_PREFIX,
    PAGE_SIZE,
    QUOTES_PAGE_PREFIX,
    SEARCH_PAGE_PREFIX,
    SECTION_PAGE_PREFIX,
    SECTION_PREFIX,
    archive_quotes_keyboard,
    fits,
    list_keyboard,
    pages_keyboard,
    search_page_data,
    section_page_data,
    summary_keyboard,
)
from bot.i18n import N_, Translator
from bot.storage import StorageUnavailable

# Longest search query echoed back and searched; longer input is cut, not refused.
MAX_QUERY = 200
# Most search results shown, over all pages.
MAX_RESULTS = 50
GONE = N_("That briefing is no longer available.")

# The sections a button can open, by their code in callback data.
SECTION_BUILDERS: dict[str, Callable[[Briefing, Translator], Section]] = {
    "w": attendees_section,
    "q": lambda b, tr: quotes_section(b, b.quotes, tr=tr),
    "r": related_section,
    "t": timeline_section,
}
# `/quotes all <speaker>`: the word, and quotes per page (one message each).
ALL_BRIEFINGS = "all"
ARCHIVE_QUOTES_PER_PAGE = 5
OUT_OF_DATE = N_("This button is out of date.")


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
        await reply(update, context.tr._(NO_BRIEFINGS))
    return briefing


def _choose(update: Update, context: BotContext, briefing: Briefing) -> None:
    chat = update.effective_chat
    if chat is not None:
        services = context.services
        # Without the database the answer still goes out; only the choice is not remembered.
        with contextlib.suppress(StorageUnavailable):
            services.store.set_current_briefing(chat.id, briefing.id, services.clock.now())


async def cmd_start(update: Update, context: BotContext) -> None:
    """Greet; with a deep-link payload (t.me/<bot>?start=<id>), open that briefing."""
    tr = context.tr
    welcome = render_welcome(len(context.services.library), tr)
    if context.args:
        briefing = context.services.library.resolve(context.args[0])
        if briefing is not None:
            _choose(update, context, briefing)
            await reply(update, *_summary(context, briefing))
            return
        welcome = f"{tr._(GONE)}\n\n{welcome}"
    await reply(update, welcome)


async def cmd_help(update: Update, context: BotContext) -> None:
    """List every command."""
    user = update.effective_user
    html = render_help(context.services.is_admin(user.id if user else None), context.tr)
    await reply(update, html + ignored_words(context.args, "help", tr=context.tr))


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
    html = render_briefing_list(shown, first + 1, total, current_id, context.tr)
    return html, list_keyboard(shown, first + 1, page, pages, context.tr) if shown else None


async def cmd_briefings(update: Update, context: BotContext) -> None:
    """List briefings, newest first, with buttons to pick one."""
    args = context.args or []
    page, asked = 1, ""
    if args and args[0].isdecimal():
        asked = args[0].lstrip("0") or "0"
        page = int(asked) if len(asked) < 6 else 10**6
        args = args[1:]
    current = current_briefing(update, context)
    html, keyboard = _page(context, page, current.id if current else None)
    pages = max(1, math.ceil(len(context.services.library) / PAGE_SIZE))
    if page > pages or page < 1:
        shown = asked if len(asked) <= 12 else asked[:11] + "…"
        note = context.tr._("There is no page %(asked)s; here is page %(page)d.") % {
            "asked": e(shown),
            "page": min(max(page, 1), pages),
        }
        html = f"{note}\n\n{html}"
    html += ignored_words(args, "briefings", N_("only a page number"), context.tr)
    await reply(update, html, keyboard)


async def cmd_summary(update: Update, context: BotContext) -> None:
    """Title, date, source, summary and key points, with buttons for the other sections."""
    briefing = await _briefing_from_args(update, context)
    if briefing is not None:
        await reply(update, *_summary(context, briefing))


async def cmd_who_attends(update: Update, context: BotContext) -> None:
    """Attendees grouped by status."""
    briefing = await _briefing_from_args(update, context)
    if briefing is not None:
        await _send_section(update, context, "w", briefing)


async def cmd_related(update: Update, context: BotContext) -> None:
    """Related headlines."""
    briefing = await _briefing_from_args(update, context)
    if briefing is not None:
        await _send_section(update, context, "r", briefing)


async def cmd_timeline(update: Update, context: BotContext) -> None:
    """The timeline, in order."""
    briefing = await _briefing_from_args(update, context)
    if briefing is not None:
        await _send_section(update, context, "t", briefing)


def _summary(context: BotContext, briefing: Briefing) -> tuple[str, InlineKeyboardMarkup | None]:
    """The briefing's summary with its section buttons, rendered once per language."""
    tr = context.tr
    return context.services.answers.get(
        briefing,
        ("summary", tr.language),
        lambda: (render_summary(briefing, tr), summary_keyboard(briefing, tr)),
    )


def _section_page(
    context: BotContext, code: str, briefing: Briefing, page: int, speakers: str | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of a section and the buttons to the pages around it, rendered once per language.

    `speakers` is a key of `quotes_matching`: the quotes of those speakers only. A key too long
    for the buttons' callback data leaves the answer at its first page, with a hint.
    """
    tr = context.tr
    return context.services.answers.get(
        briefing,
        (code, page, speakers, tr.language),
        lambda: _render_section_page(tr, code, briefing, page, speakers),
    )


def _render_section_page(
    tr: Translator, code: str, briefing: Briefing, page: int, speakers: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    if speakers is None:
        section = SECTION_BUILDERS[code](briefing, tr)
    else:
        quotes = quotes_for_key(briefing, speakers) or []
        section = quotes_section(briefing, quotes, by=speakers_label(quotes, tr), tr=tr)
    pages = paginate(section)
    number, html = pick(pages, page)
    if len(pages) > 1 and not fits(
        section_page_data(code, len(pages), briefing.id, speakers or "")
    ):
        hint = "<i>" + tr._("Too many speakers match to turn these pages; try a fuller name.")
        hint += "</i>"
        return f"{html}\n{hint}", None

    def data(n: int) -> str:
        return section_page_data(code, n, briefing.id, speakers or "")

    return html, pages_keyboard(number, len(pages), data, tr)


async def _send_section(
    update: Update,
    context: BotContext,
    code: str,
    briefing: Briefing,
    speakers: str | None = None,
) -> None:
    await reply(update, *_section_page(context, code, briefing, 1, speakers))


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
            await reply(update, context.tr._(NO_BRIEFINGS))
            return
    if not speaker:
        await _send_section(update, context, "q", briefing)
        return
    matching, key = quotes_matching(briefing, speaker)
    if matching:
        await _send_section(update, context, "q", briefing, key)
    elif len(args) == 1 and (args[0].isdecimal() or "-" in args[0]):
        # Looks like a mistyped briefing reference rather than a name.
        await reply(update, unknown_briefing_html(context, args[0][:MAX_QUERY]))
    else:
        await reply(update, render_no_speaker(briefing, speaker, context.tr))


def _search_page(
    context: BotContext, query: str, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of the results of `query`, with buttons to the pages around it."""
    results = context.services.library.search_listings(query, limit=MAX_RESULTS)
    tr = context.tr
    section = search_section(query, results, tr)
    if not results:
        return section.empty, None
    pages = paginate(section)
    number, html = pick(pages, page)
    if not fits(search_page_data(len(pages), query)):
        hint = "<i>" + tr._("More matches on further pages: a shorter search can turn them.")
        hint += "</i>"
        return (f"{html}\n{hint}" if len(pages) > 1 else html), None
    return html, pages_keyboard(number, len(pages), lambda n: search_page_data(n, query), tr)


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
    html = render_archive_quotes(speaker, entries, first + 1, len(refs), page, pages, context.tr)
    return html, archive_quotes_keyboard(speaker, page, pages, context.tr)


async def _archive_quotes(update: Update, context: BotContext, speaker: str) -> None:
    speaker = " ".join(speaker.split())[:MAX_QUERY]
    if not speaker:
        example = context.tr._("Whose quotes? For example: <code>/quotes all macron</code>")
        await reply(update, example, None)
        return
    html, keyboard = _archive_quotes_page(context, speaker, 1)
    await reply(update, html, keyboard)


async def _search(update: Update, context: BotContext, query: str) -> None:
    query = " ".join(query.split())[:MAX_QUERY]
    await reply(update, *_search_page(context, query, 1))


async def cmd_search(update: Update, context: BotContext) -> None:
    """Search every briefing; best matches first."""
    query = " ".join(context.args or [])
    if not query.strip():
        example = context.tr._(
            "What should I look for? For example: <code>/search ceasefire</code>"
        )
        await reply(update, example)
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
    answer = context.tr._("I don't know %(command)s. /help lists what I can do.")
    await reply(update, answer % {"command": e(name[:64])})


async def _edit(update: Update, html: str, keyboard: InlineKeyboardMarkup | None) -> None:
    """Show another page in the message whose button was pressed."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.edit_message_text(html, reply_markup=keyboard)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


def _number(text: str) -> int:
    return int(text) if text.isdecimal() and len(text) < 6 else 1


async def on_button(update: Update, context: BotContext) -> None:
    """Inline buttons: pick a briefing, open a section, or turn a page of a long answer."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    data = query.data
    library = context.services.library
    if data.startswith(PAGE_PREFIX):
        await query.answer()
        current = current_briefing(update, context)
        page = _number(data.removeprefix(PAGE_PREFIX))
        await _edit(update, *_page(context, page, current.id if current else None))
        return
    if data.startswith(SEARCH_PAGE_PREFIX):
        await query.answer()
        number, _, words = data.removeprefix(SEARCH_PAGE_PREFIX).partition(":")
        await _edit(update, *_search_page(context, words, _number(number)))
        return
    if data.startswith(QUOTES_PAGE_PREFIX):
        await query.answer()
        number, _, speaker = data.removeprefix(QUOTES_PAGE_PREFIX).partition(":")
        await _edit(update, *_archive_quotes_page(context, speaker, _number(number)))
        return
    if data.startswith(OPEN_PREFIX):
        briefing = library.get(data.removeprefix(OPEN_PREFIX))
        if briefing is None:
            await query.answer(context.tr._(GONE), show_alert=True)
            return
        await query.answer()
        _choose(update, context, briefing)
        await reply(update, *_summary(context, briefing))
        return
    if data.startswith(SECTION_PREFIX):
        code, _, briefing_id = data.removeprefix(SECTION_PREFIX).partition(":")
        code = OLD_SECTION_CODES.get(code, code)
        briefing = library.get(briefing_id)
        if briefing is None:
            await query.answer(context.tr._(GONE), show_alert=True)
            return
        await query.answer()
        if code in SECTION_BUILDERS:
            await _send_section(update, context, code, briefing)
        return
    if data.startswith(SECTION_PAGE_PREFIX):
        code, _, rest = data.removeprefix(SECTION_PAGE_PREFIX).partition(":")
        number, _, rest = rest.partition(":")
        briefing_id, _, speakers = rest.partition(":")
        briefing = library.get(briefing_id)
        if briefing is None:
            await query.answer(context.tr._(GONE), show_alert=True)
            return
        if code not in SECTION_BUILDERS or (
            speakers and quotes_for_key(briefing, speakers) is None
        ):
            await query.answer(context.tr._(OUT_OF_DATE))
            return
        await query.answer()
        shown = _section_page(context, code, briefing, _number(number), speakers or None)
        await _edit(update, *shown)
        return
    await query.answer(context.tr._(OUT_OF_DATE))
