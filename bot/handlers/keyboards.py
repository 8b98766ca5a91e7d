"""Inline keyboards and their callback data.

Callback data is at most 64 bytes: a short prefix and a briefing id (ids are at most 56
characters), a page number, or both with a one-letter section code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.briefing.models import Briefing
from bot.i18n import EN, LANGUAGES, N_, Translator

OPEN_PREFIX = "o:"  # o:<id>: make the briefing current and show its summary
PAGE_PREFIX = "p:"  # p:<page>: show that page of /briefings
SECTION_PREFIX = "s:"  # s:<section>:<id>: show one section of a briefing
# g:<section>:<page>:<id>[:<speakers>]: turn to that page of a section (quotes of some speakers)
SECTION_PAGE_PREFIX = "g:"
SEARCH_PAGE_PREFIX = "f:"  # f:<page>:<query>: turn to that page of search results
MAX_CALLBACK_DATA = 64  # bytes, Telegram's limit
QUOTES_PAGE_PREFIX = "qa:"  # qa:<page>:<speaker>: that page of `/quotes all <speaker>`

# Section codes in callback data, with the button label. One letter, so that a code, a page
# number and the longest id fit the 64 bytes together.
SECTIONS = {
    "w": N_("👥 Who attends"),
    "q": N_("💬 Quotes"),
    "r": N_("🔗 Related"),
    "t": N_("🗓 Timeline"),
}
# The longer codes of earlier versions, still under messages sent before.
OLD_SECTION_CODES = {"who": "w", "quotes": "q", "related": "r", "timeline": "t"}
PAGE_SIZE = 8
NEWER = N_("‹ Newer")
OLDER = N_("Older ›")
SHARE_LABEL = N_("↗ Share")
LANGUAGE_PREFIX = "l:"  # l:<code>: make that the chat's language


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summary_keyboard(briefing: Briefing, tr: Translator = EN) -> InlineKeyboardMarkup:
    """Buttons under a summary: the other sections that have something to show, then Share.

    Share lets the reader pick a chat and types `@<bot> <id>` there (inline mode).
    """
    filled = {
        "w": briefing.attendees,
        "q": briefing.quotes,
        "r": briefing.related,
        "t": briefing.timeline,
    }
    shown = [
        InlineKeyboardButton(tr._(label), callback_data=f"{SECTION_PREFIX}{code}:{briefing.id}")
        for code, label in SECTIONS.items()
        if filled[code]
    ]
    rows = [shown[i : i + 2] for i in range(0, len(shown), 2)]
    rows.append([InlineKeyboardButton(tr._(SHARE_LABEL), switch_inline_query=briefing.id)])
    return InlineKeyboardMarkup(rows)


def fits(data: str) -> bool:
    """Whether `data` fits in a button's callback data."""
    return len(data.encode()) <= MAX_CALLBACK_DATA


def section_page_data(code: str, page: int, briefing_id: str, speakers: str = "") -> str:
    """Callback data that turns to `page` of a section (`speakers`: a quote filter's key)."""
    data = f"{SECTION_PAGE_PREFIX}{code}:{page}:{briefing_id}"
    return f"{data}:{speakers}" if speakers else data


def search_page_data(page: int, query: str) -> str:
    """Callback data that turns to `page` of the results of `query`."""
    return f"{SEARCH_PAGE_PREFIX}{page}:{query}"


def pages_keyboard(
    page: int, pages: int, data: Callable[[int], str], tr: Translator = EN
) -> InlineKeyboardMarkup | None:
    """‹ and › buttons to the previous and next page, where there are such pages."""
    nav = []
    if page > 1:
        label = tr._("‹ Page %(page)d") % {"page": page - 1}
        nav.append(InlineKeyboardButton(label, callback_data=data(page - 1)))
    if page < pages:
        label = tr._("Page %(page)d ›") % {"page": page + 1}
        nav.append(InlineKeyboardButton(label, callback_data=data(page + 1)))
    return InlineKeyboardMarkup([nav]) if nav else None


def list_keyboard(
    briefings: Sequence[Briefing], first_number: int, page: int, pages: int, tr: Translator = EN
) -> InlineKeyboardMarkup:
    """One button per listed briefing, then previous/next page buttons."""
    rows = [
        [InlineKeyboardButton(f"{n}. {_short(b.title)}", callback_data=OPEN_PREFIX + b.id)]
        for n, b in enumerate(briefings, start=first_number)
    ]
    nav = []
    if page > 1:
        nav.append(InlineKeyboardButton(tr._(NEWER), callback_data=f"{PAGE_PREFIX}{page - 1}"))
    if page < pages:
        nav.append(InlineKeyboardButton(tr._(OLDER), callback_data=f"{PAGE_PREFIX}{page + 1}"))
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows)


def archive_quotes_keyboard(
    speaker: str, page: int, pages: int, tr: Translator = EN
) -> InlineKeyboardMarkup | None:
    """‹ › buttons between the pages of `/quotes all <speaker>` (none for a single page)."""
    if pages <= 1:
        return None
    # The speaker rides in the callback data; cut it to fit 64 bytes (a shorter name matches
    # at least the same quotes, since every word matches as a prefix).
    head = f"{QUOTES_PAGE_PREFIX}{{}}:"
    room = 64 - len(head.format(pages).encode())
    who = speaker.encode()[:room].decode(errors="ignore").strip()
    nav = []
    if page > 1:
        newer = InlineKeyboardButton(tr._(NEWER), callback_data=f"{head.format(page - 1)}{who}")
        nav.append(newer)
    if page < pages:
        older = InlineKeyboardButton(tr._(OLDER), callback_data=f"{head.format(page + 1)}{who}")
        nav.append(older)
    return InlineKeyboardMarkup([nav])


def digest_keyboard(items: Sequence[Briefing], tr: Translator = EN) -> InlineKeyboardMarkup:
    """One button per digest item that opens its summary."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _short(tr._("Open: %(title)s") % {"title": b.title}, 48),
                    callback_data=OPEN_PREFIX + b.id,
                )
            ]
            for b in items
        ]
    )


def digest_link_keyboard(
    items: Sequence[Briefing], bot_username: str, tr: Translator = EN
) -> InlineKeyboardMarkup:
    """Buttons under a channel's digest: each opens the briefing in a private chat with the bot.

    A button pressed in a channel would be answered in the channel itself, for every subscriber
    to see; a `/start <id>` link answers only the reader who pressed it.
    """
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _short(tr._("Open: %(title)s") % {"title": b.title}, 48),
                    url=f"https://t.me/{bot_username}?start={b.id}",
                )
            ]
            for b in items
        ]
    )


# tf:<channel id>:<tag>: follow that tag, in this chat when the id is empty (tags are at most
# 40 characters, channel ids 14)
FOLLOW_PREFIX = "tf:"
CHANNEL_PREFIX = "ch:"  # ch:<chat id>: show a channel's settings to the admin who set it up


def follow_keyboard(tags: Sequence[str], channel: str = "") -> InlineKeyboardMarkup:
    """One button per tag, two a row, that follows it (in `channel`, a channel id, if given)."""
    shown = [
        InlineKeyboardButton(f"#{tag}", callback_data=f"{FOLLOW_PREFIX}{channel}:{tag}")
        for tag in tags
        if fits(f"{FOLLOW_PREFIX}{channel}:{tag}")
    ]
    return InlineKeyboardMarkup([shown[i : i + 2] for i in range(0, len(shown), 2)])


def channels_keyboard(channels: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    """One button per channel (id, name) that shows its settings."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(f"⚙️ {_short(name)}", callback_data=f"{CHANNEL_PREFIX}{cid}")]
            for cid, name in channels
        ]
    )


def language_keyboard() -> InlineKeyboardMarkup:
    """One button per shipped language, each named in itself."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(name, callback_data=LANGUAGE_PREFIX + code)
                for code, name in LANGUAGES.items()
            ]
        ]
    )


DRAFT_PUBLISH_PREFIX = "dp:"  # dp:<draft key>: publish a pending draft
DRAFT_PREVIEW_PREFIX = "dv:"  # dv:<draft key>: show it as readers will see it
DRAFT_DISCARD_PREFIX = "dx:"  # dx:<draft key>: drop it
DRAFT_REPLACE_PREFIX = "dr:"  # dr:<draft key>: publish it over the briefing with the same id
DRAFT_PREFIXES = (
    DRAFT_PUBLISH_PREFIX,
    DRAFT_PREVIEW_PREFIX,
    DRAFT_DISCARD_PREFIX,
    DRAFT_REPLACE_PREFIX,
)


def draft_keyboard(key: str, tr: Translator = EN) -> InlineKeyboardMarkup:
    """Buttons under a draft's preview."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(tr._("✅ Publish"), callback_data=DRAFT_PUBLISH_PREFIX + key),
                InlineKeyboardButton(tr._("👁 Preview"), callback_data=DRAFT_PREVIEW_PREFIX + key),
                InlineKeyboardButton(tr._("🗑 Discard"), callback_data=DRAFT_DISCARD_PREFIX + key),
            ]
        ]
    )


def replace_keyboard(key: str, tr: Translator = EN) -> InlineKeyboardMarkup:
    """Buttons when a draft's id is on air already."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(tr._("♻️ Replace"), callback_data=DRAFT_REPLACE_PREFIX + key),
                InlineKeyboardButton(tr._("🗑 Discard"), callback_data=DRAFT_DISCARD_PREFIX + key),
            ]
        ]
    )
