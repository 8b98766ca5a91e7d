"""Drafting: an article in (plain text, copied text or a saved HTML page), a draft briefing out.

No Telegram here: the CLI (`briefbot draft`), the simulator and the admins' Telegram handlers all
call `draft_article`.
"""

from bot.drafting.draft import Draft, DraftError, draft_article

__all__ = ["Draft", "DraftError", "draft_article"]
