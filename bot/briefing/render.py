"""Rendering briefings to Telegram HTML.

Every function returns HTML for Telegram's HTML parse mode: only tags Telegram supports, every
dynamic string escaped. Nothing here knows about Telegram's API, so the simulator and the tests
show exactly what a chat would receive. Long answers are split by `bot.briefing.split`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from bot.briefing.models import Attendee, AttendeeStatus, Briefing, Quote
from bot.briefing.pages import Item, Section, whole
from bot.briefing.split import MESSAGE_LIMIT, utf16_width, visible_length
from bot.commands import COMMANDS, DRAFTING_HELP

# A quote longer than this is shown collapsed (`<blockquote expandable>`), to keep answers short.
EXPANDABLE_QUOTE = 300
BULLET = "•"
# Speakers listed when a name matches nobody: enough to spot the right one, never a flood.
MAX_NAMES_LISTED = 20

STATUS_HEADINGS = {
    AttendeeStatus.HOST: "Host",
    AttendeeStatus.CONFIRMED: "Confirmed",
    AttendeeStatus.EXPECTED: "Expected",
    AttendeeStatus.UNDECIDED: "Undecided",
    AttendeeStatus.ABSENT: "Absent",
}


def plural(n: int, word: str, many: str | None = None) -> str:
    """`n` and the noun in the right number: "1 briefing", "3 briefings", "2 countries"."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def e(text: str) -> str:
    """Escape plain text for Telegram HTML."""
    return escape(text, quote=False)


def link(url: str, text: str) -> str:
    """A link, with both the address and the text escaped."""
    return f'<a href="{escape(url, quote=True)}">{e(text)}</a>'


def format_date(day: dt.date) -> str:
    """A date as people write it: 15 March 2025."""
    return f"{day.day} {day:%B %Y}"


def one_line(text: str, limit: int = 160) -> str:
    """The first sentence of `text`, cut to `limit` characters on a word boundary."""
    flat = " ".join(text.split())
    end = flat.find(". ")
    if 0 < end < limit:
        return flat[: end + 1]
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _heading(title: str, briefing: Briefing) -> str:
    return f"<b>{e(title)}</b> · {e(briefing.title)}"


def _tag(tag: str) -> str:
    # Telegram makes #words clickable; a dash would end the hashtag early.
    return "#" + "".join(c if c.isalnum() else "_" for c in tag)


def render_summary(briefing: Briefing) -> str:
    """Title, date, source, summary, key points and tags."""
    byline = format_date(briefing.published_date)
    if briefing.source is not None:
        source = (
            link(str(briefing.source.url), briefing.source.name)
            if briefing.source.url
            else e(briefing.source.name)
        )
        byline += f" · {source}"
    lines = [f"<b>{e(briefing.title)}</b>", f"<i>{byline}</i>", "", e(briefing.summary)]
    if briefing.key_points:
        lines += ["", "<b>Key points</b>"]
        lines += [f"{BULLET} {e(point)}" for point in briefing.key_points]
    if briefing.tags:
        lines += ["", " ".join(e(_tag(t)) for t in briefing.tags)]
    return "\n".join(lines)


def _attendee_line(attendee: Attendee) -> str:
    # Skip details the name or role already spell out ("Prime Minister of Sweden", "Sweden").
    details: list[str] = []
    for detail in (attendee.role, attendee.country):
        if detail and detail not in attendee.name and not any(detail in d for d in details):
            details.append(detail)
    line = f"{BULLET} <b>{e(attendee.name)}</b>"
    if details:
        line += f", {e(', '.join(details))}"
    if attendee.note:
        line += f"\n   <i>{e(attendee.note)}</i>"
    return line


def attendees_section(briefing: Briefing) -> Section:
    """Attendees grouped by status, in the order host, confirmed, expected, undecided, absent."""
    items: list[Item] = []
    for status, heading in STATUS_HEADINGS.items():
        group = [a for a in briefing.attendees if a.status == status]
        items += [Item(_attendee_line(a), f"<b>{heading}</b> ({len(group)})") for a in group]
    return Section(
        _heading("Who attends", briefing), items, "This briefing lists no attendees.", tight=True
    )


def render_attendees(briefing: Briefing) -> str:
    """Attendees grouped by status, in the order host, confirmed, expected, undecided, absent."""
    return whole(attendees_section(briefing))


def _quote_block(quote: Quote) -> str:
    who = f"<b>{e(quote.speaker)}</b>"
    if quote.role:
        who += f", {e(quote.role)}"
    tag = "blockquote expandable" if len(quote.text) > EXPANDABLE_QUOTE else "blockquote"
    block = f"{who}\n<{tag}>{e(quote.text)}</blockquote>"
    if quote.context:
        block += f"\n<i>{e(quote.context)}</i>"
    return block


def speakers_label(quotes: Sequence[Quote]) -> str:
    """Who said `quotes`: "Emmanuel Macron", "A and B", "A, B and 3 others"."""
    names = list(dict.fromkeys(q.speaker for q in quotes))
    if len(names) <= 2:
        return " and ".join(names)
    return f"{names[0]}, {names[1]} and {plural(len(names) - 2, 'other')}"


def quotes_section(
    briefing: Briefing,
    quotes: Sequence[Quote],
    speaker: str | None = None,
    *,
    by: str | None = None,
) -> Section:
    """The given quotes of a briefing, each with speaker and role.

    The heading names the filter `speaker` as typed, or `by` (see `speakers_label`).
    """
    title = "Quotes"
    if speaker is not None:
        title = f"Quotes by “{speaker}”"
    elif by:
        title = f"Quotes by {by}"
    return Section(
        _heading(title, briefing),
        [Item(_quote_block(quote)) for quote in quotes],
        "This briefing has no quotes.",
    )


def render_quotes(briefing: Briefing, quotes: Sequence[Quote], speaker: str | None = None) -> str:
    """The given quotes of a briefing, each with speaker and role."""
    return whole(quotes_section(briefing, quotes, speaker))


# Cuts that keep a page of `/quotes all` within one message (4096 characters): five quotes of
# at most ~700 characters each, plus the heading.
ARCHIVE_QUOTE_CUT = 400
ARCHIVE_TITLE_CUT = 100
ARCHIVE_NAME_CUT = 80


def _flat_cut(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def render_archive_quotes(
    speaker: str,
    entries: Sequence[tuple[Briefing, Quote]],
    first_number: int,
    total: int,
    page: int,
    pages: int,
) -> str:
    """One page of a speaker's quotes across every briefing, newest briefing first."""
    if total == 0:
        return (
            f"No quotes by “{e(speaker)}” in any briefing.\n"
            "Check the spelling; part of a name or a role works too (<code>/quotes all "
            "macron</code>)."
        )
    lines = [
        f"<b>Quotes by “{e(speaker)}”</b> · every briefing, newest first",
        f"<i>{total} quote{'s' if total != 1 else ''} · page {page} of {pages}</i>",
    ]
    for number, (briefing, quote) in enumerate(entries, start=first_number):
        who = f"<b>{e(_flat_cut(quote.speaker, ARCHIVE_NAME_CUT))}</b>"
        if quote.role:
            who += f", {e(_flat_cut(quote.role, ARCHIVE_NAME_CUT))}"
        lines += [
            "",
            f"{number}. <i>{e(_flat_cut(briefing.title, ARCHIVE_TITLE_CUT))}</i> · "
            f"{format_date(briefing.published_date)} · <code>{e(briefing.id)}</code>",
            who,
            f"<blockquote>{e(_flat_cut(quote.text, ARCHIVE_QUOTE_CUT))}</blockquote>",
        ]
    return "\n".join(lines)


def speakers_of(briefing: Briefing) -> list[str]:
    """Everyone quoted in a briefing, in order of first appearance."""
    return list(dict.fromkeys(q.speaker for q in briefing.quotes))


def render_no_speaker(briefing: Briefing, speaker: str) -> str:
    """Nobody by that name is quoted: say so and list who is."""
    names = speakers_of(briefing)
    lines = [_heading("Quotes", briefing), "", f"Nobody matching “{e(speaker)}” is quoted here."]
    if names:
        lines += ["", "Quoted in this briefing:"]
        lines += [f"{BULLET} {e(n)}" for n in names[:MAX_NAMES_LISTED]]
    if len(names) > MAX_NAMES_LISTED:
        lines.append(f"…and {plural(len(names) - MAX_NAMES_LISTED, 'other')}.")
    return "\n".join(lines)


def related_section(briefing: Briefing) -> Section:
    """Related headlines, linked where a URL is known."""
    items = [
        Item(f"{BULLET} " + (link(str(item.url), item.title) if item.url else e(item.title)))
        for item in briefing.related
    ]
    return Section(
        _heading("Related", briefing), items, "This briefing lists no related stories.", tight=True
    )


def render_related(briefing: Briefing) -> str:
    """Related headlines, linked where a URL is known."""
    return whole(related_section(briefing))


def timeline_section(briefing: Briefing) -> Section:
    """The timeline, in order."""
    items = [Item(f"<b>{e(entry.when)}</b>\n{e(entry.what)}") for entry in briefing.timeline]
    return Section(_heading("Timeline", briefing), items, "This briefing has no timeline.")


def render_timeline(briefing: Briefing) -> str:
    """The timeline, in order."""
    return whole(timeline_section(briefing))


def render_briefing_list(
    briefings: Sequence[Briefing], first_number: int, total: int, current_id: str | None
) -> str:
    """One page of `/briefings`: numbered, newest first, the chat's current one marked."""
    if total == 0:
        return "No briefings yet."
    last = first_number + len(briefings) - 1
    lines = [f"<b>Briefings</b> ({first_number}–{last} of {total}, newest first)", ""]
    for number, briefing in enumerate(briefings, start=first_number):
        mark = " ✅" if briefing.id == current_id else ""
        lines.append(
            f"<b>{number}.</b> {e(briefing.title)}{mark}\n"
            f"   <i>{format_date(briefing.published_date)}</i> · <code>{e(briefing.id)}</code>"
        )
    lines += ["", "Pick one to make it this chat's current briefing."]
    return "\n".join(lines)


def search_section(query: str, results: Sequence[Briefing]) -> Section:
    """Search results, best first, each with its id and a one-line summary."""
    items = [
        Item(
            f"{BULLET} <b>{e(briefing.title)}</b> · <code>{e(briefing.id)}</code>\n"
            f"   {e(one_line(briefing.summary))}"
        )
        for briefing in results
    ]
    heading = f"<b>Search</b> · “{e(query)}” · {plural(len(results), 'match', 'matches')}"
    return Section(
        heading,
        items,
        f"No briefing matches “{e(query)}”.\n"
        "Try other words, /briefings to see them all, or /help for the commands.",
        tight=True,
    )


def render_search_results(query: str, results: Sequence[Briefing]) -> str:
    """Search results, best first, each with its id and a one-line summary."""
    if not results:
        return search_section(query, results).empty
    return whole(search_section(query, results))


def render_ignored(words: str, command: str, takes: str = "no arguments") -> str:
    """A note that words after a command were not used: what the command takes instead."""
    shown = words if len(words) <= 40 else words[:39].rstrip() + "…"
    return f"<i>(I ignored “{e(shown)}”: /{e(command)} takes {e(takes)}.)</i>"


def render_unknown_briefing(ref: str, suggestions: Sequence[str], available: int) -> str:
    """A briefing reference that matches nothing, with the closest ids."""
    lines = [f"There is no briefing “{e(ref)}”."]
    if suggestions:
        lines += ["", "Did you mean:"] + [f"{BULLET} <code>{e(s)}</code>" for s in suggestions]
    if available:
        lines += ["", f"Use an id or a number from 1 to {available} as in /briefings."]
    else:
        lines += ["", "No briefings are loaded yet."]
    return "\n".join(lines)


def render_digest(items: Sequence[Briefing], more: int) -> str:
    """A digest of briefings the chat has not received yet, newest first."""
    lines = [f"<b>Your digest</b> · {plural(len(items), 'new briefing')}"]
    for briefing in items:
        lines += [
            "",
            f"<b>{e(briefing.title)}</b>",
            f"<i>{format_date(briefing.published_date)}</i> · {e(one_line(briefing.summary))}",
            f"/summary {e(briefing.id)}",
        ]
    if more:
        lines += ["", f"…and {more} more in the next digest, or see /briefings."]
    return "\n".join(lines)


def render_help(is_admin: bool = False) -> str:
    """Every command with a one-line description."""
    lines = ["<b>Commands</b>", ""]
    for command in COMMANDS:
        if command.admin_only and not is_admin:
            continue
        args = f" {e(command.args)}" if command.args else ""
        lines.append(f"/{command.name}{args} · {e(command.description)}")
    lines += [
        "",
        "<i>[briefing]</i> is an id or a number from /briefings; without it, the chat's "
        "current briefing is used. In a private chat, any other text is a search.",
    ]
    if is_admin:
        lines += ["", e(DRAFTING_HELP)]
    return "\n".join(lines)


def render_welcome(count: int) -> str:
    """The `/start` greeting."""
    return (
        "<b>Welcome to briefbot.</b>\n"
        f"I serve curated briefings on the news ({plural(count, 'briefing')} so far): who attends, "
        "what was said, what happened when, and a daily digest of new ones.\n\n"
        "Try:\n"
        "/summary · the latest briefing in short\n"
        "/who_attends · who takes part\n"
        "/quotes · what was said\n\n"
        "/help lists every command."
    )


def _cut(text: str, room: int) -> str:
    """`text` cut on a word boundary to at most `room` UTF-16 code units, ending with "…"."""
    if utf16_width(text) <= room:
        return text
    used, end = 1, len(text)  # the "…" takes one unit
    for i, char in enumerate(text):
        used += utf16_width(char)
        if used > room:
            end = i
            break
    kept = text[:end]
    if " " in kept[room // 2 :]:  # cut at a space unless that would waste half the room
        kept = kept.rsplit(" ", 1)[0]
    return kept.rstrip(" ,;:") + "…"


def render_card(briefing: Briefing, limit: int = MESSAGE_LIMIT) -> str:
    """A briefing's summary card for sharing: title, date and source, summary; one message.

    The summary is shortened (on a word boundary, ending with "…") when the whole card would
    not fit in `limit` characters as Telegram counts them.
    """
    byline = format_date(briefing.published_date)
    if briefing.source is not None:
        byline += f" · {briefing.source.name}"
    head = f"<b>{e(_cut(briefing.title, limit // 4))}</b>\n<i>{e(byline)}</i>\n\n"
    # Escaping does not change the visible length: "&amp;" is one character, as "&" was.
    return head + e(_cut(briefing.summary, limit - visible_length(head)))


def card_description(briefing: Briefing) -> str:
    """The one line under a shared briefing's title: its date and the start of its summary."""
    return f"{format_date(briefing.published_date)} · {one_line(briefing.summary, 100)}"
