"""Typed models of a curated briefing, validated with pydantic.

The field names and meanings here are the contract editors write YAML against; `briefbot schema`
prints them as JSON Schema.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
)

from bot.briefing.textnorm import fold

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# Ids travel in inline-button callback data (64 bytes with a short prefix) and deep links.
ID_MAX_LENGTH = 56

# Limits an editor can rely on: within them every answer stays readable in a few messages, and
# a file is judged in milliseconds. Drafts respect them too. Lengths count characters after
# surrounding whitespace is stripped; the whole-file limit counts bytes.
FILE_MAX_BYTES = 1024 * 1024
TITLE_MAX_LENGTH = 200
SUMMARY_MAX_LENGTH = 2000
SOURCE_NAME_MAX_LENGTH = 120
TAGS_MAX_ITEMS = 20
TAG_MAX_LENGTH = 40
KEY_POINTS_MAX_ITEMS = 20
KEY_POINT_MAX_LENGTH = 500
ATTENDEES_MAX_ITEMS = 200
NAME_MAX_LENGTH = 120
ROLE_MAX_LENGTH = 200
COUNTRY_MAX_LENGTH = 80
NOTE_MAX_LENGTH = 500
QUOTES_MAX_ITEMS = 200
QUOTE_MAX_LENGTH = 1500
CONTEXT_MAX_LENGTH = 500
RELATED_MAX_ITEMS = 100
RELATED_TITLE_MAX_LENGTH = 300
TIMELINE_MAX_ITEMS = 100
WHEN_MAX_LENGTH = 80
WHAT_MAX_LENGTH = 500

BriefingId = Annotated[
    str, StringConstraints(pattern=ID_PATTERN, min_length=1, max_length=ID_MAX_LENGTH)
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Title = Annotated[Text, StringConstraints(max_length=TITLE_MAX_LENGTH)]
Summary = Annotated[Text, StringConstraints(max_length=SUMMARY_MAX_LENGTH)]
Name = Annotated[Text, StringConstraints(max_length=NAME_MAX_LENGTH)]
Role = Annotated[Text, StringConstraints(max_length=ROLE_MAX_LENGTH)]
Tag = Annotated[Text, StringConstraints(max_length=TAG_MAX_LENGTH)]
KeyPoint = Annotated[Text, StringConstraints(max_length=KEY_POINT_MAX_LENGTH)]


def _require_offset(value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime) and value.utcoffset() is None:
        raise ValueError("a date-time needs a UTC offset, e.g. 2025-03-15T09:00:00+00:00")
    return value


def _date_or_datetime(value: object) -> object:
    # Pydantic would read a number as seconds since 1970 and a quoted date as a naive date-time.
    if isinstance(value, int | float):
        raise ValueError(
            "write a date (2025-03-15) or a date-time with a UTC offset (2025-03-15T09:00:00+00:00)"
        )
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return dt.date.fromisoformat(value.strip())
    return value


Published = Annotated[
    dt.datetime | dt.date, BeforeValidator(_date_or_datetime), AfterValidator(_require_offset)
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """Where the article was published."""

    name: Annotated[Text, StringConstraints(max_length=SOURCE_NAME_MAX_LENGTH)]
    url: HttpUrl | None = None


class AttendeeStatus(StrEnum):
    """Whether someone takes part; the order is the order `/who_attends` shows them in."""

    HOST = "host"
    CONFIRMED = "confirmed"
    EXPECTED = "expected"
    UNDECIDED = "undecided"
    ABSENT = "absent"


class Attendee(_Strict):
    """A person, country or organisation taking part (or not) in the event."""

    name: Name
    role: Role | None = None
    country: Annotated[Text, StringConstraints(max_length=COUNTRY_MAX_LENGTH)] | None = None
    status: AttendeeStatus = AttendeeStatus.EXPECTED
    note: Annotated[Text, StringConstraints(max_length=NOTE_MAX_LENGTH)] | None = None


class Quote(_Strict):
    """A direct quote from the article."""

    speaker: Name
    role: Role | None = None
    text: Annotated[Text, StringConstraints(max_length=QUOTE_MAX_LENGTH)]
    context: Annotated[Text, StringConstraints(max_length=CONTEXT_MAX_LENGTH)] | None = None


class Related(_Strict):
    """A related headline, linked where a URL is known."""

    title: Annotated[Text, StringConstraints(max_length=RELATED_TITLE_MAX_LENGTH)]
    url: HttpUrl | None = None


class TimelineEntry(_Strict):
    """Something that happened or is planned, in order."""

    when: Annotated[Text, StringConstraints(max_length=WHEN_MAX_LENGTH)]
    what: Annotated[Text, StringConstraints(max_length=WHAT_MAX_LENGTH)]


class Briefing(_Strict):
    """One curated article."""

    id: BriefingId
    title: Title
    published: Published
    source: Source | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=TAGS_MAX_ITEMS)
    summary: Summary
    key_points: list[KeyPoint] = Field(default_factory=list, max_length=KEY_POINTS_MAX_ITEMS)
    attendees: list[Attendee] = Field(default_factory=list, max_length=ATTENDEES_MAX_ITEMS)
    quotes: list[Quote] = Field(default_factory=list, max_length=QUOTES_MAX_ITEMS)
    related: list[Related] = Field(default_factory=list, max_length=RELATED_MAX_ITEMS)
    timeline: list[TimelineEntry] = Field(default_factory=list, max_length=TIMELINE_MAX_ITEMS)

    @property
    def published_at(self) -> dt.datetime:
        """The publication time as an aware datetime (a bare date counts as midnight UTC)."""
        if isinstance(self.published, dt.datetime):
            return self.published
        return dt.datetime.combine(self.published, dt.time(), tzinfo=dt.UTC)

    @property
    def published_date(self) -> dt.date:
        """The publication date as written."""
        if isinstance(self.published, dt.datetime):
            return self.published.date()
        return self.published


def slug_from_filename(stem: str) -> str:
    """The default id of a briefing file: its name without extension, as a slug."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(stem)).strip("-")
    return slug


def briefing_json_schema() -> dict[str, object]:
    """The JSON Schema of a briefing file, for editors (`id` is optional there)."""
    schema = Briefing.model_json_schema()
    required = schema.get("required")
    if isinstance(required, list) and "id" in required:
        required.remove("id")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "briefbot briefing"
    schema["description"] = (
        f"One curated article. The file is at most {FILE_MAX_BYTES} bytes (1 MiB) of UTF-8 YAML, "
        "without anchors, aliases or tags, and without any key written twice."
    )
    return schema
