"""Rendering briefings to Telegram HTML.

Every function returns HTML for Telegram's HTML parse mode: only tags Telegram supports, every
dynamic string escaped. Nothing here knows about Telegram's API, so the simulator and the tests
show exactly what a chat would receive. Long answers are split by `bot.briefing.split`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape
from typing import NamedTuple

from bot.briefing.models import Attendee, AttendeeStatus, Briefing, Quote
from bot.briefing.pages import Item, Section, whole
from bot.briefing.split import MESSAGE_LIMIT, utf16_width, visible_length
from bot.commands import COMMANDS, DRAFTING_HELP
from bot.i18n import EN, N_, Translator

# A quote longer than this is shown collapsed (`<blockquote expandable>`), to keep answers short.
EXPANDABLE_QUOTE = 300
BULLET = "•"
# Speakers listed when a name matches nobody: enough to spot the right one, never a flood.
MAX_NAMES_LISTED = 20

STATUS_HEADINGS = {
    AttendeeStatus.HOST: N_("Host"),
    AttendeeStatus.CONFIRMED: N_("Confirmed"),
    AttendeeStatus.EXPECTED: N_("Expected"),
    AttendeeStatus.UNDECIDED: N_("Undecided"),
    AttendeeStatus.ABSENT: N_("Absent"),
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


def format_date(day: dt.date, tr: Translator = EN) -> str:
    """A date as people write it: 15 March 2025 (15 mars 2025 in French)."""
    return tr.date(day)


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


def render_summary(briefing: Briefing, tr: Translator = EN) -> str:
    """Title, date, source, summary, key points and tags."""
    byline = format_date(briefing.published_date, tr)
    if briefing.source is not None:
        source = (
            link(str(briefing.source.url), briefing.source.name)
            if briefing.source.url
            else e(briefing.source.name)
        )
        byline += f" · {source}"
    lines = [f"<b>{e(briefing.title)}</b>", f"<i>{byline}</i>", "", e(briefing.summary)]
    if briefing.key_points:
        lines += ["", "<b>" + tr._("Key points") + "</b>"]
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


def attendees_section(briefing: Briefing, tr: Translator = EN) -> Section:
    """Attendees grouped by status, in the order host, confirmed, expected, undecided, absent."""
    items: list[Item] = []
    for status, heading in STATUS_HEADINGS.items():
        group = [a for a in briefing.attendees if a.status == status]
        label = f"<b>{tr._(heading)}</b> ({len(group)})"
        items += [Item(_attendee_line(a), label) for a in group]
    return Section(
        _heading(tr._("Who attends"), briefing),
        items,
        tr._("This briefing lists no attendees."),
        tight=True,
        page_label=tr._("Page %(page)d of %(pages)d"),
    )


def render_attendees(briefing: Briefing, tr: Translator = EN) -> str:
    """Attendees grouped by status, in the order host, confirmed, expected, undecided, absent."""
    return whole(attendees_section(briefing, tr))


def _quote_block(quote: Quote) -> str:
    who = f"<b>{e(quote.speaker)}</b>"
    if quote.role:
        who += f", {e(quote.role)}"
    tag = "blockquote expandable" if len(quote.text) > EXPANDABLE_QUOTE else "blockquote"
    block = f"{who}\n<{tag}>{e(quote.text)}</blockquote>"
    if quote.context:
        block += f"\n<i>{e(quote.context)}</i>"
    return block


def speakers_label(quotes: Sequence[Quote], tr: Translator = EN) -> str:
    """Who said `quotes`: "Emmanuel Macron", "A and B", "A, B and 3 others"."""
    names = list(dict.fromkeys(q.speaker for q in quotes))
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return tr._("%(first)s and %(second)s") % {"first": names[0], "second": names[1]}
    others = len(names) - 2
    return tr.ngettext(
        "%(first)s, %(second)s and %(count)d other",
        "%(first)s, %(second)s and %(count)d others",
        others,
    ) % {"first": names[0], "second": names[1], "count": others}


def quotes_section(
    briefing: Briefing,
    quotes: Sequence[Quote],
    speaker: str | None = None,
    *,
    by: str | None = None,
    tr: Translator = EN,
) -> Section:
    """The given quotes of a briefing, each with speaker and role.

    The heading names the filter `speaker` as typed, or `by` (see `speakers_label`).
    """
    title = tr._("Quotes")
    if speaker is not None:
        title = tr._("Quotes by “%(speaker)s”") % {"speaker": speaker}
    elif by:
        title = tr._("Quotes by %(speakers)s") % {"speakers": by}
    return Section(
        _heading(title, briefing),
        [Item(_quote_block(quote)) for quote in quotes],
        tr._("This briefing has no quotes."),
        page_label=tr._("Page %(page)d of %(pages)d"),
    )


def render_quotes(
    briefing: Briefing, quotes: Sequence[Quote], speaker: str | None = None, tr: Translator = EN
) -> str:
    """The given quotes of a briefing, each with speaker and role."""
    return whole(quotes_section(briefing, quotes, speaker, tr=tr))


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
    tr: Translator = EN,
) -> str:
    """One page of a speaker's quotes across every briefing, newest briefing first."""
    if total == 0:
        return tr._(
            "No quotes by “%(speaker)s” in any briefing.\n"
            "Check the spelling; part of a name or a role works too (<code>/quotes all "
            "macron</code>)."
        ) % {"speaker": e(speaker)}
    counted = tr.ngettext("%(count)d quote", "%(count)d quotes", total) % {"count": total}
    lines = [
        tr._("<b>Quotes by “%(speaker)s”</b> · every briefing, newest first")
        % {"speaker": e(speaker)},
        "<i>"
        + tr._("%(quotes)s · page %(page)d of %(pages)d")
        % {"quotes": counted, "page": page, "pages": pages}
        + "</i>",
    ]
    for number, (briefing, quote) in enumerate(entries, start=first_number):
        who = f"<b>{e(_flat_cut(quote.speaker, ARCHIVE_NAME_CUT))}</b>"
        if quote.role:
            who += f", {e(_flat_cut(quote.role, ARCHIVE_NAME_CUT))}"
        lines += [
            "",
            f"{number}. <i>{e(_flat_cut(briefing.title, ARCHIVE_TITLE_CUT))}</i> · "
            f"{format_date(briefing.published_date, tr)} · <code>{e(briefing.id)}</code>",
            who,
            f"<blockquote>{e(_flat_cut(quote.text, ARCHIVE_QUOTE_CUT))}</blockquote>",
        ]
    return "\n".join(lines)


def speakers_of(briefing: Briefing) -> list[str]:
    """Everyone quoted in a briefing, in order of first appearance."""
    return list(dict.fromkeys(q.speaker for q in briefing.quotes))


def render_no_speaker(briefing: Briefing, speaker: str, tr: Translator = EN) -> str:
    """Nobody by that name is quoted: say so and list who is."""
    names = speakers_of(briefing)
    nobody = tr._("Nobody matching “%(speaker)s” is quoted here.") % {"speaker": e(speaker)}
    lines = [_heading(tr._("Quotes"), briefing), "", nobody]
    if names:
        lines += ["", tr._("Quoted in this briefing:")]
        lines += [f"{BULLET} {e(n)}" for n in names[:MAX_NAMES_LISTED]]
    if len(names) > MAX_NAMES_LISTED:
        more = len(names) - MAX_NAMES_LISTED
        lines.append(
            tr.ngettext("…and %(count)d other.", "…and %(count)d others.", more) % {"count": more}
        )
    return "\n".join(lines)


def related_section(briefing: Briefing, tr: Translator = EN) -> Section:
    """Related headlines, linked where a URL is known."""
    items = [
        Item(f"{BULLET} " + (link(str(item.url), item.title) if item.url else e(item.title)))
        for item in briefing.related
    ]
    return Section(
        _heading(tr._("Related"), briefing),
        items,
        tr._("This briefing lists no related stories."),
        tight=True,
        page_label=tr._("Page %(page)d of %(pages)d"),
    )


def render_related(briefing: Briefing, tr: Translator = EN) -> str:
    """Related headlines, linked where a URL is known."""
    return whole(related_section(briefing, tr))


def timeline_section(briefing: Briefing, tr: Translator = EN) -> Section:
    """The timeline, in order."""
    items = [Item(f"<b>{e(entry.when)}</b>\n{e(entry.what)}") for entry in briefing.timeline]
    return Section(
        _heading(tr._("Timeline"), briefing),
        items,
        tr._("This briefing has no timeline."),
        page_label=tr._("Page %(page)d of %(pages)d"),
    )


def render_timeline(briefing: Briefing, tr: Translator = EN) -> str:
    """The timeline, in order."""
    return whole(timeline_section(briefing, tr))


def render_briefing_list(
    briefings: Sequence[Briefing],
    first_number: int,
    total: int,
    current_id: str | None,
    tr: Translator = EN,
) -> str:
    """One page of `/briefings`: numbered, newest first, the chat's current one marked."""
    if total == 0:
        return tr._("No briefings yet.")
    last = first_number + len(briefings) - 1
    heading = tr._("<b>Briefings</b> (%(first)d–%(last)d of %(total)d, newest first)") % {
        "first": first_number,
        "last": last,
        "total": total,
    }
    lines = [heading, ""]
    for number, briefing in enumerate(briefings, start=first_number):
        mark = " ✅" if briefing.id == current_id else ""
        lines.append(
            f"<b>{number}.</b> {e(briefing.title)}{mark}\n"
            f"   <i>{format_date(briefing.published_date, tr)}</i> · <code>{e(briefing.id)}</code>"
        )
    lines += ["", tr._("Pick one to make it this chat's current briefing.")]
    return "\n".join(lines)


class Listing(NamedTuple):
    """What a list of search results shows of a briefing: id, title and first sentence."""

    id: str
    title: str
    line: str

    @classmethod
    def of(cls, briefing: Briefing) -> Listing:
        """The listing of `briefing`."""
        return cls.from_fields(briefing.id, briefing.title, briefing.summary)

    @classmethod
    def from_fields(cls, briefing_id: str, title: str, summary: str) -> Listing:
        """The listing of a briefing with this id, title and summary."""
        return cls(briefing_id, title, one_line(summary))


def search_section(query: str, results: Sequence[Listing], tr: Translator = EN) -> Section:
    """Search results, best first, each with its id and a one-line summary."""
    items = [
        Item(f"{BULLET} <b>{e(hit.title)}</b> · <code>{e(hit.id)}</code>\n   {e(hit.line)}")
        for hit in results
    ]
    matches = tr.ngettext("%(count)d match", "%(count)d matches", len(results)) % {
        "count": len(results)
    }
    heading = tr._("<b>Search</b> · “%(query)s” · %(matches)s") % {
        "query": e(query),
        "matches": matches,
    }
    return Section(
        heading,
        items,
        tr._(
            "No briefing matches “%(query)s”.\n"
            "Try other words, /briefings to see them all, or /help for the commands."
        )
        % {"query": e(query)},
        tight=True,
        page_label=tr._("Page %(page)d of %(pages)d"),
    )


def render_search_results(query: str, results: Sequence[Briefing], tr: Translator = EN) -> str:
    """Search results, best first, each with its id and a one-line summary."""
    listings = [Listing.of(briefing) for briefing in results]
    if not listings:
        return search_section(query, listings, tr).empty
    return whole(search_section(query, listings, tr))


def render_ignored(
    words: str, command: str, takes: str = N_("no arguments"), tr: Translator = EN
) -> str:
    """A note that words after a command were not used: what the command takes instead.

    `takes` is an English message marked with `N_`, translated here.
    """
    shown = words if len(words) <= 40 else words[:39].rstrip() + "…"
    note = tr._("(I ignored “%(words)s”: /%(command)s takes %(takes)s.)") % {
        "words": e(shown),
        "command": e(command),
        "takes": e(tr._(takes)),
    }
    return f"<i>{note}</i>"


def render_unknown_briefing(
    ref: str, suggestions: Sequence[str], available: int, tr: Translator = EN
) -> str:
    """A briefing reference that matches nothing, with the closest ids."""
    lines = [tr._("There is no briefing “%(ref)s”.") % {"ref": e(ref)}]
    if suggestions:
        lines += ["", tr._("Did you mean:")]
        lines += [f"{BULLET} <code>{e(s)}</code>" for s in suggestions]
    if available:
        lines += [
            "",
            tr._("Use an id or a number from 1 to %(count)d as in /briefings.")
            % {"count": available},
        ]
    else:
        lines += ["", tr._("No briefings are loaded yet.")]
    return "\n".join(lines)


def render_digest(items: Sequence[Briefing], more: int, tr: Translator = EN) -> str:
    """A digest of briefings the chat has not received yet, newest first."""
    count = tr.ngettext("%(count)d new briefing", "%(count)d new briefings", len(items)) % {
        "count": len(items)
    }
    lines = ["<b>" + tr._("Your digest") + f"</b> · {count}"]
    for briefing in items:
        lines += [
            "",
            f"<b>{e(briefing.title)}</b>",
            f"<i>{format_date(briefing.published_date, tr)}</i> · {e(one_line(briefing.summary))}",
            f"/summary {e(briefing.id)}",
        ]
    if more:
        lines += [
            "",
            tr.ngettext(
                "…and %(count)d more in the next digest, or see /briefings.",
                "…and %(count)d more in the next digest, or see /briefings.",
                more,
            )
            % {"count": more},
        ]
    return "\n".join(lines)


def render_help(is_admin: bool = False, tr: Translator = EN) -> str:
    """Every command with a one-line description."""
    lines = ["<b>" + tr._("Commands") + "</b>", ""]
    for command in COMMANDS:
        if command.admin_only and not is_admin:
            continue
        args = f" {e(tr._(command.args))}" if command.args else ""
        lines.append(f"/{command.name}{args} · {e(tr._(command.description))}")
    lines += [
        "",
        tr._(
            "<i>[briefing]</i> is an id or a number from /briefings; without it, the chat's "
            "current briefing is used. In a private chat, any other text is a search."
        ),
    ]
    if is_admin:
        lines += ["", e(tr._(DRAFTING_HELP))]
    return "\n".join(lines)


def render_welcome(count: int, tr: Translator = EN) -> str:
    """The `/start` greeting."""
    briefings = tr.ngettext("%(count)d briefing", "%(count)d briefings", count) % {"count": count}
    return tr._(
        "<b>Welcome to briefbot.</b>\n"
        "I serve curated briefings on the news (%(briefings)s so far): who attends, "
        "what was said, what happened when, and a daily digest of new ones.\n\n"
        "Try:\n"
        "/summary · the latest briefing in short\n"
        "/who_attends · who takes part\n"
        "/quotes · what was said\n\n"
        "/help lists every command."
    ) % {"briefings": briefings}


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


def render_card(briefing: Briefing, limit: int = MESSAGE_LIMIT, tr: Translator = EN) -> str:
    """A briefing's summary card for sharing: title, date and source, summary; one message.

    The summary is shortened (on a word boundary, ending with "…") when the whole card would
    not fit in `limit` characters as Telegram counts them.
    """
    byline = format_date(briefing.published_date, tr)
    if briefing.source is not None:
        byline += f" · {briefing.source.name}"
    head = f"<b>{e(_cut(briefing.title, limit // 4))}</b>\n<i>{e(byline)}</i>\n\n"
    # Escaping does not change the visible length: "&amp;" is one character, as "&" was.
    return head + e(_cut(briefing.summary, limit - visible_length(head)))


def card_description(briefing: Briefing, tr: Translator = EN) -> str:
    """The one line under a shared briefing's title: its date and the start of its summary."""
    return f"{format_date(briefing.published_date, tr)} · {one_line(briefing.summary, 100)}"
