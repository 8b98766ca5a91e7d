"""Inline mode: `@<bot> words` in any chat offers matching briefings to send there.

Each result sends the briefing's summary card with a button that opens it in the bot through a
deep link (``t.me/<bot>?start=<id>``). The answer is the same for everyone, so Telegram may
cache it; results come 50 at a time, and `next_offset` (the number of results already given)
asks for more (see `bot.briefing.sharing` for how far).
"""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import InlineQueryLimit, ParseMode

from bot.briefing.models import Briefing
from bot.briefing.render import card_description, render_card
from bot.briefing.sharing import shareable
from bot.context import BotContext

PAGE = InlineQueryLimit.RESULTS  # 50, the most Telegram takes in one answer
CACHE_SECONDS = 300
# Offsets we hand out are multiples of PAGE; anything past this is nobody's next page.
MAX_OFFSET = 1_000_000
OPEN_LABEL = "Open in @{}"


def deep_link(username: str, briefing_id: str) -> str:
    """The link that opens a briefing in a private chat with the bot (ids fit a start payload)."""
    return f"https://t.me/{username}?start={briefing_id}"


def _offset(text: str) -> int:
    """The offset Telegram sends back: ours (a decimal string), else the first page."""
    text = text.strip()
    return int(text) if text.isdecimal() and len(text) <= 7 and int(text) <= MAX_OFFSET else 0


def _result(briefing: Briefing, username: str) -> InlineQueryResultArticle:
    button = InlineKeyboardButton(OPEN_LABEL.format(username), url=deep_link(username, briefing.id))
    return InlineQueryResultArticle(
        id=briefing.id,
        title=briefing.title,
        description=card_description(briefing),
        input_message_content=InputTextMessageContent(
            render_card(briefing),
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        reply_markup=InlineKeyboardMarkup([[button]]),
    )


async def on_inline_query(update: Update, context: BotContext) -> None:
    """Answer `@<bot> words` with matching briefings (the newest for no words), 50 at a time."""
    query = update.inline_query
    if query is None:
        return
    start = _offset(query.offset)
    page = shareable(context.services.library, query.query, start, PAGE)
    username = context.bot.username
    await query.answer(
        [_result(briefing, username) for briefing in page.briefings],
        cache_time=CACHE_SECONDS,
        is_personal=False,
        next_offset=str(start + PAGE) if page.more else "",
    )
