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
from bot.i18n import EN, Translator

MAX_ERRORS_SHOWN = 20
_REVIEW = re.compile(r"#\s*review:\s*(.*\S)")


def review_lines(yaml_text: str) -> list[str]:
    """The text of every `# review:` comment in a draft's YAML, in order."""
    return [match[1] for match in _REVIEW.finditer(yaml_text)]


def render_draft_preview(
    briefing: Briefing, reviews: Sequence[str], *, edited: bool, tr: Translator = EN
) -> str:
    """The check-list shown with a draft: title, id, counts and every line to review."""
    heading = (
        tr._("<b>Edited draft</b> · <code>%(id)s</code>")
        if edited
        else tr._("<b>Draft</b> · <code>%(id)s</code>")
    )
    quotes, attendees, related = (
        len(briefing.quotes),
        len(briefing.attendees),
        len(briefing.related),
    )
    counts = " · ".join(
        [
            tr.ngettext("%(count)d quote", "%(count)d quotes", quotes) % {"count": quotes},
            tr.ngettext("%(count)d attendee", "%(count)d attendees", attendees)
            % {"count": attendees},
            tr.ngettext("%(count)d related headline", "%(count)d related headlines", related)
            % {"count": related},
        ]
    )
    lines = [
        heading % {"id": e(briefing.id)},
        f"<b>{e(briefing.title)}</b>",
        f"<i>{format_date(briefing.published_date, tr)}</i> · {counts}",
        "",
    ]
    if reviews:
        lines.append(tr._("<b>To review</b> (%(count)d):") % {"count": len(reviews)})
        lines += [f"{BULLET} {e(review)}" for review in reviews]
    else:
        lines.append(tr._("Nothing marked for review."))
    lines += [
        "",
        tr._(
            "<i>Publish puts it on air now; Preview shows it as readers will see it; "
            "to change it, edit the .yaml file and send it back.</i>"
        ),
    ]
    return "\n".join(lines)


def render_reader_view(briefing: Briefing, tr: Translator = EN) -> list[str]:
    """The summary, attendees and quotes exactly as readers will see them, one message each."""
    return [
        render_summary(briefing, tr),
        render_attendees(briefing, tr),
        render_quotes(briefing, briefing.quotes, tr=tr),
    ]


def render_draft_errors(
    file_name: str, errors: Sequence[BriefingError], tr: Translator = EN
) -> str:
    """The errors of an edited draft, one per line as `briefbot validate` prints them."""
    shown = [e(str(error)) for error in errors[:MAX_ERRORS_SHOWN]]
    heading = tr.ngettext(
        "<b>%(file)s</b> has %(count)d error; fix and send it again:",
        "<b>%(file)s</b> has %(count)d errors; fix and send it again:",
        len(errors),
    )
    lines = [
        heading % {"file": e(file_name), "count": len(errors)},
        "<pre>" + "\n".join(shown) + "</pre>",
    ]
    if len(errors) > MAX_ERRORS_SHOWN:
        more = len(errors) - MAX_ERRORS_SHOWN
        lines.append(tr._("…and %(count)d more.") % {"count": more})
    return "\n".join(lines)


def render_published(
    briefing: Briefing, file_name: str, replaced: bool, tr: Translator = EN
) -> str:
    """Confirmation that a briefing is on air."""
    message = (
        tr._("<b>Replaced</b> <code>%(id)s</code> as %(file)s: on air now and in the next digests.")
        if replaced
        else tr._(
            "<b>Published</b> <code>%(id)s</code> as %(file)s: on air now and in the next digests."
        )
    )
    return message % {"id": e(briefing.id), "file": e(file_name)} + f"\n/summary {e(briefing.id)}"


def render_already_published(briefing_id: str, file_name: str, tr: Translator = EN) -> str:
    """The answer to publishing an id that is on air already, offering to replace it."""
    return tr._(
        "A briefing with the id <code>%(id)s</code> exists already (%(file)s). "
        "Replace it with this draft? To publish it as a new briefing instead, change "
        "<code>id</code> in the .yaml file and send it back."
    ) % {"id": e(briefing_id), "file": e(file_name)}
