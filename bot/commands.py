"""The bot's commands: names, arguments and one-line descriptions, in menu order.

Used for `/help`, for the command menu registered with Telegram, and by the simulator. Names are
lowercase, as Telegram requires. Arguments and descriptions are English messages marked with
`N_`; they are translated where they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_


@dataclass(frozen=True)
class CommandInfo:
    """One chat command as users see it."""

    name: str
    args: str
    description: str
    in_menu: bool = True
    admin_only: bool = False


COMMANDS: tuple[CommandInfo, ...] = (
    CommandInfo("briefings", N_("[page]"), N_("List the briefings, newest first")),
    CommandInfo("summary", N_("[briefing]"), N_("Summary and key points")),
    CommandInfo("who_attends", N_("[briefing]"), N_("Who attends, by status")),
    CommandInfo("quotes", N_("[briefing|all] [speaker]"), N_("Quotes, optionally by one speaker")),
    CommandInfo("related", N_("[briefing]"), N_("Related headlines")),
    CommandInfo("timeline", N_("[briefing]"), N_("What happened, in order")),
    CommandInfo("search", N_("<words>"), N_("Search all briefings")),
    CommandInfo("subscribe", N_("[HH:MM]"), N_("Get a digest of new briefings every day")),
    CommandInfo("unsubscribe", "", N_("Stop the digests")),
    CommandInfo("digest", "", N_("Send the digest now")),
    CommandInfo("timezone", N_("<Area/City>"), N_("Set this chat's time zone")),
    CommandInfo("settings", "", N_("Show this chat's digest settings")),
    CommandInfo("follow", N_("[topic…]"), N_("Digest only briefings about these topics")),
    CommandInfo("unfollow", N_("<topic…|all>"), N_("Stop following topics")),
    CommandInfo("following", "", N_("The topics this chat follows")),
    CommandInfo("channels", "", N_("Channels you feed with digests")),
    CommandInfo("language", N_("[en|uk|fr]"), N_("Choose the bot's language")),
    CommandInfo("help", "", N_("Every command")),
    CommandInfo("start", N_("[briefing]"), N_("Welcome"), in_menu=False),
    CommandInfo("stats", "", N_("Subscribers and deliveries (admins)"), False, admin_only=True),
    CommandInfo("reload", "", N_("Reload the briefings now (admins)"), False, admin_only=True),
    CommandInfo(
        "draft", N_("<article>"), N_("Draft a briefing from an article (admins)"), False, True
    ),
)

DRAFTING_HELP = N_(
    "Drafting, for admins: in this private chat, send an article (pasted as a message of at "
    "least 600 characters or 3 paragraphs; forwarded, when parts sent within a few seconds are "
    "joined; as a .txt, .html or .md file; or after /draft) and I answer with a draft briefing "
    "to check and publish. Send an edited .yaml draft back to check it again. Shorter text is "
    "a search."
)

BRIEFING_COMMANDS = ("summary", "who_attends", "quotes", "related", "timeline")
