"""What admins see of a draft in Telegram, as Telegram HTML with every dynamic string escaped.

The check-list preview, the reader's view, the errors of an edited file and the outcome of
publishing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.briefing.loader import BriefingError
from bot.briefing.models import Briefing
from bot.briefing.render import (
    BULLET,
    e,
    format_date,
    render_attendees,
    render_quotes,
    render_summary,
)

MAX_ERRORS_SHOWN = 20
_REVIEW = re.compile(r"#\s*review:\s*(.*\S)")


def review_lines(yaml_text: str) -> list[str]:
    """The text of every `# review:` comment in a draft's YAML, in order."""
    return [match[1] for match in _REVIEW.finditer(yaml_text)]


def _count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def render_draft_preview(briefing: Briefing, reviews: Sequence[str], *, edited: bool) -> str:
    """The check-list shown with a draft: title, id, counts and every line to review."""
    kind = "Edited draft" if edited else "Draft"
    counts = " · ".join(
        [
            _count(len(briefing.quotes), "quote"),
            _count(len(briefing.attendees), "attendee"),
            _count(len(briefing.related), "related headline"),
        ]
    )
    lines = [
        f"<b>{kind}</b> · <code>{e(briefing.id)}</code>",
        f"<b>{e(briefing.title)}</b>",
        f"<i>{format_date(briefing.published_date)}</i> · {counts}",
        "",
    ]
    if reviews:
        lines.append(f"<b>To review</b> ({len(reviews)}):")
        lines += [f"{BULLET} {e(review)}" for review in reviews]
    else:
        lines.append("Nothing marked for review.")
    lines += [
        "",
        "<i>Publish puts it on air now; Preview shows it as readers will see it; "
        "to change it, edit the .yaml file and send it back.</i>",
    ]
    return "\n".join(lines)


def render_reader_view(briefing: Briefing) -> list[str]:
    """The summary, attendees and quotes exactly as readers will see them, one message each."""
    return [
        render_summary(briefing),
        render_attendees(briefing),
        render_quotes(briefing, briefing.quotes),
    ]


def render_draft_errors(file_name: str, errors: Sequence[BriefingError]) -> str:
    """The errors of an edited draft, one per line as `briefbot validate` prints them."""
    noun = "error" if len(errors) == 1 else "errors"
    shown = [e(str(error)) for error in errors[:MAX_ERRORS_SHOWN]]
    lines = [
        f"<b>{e(file_name)}</b> has {len(errors)} {noun}; fix and send it again:",
        "<pre>" + "\n".join(shown) + "</pre>",
    ]
    if len(errors) > MAX_ERRORS_SHOWN:
        lines.append(f"…and {len(errors) - MAX_ERRORS_SHOWN} more.")
    return "\n".join(lines)


def render_published(briefing: Briefing, file_name: str, replaced: bool) -> str:
    """Confirmation that a briefing is on air."""
    verb = "Replaced" if replaced else "Published"
    return (
        f"<b>{verb}</b> <code>{e(briefing.id)}</code> as {e(file_name)}: on air now and in "
        f"the next digests.\n/summary {e(briefing.id)}"
    )


def render_already_published(briefing_id: str, file_name: str) -> str:
    """The answer to publishing an id that is on air already, offering to replace it."""
    return (
        f"A briefing with the id <code>{e(briefing_id)}</code> exists already ({e(file_name)}). "
        "Replace it with this draft? To publish it as a new briefing instead, change "
        "<code>id</code> in the .yaml file and send it back."
    )
