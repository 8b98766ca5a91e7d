"""The bot's commands: names, arguments and one-line descriptions, in menu order.

Used for `/help`, for the command menu registered with Telegram, and by the simulator. Names are
lowercase, as Telegram requires.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandInfo:
    """One chat command as users see it."""

    name: str
    args: str
    description: str
    in_menu: bool = True
    admin_only: bool = False


COMMANDS: tuple[CommandInfo, ...] = (
    CommandInfo("briefings", "[page]", "List the briefings, newest first"),
    CommandInfo("summary", "[briefing]", "Summary and key points"),
    CommandInfo("who_attends", "[briefing]", "Who attends, by status"),
    CommandInfo("quotes", "[briefing|all] [speaker]", "Quotes, optionally by one speaker"),
    CommandInfo("related", "[briefing]", "Related headlines"),
    CommandInfo("timeline", "[briefing]", "What happened, in order"),
    CommandInfo("search", "<words>", "Search all briefings"),
    CommandInfo("subscribe", "[HH:MM]", "Get a digest of new briefings every day"),
    CommandInfo("unsubscribe", "", "Stop the digests"),
    CommandInfo("digest", "", "Send the digest now"),
    CommandInfo("timezone", "<Area/City>", "Set this chat's time zone"),
    CommandInfo("settings", "", "Show this chat's digest settings"),
    CommandInfo("follow", "[topic…]", "Digest only briefings about these topics"),
    CommandInfo("unfollow", "<topic…|all>", "Stop following topics"),
    CommandInfo("following", "", "The topics this chat follows"),
    CommandInfo("channels", "", "Channels you feed with digests"),
    CommandInfo("help", "", "Every command"),
    CommandInfo("start", "[briefing]", "Welcome", in_menu=False),
    CommandInfo("stats", "", "Subscribers and deliveries (admins)", False, admin_only=True),
    CommandInfo("reload", "", "Reload the briefings now (admins)", False, admin_only=True),
    CommandInfo("draft", "<article>", "Draft a briefing from an article (admins)", False, True),
)

DRAFTING_HELP = (
    "Drafting, for admins: in this private chat, send an article (pasted as a message of at "
    "least 600 characters or 3 paragraphs; forwarded, when parts sent within a few seconds are "
    "joined; as a .txt, .html or .md file; or after /draft) and I answer with a draft briefing "
    "to check and publish. Send an edited .yaml draft back to check it again. Shorter text is "
    "a search."
)

BRIEFING_COMMANDS = ("summary", "who_attends", "quotes", "related", "timeline")
