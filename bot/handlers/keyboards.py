"""Inline keyboards and their callback data.

Callback data is at most 64 bytes: a short prefix and a briefing id (ids are at most 56
characters) or a page number.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.briefing.models import Briefing

OPEN_PREFIX = "o:"  # o:<id>: make the briefing current and show its summary
PAGE_PREFIX = "p:"  # p:<page>: show that page of /briefings
SECTION_PREFIX = "s:"  # s:<section>:<id>: show one section of a briefing
QUOTES_PAGE_PREFIX = "qa:"  # qa:<page>:<speaker>: that page of `/quotes all <speaker>`

# Section keys in callback data, with the button label.
SECTIONS = {"who": "👥 Who attends", "quotes": "💬 Quotes", "related": "🔗 Related"}
PAGE_SIZE = 8


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summary_keyboard(briefing: Briefing) -> InlineKeyboardMarkup:
    """Buttons under a summary: the briefing's other sections."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(label, callback_data=f"{SECTION_PREFIX}{key}:{briefing.id}")
                for key, label in SECTIONS.items()
            ]
        ]
    )


def list_keyboard(
    briefings: Sequence[Briefing], first_number: int, page: int, pages: int
) -> InlineKeyboardMarkup:
    """One button per listed briefing, then previous/next page buttons."""
    rows = [
        [InlineKeyboardButton(f"{n}. {_short(b.title)}", callback_data=OPEN_PREFIX + b.id)]
        for n, b in enumerate(briefings, start=first_number)
    ]
    nav = []
    if page > 1:
        nav.append(InlineKeyboardButton("‹ Newer", callback_data=f"{PAGE_PREFIX}{page - 1}"))
    if page < pages:
        nav.append(InlineKeyboardButton("Older ›", callback_data=f"{PAGE_PREFIX}{page + 1}"))
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows)


def archive_quotes_keyboard(speaker: str, page: int, pages: int) -> InlineKeyboardMarkup | None:
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
        nav.append(InlineKeyboardButton("‹ Newer", callback_data=f"{head.format(page - 1)}{who}"))
    if page < pages:
        nav.append(InlineKeyboardButton("Older ›", callback_data=f"{head.format(page + 1)}{who}"))
    return InlineKeyboardMarkup([nav])


def digest_keyboard(items: Sequence[Briefing]) -> InlineKeyboardMarkup:
    """One button per digest item that opens its summary."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_short(f"Open: {b.title}", 48), callback_data=OPEN_PREFIX + b.id)]
            for b in items
        ]
    )
