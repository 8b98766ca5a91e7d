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

# Section keys in callback data, with the button label.
SECTIONS = {"who": "👥 Who attends", "quotes": "💬 Quotes", "related": "🔗 Related"}
PAGE_SIZE = 8
MAX_CALLBACK_DATA = 64  # bytes, Telegram's limit


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summary_keyboard(briefing: Briefing) -> InlineKeyboardMarkup:
    """Buttons under a summary: the briefing's other sections."""
    data = {key: f"{SECTION_PREFIX}{key}:{briefing.id}" for key in SECTIONS}
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(label, callback_data=data[key])
                for key, label in SECTIONS.items()
                # Telegram refuses the whole message over one button with more than 64 bytes,
                # which the longer section keys reach with ids near the 56-character limit.
                if len(data[key].encode()) <= MAX_CALLBACK_DATA
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


def digest_keyboard(items: Sequence[Briefing]) -> InlineKeyboardMarkup:
    """One button per digest item that opens its summary."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_short(f"Open: {b.title}", 48), callback_data=OPEN_PREFIX + b.id)]
            for b in items
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


def draft_keyboard(key: str) -> InlineKeyboardMarkup:
    """Buttons under a draft's preview."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("✅ Publish", callback_data=DRAFT_PUBLISH_PREFIX + key),
                InlineKeyboardButton("👁 Preview", callback_data=DRAFT_PREVIEW_PREFIX + key),
                InlineKeyboardButton("🗑 Discard", callback_data=DRAFT_DISCARD_PREFIX + key),
            ]
        ]
    )


def replace_keyboard(key: str) -> InlineKeyboardMarkup:
    """Buttons when a draft's id is on air already."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("♻️ Replace", callback_data=DRAFT_REPLACE_PREFIX + key),
                InlineKeyboardButton("🗑 Discard", callback_data=DRAFT_DISCARD_PREFIX + key),
            ]
        ]
    )
