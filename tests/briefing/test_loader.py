"""Loading one briefing file: what an editor sees for every kind of bad input, and what loads."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from bot.briefing.loader import BriefingError, BriefingFileError, load_briefing, parse_briefing
from bot.briefing.models import FILE_MAX_BYTES, Briefing

# Line numbers matter below: every error must point at the line an editor has to fix.
HEAD = """\
title: Allies meet online
published: 2025-03-15
summary: Leaders of countries that support Ukraine meet by video link.
"""


def write(tmp_path: Path, content: str | bytes, name: str = "x.yaml") -> Path:
    """Write a briefing file (text as UTF-8, bytes as given) and return its path."""
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def errors_of(path: Path) -> list[str]:
    """The error lines an editor sees for `path`; fails if the file loads."""
    with pytest.raises(BriefingFileError) as caught:
        load_briefing(path)
    lines = [str(error) for error in caught.value.errors]
    assert str(caught.value) == "\n".join(lines)
    return lines


def load(tmp_path: Path, content: str, name: str = "x.yaml") -> Briefing:
    """Load a briefing written to `name`."""
    return load_briefing(write(tmp_path, content, name))


class TestFieldErrors:
    """Validation errors name the file, the line of the offending value and the field path."""

    def test_missing_quote_speaker_points_at_that_quote(self, tmp_path: Path) -> None:
        path = write(
            tmp_path,
            HEAD
            + "quotes:\n"  # line 4
            + "  - speaker: Keir Starmer\n"
            + "    text: not serious\n"
            + "  - text: concrete commitments\n"  # line 7: quotes[1] has no speaker
            + "    context: Ahead of the meeting.\n",
        )
        assert errors_of(path) == [f"{path}:7: quotes[1].speaker: field required"]

    def test_missing_top_level_fields_are_each_reported(self, tmp_path: Path) -> None:
        path = write(tmp_path, "title: Only a title\n")
        assert errors_of(path) == [
            f"{path}:1: published: field required",
            f"{path}:1: summary: field required",
        ]

    def test_unknown_key_is_named_on_its_line(self, tmp_path: Path) -> None:
        path = write(
            tmp_path,
            HEAD + "tags: [ukraine]\nquotse:\n  - speaker: Keir Starmer\n    text: not serious\n",
        )
        assert errors_of(path) == [
            f"{path}:5: quotse: unknown field (check the spelling; see `briefbot schema`)"
        ]

    def test_unknown_nested_key_names_the_full_path(self, tmp_path: Path) -> None:
        path = write(
            tmp_path,
            HEAD + "attendees:\n" + "  - name: Keir Starmer\n" + "    stauts: host\n",  # line 6
        )
        assert errors_of(path) == [
            f"{path}:6: attendees[0].stauts: unknown field (check the spelling; see "
            "`briefbot schema`)"
        ]

    def test_wrong_type_for_title(self, tmp_path: Path) -> None:
        path = write(
            tmp_path,
            "published: 2025-03-15\nsummary: S\ntitle: [1]\n",
        )
        assert errors_of(path) == [f"{path}:3: title: input should be a valid string"]

    def test_mapping_where_a_list_belongs(self, tmp_path: Path) -> None:
        path = write(tmp_path, HEAD + "attendees: {name: Keir Starmer}\n")
        assert errors_of(path) == [f"{path}:4: attendees: input should be a valid list"]

    def test_bad_attendee_status_lists_the_allowed_ones(self, tmp_path: Path) -> None:
        path = write(
            tmp_path,
            HEAD
            + "attendees:\n"
            + "  - name: Keir Starmer\n"
            + "    status: host\n"
            + "  - name: Giorgia Meloni\n"
            + "    status: maybe\n",  # line 8
        )
        assert errors_of(path) == [
            f"{path}:8: attendees[1].status: input should be 'host', 'confirmed', 'expected', "
            "'undecided' or 'absent' (got 'maybe')"
        ]

    def test_empty_string_is_not_a_title(self, tmp_path: Path) -> None:
        path = write(tmp_path, "title: '  '\npublished: 2025-03-15\nsummary: S\n")
        assert errors_of(path) == [
            f"{path}:1: title: string should have at least 1 character (got '  ')"
        ]

    def test_errors_on_one_line_keep_their_order(self, tmp_path: Path) -> None:
        path = write(tmp_path, HEAD + "tags: [1, 2, ok, 3]\n")
        assert errors_of(path) == [
            f"{path}:4: tags[0]: input should be a valid string (got 1)",
            f"{path}:4: tags[1]: input should be a valid string (got 2)",
            f"{path}:4: tags[3]: input should be a valid string (got 3)",
        ]

    def test_every_error_in_a_file_is_reported_in_line_order(self, tmp_path: Path) -> None:
        path = write(
            tmp_path,
            HEAD
            + "quotes:\n"
            + "  - speaker: A\n"
            + "    text: x\n"
            + "    colour: red\n"  # line 7
            + "  - speaker: B\n"  # line 8: no text
            + "key_points: [a, {b: 1}]\n",  # line 9
        )
        assert errors_of(path) == [
            f"{path}:7: quotes[0].colour: unknown field (check the spelling; see "
            "`briefbot schema`)",
            f"{path}:8: quotes[1].text: field required",
            f"{path}:9: key_points[1]: input should be a valid string",
        ]


class TestDates:
    """`published` takes a date or a date-time with an offset; anything else names the line."""

    def test_impossible_date(self, tmp_path: Path) -> None:
        path = write(tmp_path, "title: T\npublished: 2025-13-45\nsummary: S\n")
        assert errors_of(path) == [
            f"{path}:2: published: invalid value '2025-13-45': month must be in 1..12"
        ]

    def test_impossible_day_in_a_later_field(self, tmp_path: Path) -> None:
        path = write(tmp_path, "title: T\nsummary: S\n\npublished: 2025-02-30\n")
        assert errors_of(path) == [
            f"{path}:4: published: invalid value '2025-02-30': day is out of range for month"
        ]

    def test_impossible_quoted_date(self, tmp_path: Path) -> None:
        path = write(tmp_path, "title: T\npublished: '2025-13-45'\nsummary: S\n")
        assert errors_of(path) == [
            f"{path}:2: published: month must be in 1..12 (got '2025-13-45')"
        ]

    @pytest.mark.parametrize(
        "value", ["2025-03-15T09:00:00", "2025-03-15 09:00:00", "'2025-03-15T09:00'"]
    )
    def test_date_time_without_offset(self, tmp_path: Path, value: str) -> None:
        path = write(tmp_path, f"title: T\npublished: {value}\nsummary: S\n")
        [error] = errors_of(path)
        assert error.startswith(
            f"{path}:2: published: a date-time needs a UTC offset, e.g. 2025-03-15T09:00:00+00:00"
        )

    @pytest.mark.parametrize("value", ["20250315", "2025", "yes"])
    def test_number_is_not_read_as_seconds_since_1970(self, tmp_path: Path, value: str) -> None:
        path = write(tmp_path, f"title: T\npublished: {value}\nsummary: S\n")
        [error] = errors_of(path)
        assert error.startswith(
            f"{path}:2: published: write a date (2025-03-15) or a date-time with a UTC offset"
        )

    def test_words_are_not_a_date(self, tmp_path: Path) -> None:
        path = write(tmp_path, "title: T\npublished: next tuesday\nsummary: S\n")
        [error] = errors_of(path)
        assert error.startswith(f"{path}:2: published: input should be a valid datetime or date")
        assert error.endswith("(got 'next tuesday')")

    def test_bare_date_is_midnight_utc(self, tmp_path: Path) -> None:
        briefing = load(tmp_path, "title: T\npublished: 2025-03-15\nsummary: S\n")
        assert briefing.published == dt.date(2025, 3, 15)
        assert briefing.published_date == dt.date(2025, 3, 15)
        assert briefing.published_at == dt.datetime(2025, 3, 15, tzinfo=dt.UTC)

    def test_quoted_date_is_a_date(self, tmp_path: Path) -> None:
        briefing = load(tmp_path, "title: T\npublished: '2025-03-15'\nsummary: S\n")
        assert briefing.published == dt.date(2025, 3, 15)

    def test_date_time_keeps_its_offset_and_local_date(self, tmp_path: Path) -> None:
        briefing = load(tmp_path, "title: T\npublished: 2025-03-15T23:30:00-05:00\nsummary: S\n")
        assert briefing.published_at == dt.datetime(2025, 3, 16, 4, 30, tzinfo=dt.UTC)
        assert briefing.published_at.utcoffset() == dt.timedelta(hours=-5)
        # The date as the editor wrote it, not the UTC date.
        assert briefing.published_date == dt.date(2025, 3, 15)

    def test_z_suffix_is_utc(self, tmp_path: Path) -> None:
        briefing = load(tmp_path, "title: T\npublished: 2025-03-15T09:00:00Z\nsummary: S\n")
        assert briefing.published_at == dt.datetime(2025, 3, 15, 9, tzinfo=dt.UTC)


class TestDocumentErrors:
    """Files that are not a YAML mapping of fields say so, with the line where known."""

    def test_syntax_error_names_the_line(self, tmp_path: Path) -> None:
        path = write(tmp_path, HEAD + "key_points:\n  - first\n - second\n")
        assert errors_of(path) == [
            f"{path}:6: YAML error: while parsing a block mapping, did not find expected key"
        ]

    def test_unclosed_flow_sequence(self, tmp_path: Path) -> None:
        path = write(tmp_path, "title: [unclosed\npublished: 2025-03-15\nsummary: S\n")
        [error] = errors_of(path)
        assert error.startswith(f"{path}:2: YAML error: ")
        assert "flow sequence" in error

    def test_tab_indentation(self, tmp_path: Path) -> None:
        path = write(tmp_path, HEAD + "tags:\n\t- ukraine\n")
        [error] = errors_of(path)
        assert error.startswith(f"{path}:5: YAML error: ")

    def test_two_documents(self, tmp_path: Path) -> None:
        path = write(tmp_path, "---\ntitle: a\n---\ntitle: b\n")
        assert errors_of(path) == [
            f"{path}:3: YAML error: expected a single document in the stream, "
            "but found another document"
        ]

    def test_list_document(self, tmp_path: Path) -> None:
        path = write(tmp_path, "- title: T\n- title: U\n")
        assert errors_of(path) == [f"{path}:1: expected a mapping of briefing fields, got list"]

    def test_plain_text_document(self, tmp_path: Path) -> None:
        path = write(tmp_path, "\n\nJust some notes about the meeting.\n")
        assert errors_of(path) == [f"{path}:3: expected a mapping of briefing fields, got str"]

    def test_comment_only_document(self, tmp_path: Path) -> None:
        path = write(tmp_path, "# TODO: write this briefing\n")
        assert errors_of(path) == [f"{path}: expected a mapping of briefing fields, got nothing"]

    def test_empty_file(self, tmp_path: Path) -> None:
        path = write(tmp_path, "")
        assert errors_of(path) == [
            f"{path}: the file is empty; a briefing needs title, published, summary"
        ]

    def test_whitespace_only_file(self, tmp_path: Path) -> None:
        path = write(tmp_path, "  \n\n\t\n   \n")
        assert errors_of(path) == [
            f"{path}: the file is empty; a briefing needs title, published, summary"
        ]

    def test_latin1_bytes_name_line_and_byte(self, tmp_path: Path) -> None:
        raw = HEAD.encode() + "tags: [caf\xe9]\n".encode("latin-1")
        path = write(tmp_path, raw)
        offset = raw.index(b"\xe9")
        assert errors_of(path) == [f"{path}:4: not UTF-8 text (byte {offset} is 0xe9)"]

    @pytest.mark.parametrize(("char", "code"), [("\x00", "U+0000"), ("\x0b", "U+000B")])
    def test_control_character_names_its_line(self, tmp_path: Path, char: str, code: str) -> None:
        path = write(tmp_path, "title: Привет\npublished: 2025-03-15\nsummary: é" + char + "\n")
        assert errors_of(path) == [
            f"{path}:3: YAML error: unacceptable character {code}: control characters are not "
            "allowed"
        ]

    def test_utf16_file_is_not_utf8(self, tmp_path: Path) -> None:
        path = write(tmp_path, HEAD.encode("utf-16"))
        assert errors_of(path) == [f"{path}:1: not UTF-8 text (byte 0 is 0xff)"]

    def test_utf8_byte_order_mark_is_accepted(self, tmp_path: Path) -> None:
        path = write(tmp_path, HEAD.encode("utf-8-sig"))
        assert load_briefing(path).title == "Allies meet online"

    def test_folder_is_not_read(self, tmp_path: Path) -> None:
        path = tmp_path / "folder.yaml"
        path.mkdir()
        assert errors_of(path) == [f"{path}: not a regular file: it is a folder"]

    def test_missing_file(self, tmp_path: Path) -> None:
        path = tmp_path / "gone.yaml"
        assert errors_of(path) == [f"{path}: cannot read file: No such file or directory"]


class TestTags:
    """YAML tags are never executed: Python tags and custom tags are refused like syntax errors."""

    def test_python_apply_tag_is_refused_and_not_run(self, tmp_path: Path) -> None:
        marker = tmp_path / "pwned"
        path = write(
            tmp_path,
            "title: T\n"
            f"summary: !!python/object/apply:os.system ['touch {marker}']\n"
            "published: 2025-03-15\n",
        )
        assert errors_of(path) == [
            f"{path}:2: YAML error: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object/apply:os.system'"
        ]
        assert not marker.exists()

    @pytest.mark.parametrize(
        ("value", "tag"),
        [
            ("!!python/name:os.system", "tag:yaml.org,2002:python/name:os.system"),
            ("!include other.yaml", "!include"),
        ],
    )
    def test_other_tags_are_refused(self, tmp_path: Path, value: str, tag: str) -> None:
        path = write(tmp_path, f"published: 2025-03-15\nsummary: S\ntitle: {value}\n")
        assert errors_of(path) == [
            f"{path}:3: YAML error: could not determine a constructor for the tag '{tag}'"
        ]


class TestIds:
    """Ids are slugs: written explicitly or taken from the file name."""

    @pytest.mark.parametrize("bad", ["Bad_Id", "a--b", "-lead", "trail-", "ünï"])
    def test_bad_slug(self, tmp_path: Path, bad: str) -> None:
        path = write(tmp_path, HEAD + f"id: {bad}\n")
        assert errors_of(path) == [
            f"{path}:4: id: must be a slug: lowercase letters, digits and single dashes "
            f"(got {bad!r})"
        ]

    def test_id_too_long_for_callback_data(self, tmp_path: Path) -> None:
        path = write(tmp_path, f"id: {'a' * 57}\n" + HEAD)
        assert errors_of(path) == [f"{path}:1: id: at most 56 characters (this one has 57)"]

    def test_default_id_from_file_name(self, tmp_path: Path) -> None:
        assert load(tmp_path, HEAD, "Allies Meet_2025.yaml").id == "allies-meet-2025"

    def test_default_id_folds_accents(self, tmp_path: Path) -> None:
        assert load(tmp_path, HEAD, "Réunion à Bruxelles.yml").id == "reunion-a-bruxelles"

    def test_explicit_id_beats_file_name(self, tmp_path: Path) -> None:
        assert load(tmp_path, "id: my-own-id\n" + HEAD, "other-name.yaml").id == "my-own-id"

    def test_file_name_without_letters_gives_an_id_error(self, tmp_path: Path) -> None:
        path = write(tmp_path, HEAD, "___.yaml")
        assert errors_of(path) == [
            f"{path}:1: id: string should have at least 1 character (got '')"
        ]


class TestGoodFile:
    """A complete file loads with every section in order, and the shipped seed is valid."""

    def test_full_briefing(self, tmp_path: Path) -> None:
        briefing = load(
            tmp_path,
            HEAD
            + "source: {name: Example News, url: 'https://example.org/a?b=1&c=2'}\n"
            + "tags: [ukraine, ceasefire]\n"
            + "key_points: [one, two]\n"
            + "attendees:\n"
            + "  - {name: Keir Starmer, status: host}\n"
            + "  - {name: António Costa}\n"
            + "quotes:\n"
            + "  - {speaker: Keir Starmer, text: 'not serious'}\n"
            + "related:\n"
            + "  - {title: Earlier story}\n"
            + "timeline:\n"
            + "  - {when: Friday, what: Talks}\n"
            + "  - {when: Saturday, what: Meeting}\n",
            "allies.yaml",
        )
        assert briefing.id == "allies"
        assert briefing.source is not None
        assert str(briefing.source.url) == "https://example.org/a?b=1&c=2"
        assert [a.status.value for a in briefing.attendees] == ["host", "expected"]
        assert [t.when for t in briefing.timeline] == ["Friday", "Saturday"]
        assert briefing.quotes[0].role is None

    def test_text_is_stripped(self, tmp_path: Path) -> None:
        briefing = load(tmp_path, "title: '  Spaced  '\npublished: 2025-03-15\nsummary: S\n")
        assert briefing.title == "Spaced"

    def test_shipped_seed_loads(self) -> None:
        seed = Path(__file__).resolve().parents[2] / "briefings"
        briefing = load_briefing(seed / "ukraine-allies-virtual-meeting.yaml")
        assert briefing.id == "ukraine-allies-virtual-meeting"
        assert briefing.published == dt.date(2025, 3, 15)


class TestAliases:
    """Anchors and aliases are refused before anything is built from them."""

    def test_alias_is_refused_on_its_line(self, tmp_path: Path) -> None:
        path = write(tmp_path, HEAD + "tags: &t [ukraine]\nkey_points: *t\n")
        assert errors_of(path) == [
            f"{path}:4: anchors and aliases are not allowed (write the value out)"
        ]

    def test_nested_aliases_with_an_invalid_date_are_refused(self, tmp_path: Path) -> None:
        # Nine levels of nine aliases stand for 9**9 values; walking them for the bad date's
        # location used to take gigabytes.
        lines = ['l0: &l0 ["lol"]']
        lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10)]
        text = "\n".join(lines) + "\ntitle: T\nsummary: S\npublished: 2025-13-45\ntags: *l9\n"
        path = write(tmp_path, text)
        assert errors_of(path) == [
            f"{path}:1: anchors and aliases are not allowed (write the value out)"
        ]

    def test_self_referencing_alias(self, tmp_path: Path) -> None:
        path = write(tmp_path, "title: T\npublished: 2025-13-45\nsummary: S\ntags: &a [*a]\n")
        assert errors_of(path) == [
            f"{path}:4: anchors and aliases are not allowed (write the value out)"
        ]

    def test_ampersand_and_asterisk_in_text_are_fine(self, tmp_path: Path) -> None:
        briefing = load(tmp_path, HEAD + "key_points: ['Q&A at 5', '*the* answer', a & b]\n")
        assert briefing.key_points == ["Q&A at 5", "*the* answer", "a & b"]


class TestDuplicateKeys:
    """A key written twice is an error (YAML would silently keep the last one)."""

    def test_top_level(self, tmp_path: Path) -> None:
        path = write(tmp_path, HEAD + "title: Allies meet again\n")
        assert errors_of(path) == [f"{path}:4: duplicate key 'title' (first on line 1); keep one"]

    def test_nested(self, tmp_path: Path) -> None:
        path = write(tmp_path, HEAD + "quotes:\n  - speaker: A\n    text: x\n    speaker: B\n")
        assert errors_of(path) == [f"{path}:7: duplicate key 'speaker' (first on line 5); keep one"]


class TestLimits:
    """Every text field and list has a maximum; the error says the limit and the actual size."""

    def test_title(self, tmp_path: Path) -> None:
        path = write(tmp_path, f"title: {'t' * 5000}\npublished: 2025-03-15\nsummary: S\n")
        assert errors_of(path) == [f"{path}:1: title: at most 200 characters (this one has 5000)"]

    def test_summary(self, tmp_path: Path) -> None:
        path = write(tmp_path, f"title: T\npublished: 2025-03-15\nsummary: {'s' * 2001}\n")
        assert errors_of(path) == [
            f"{path}:3: summary: at most 2000 characters (this one has 2001)"
        ]

    def test_surrounding_spaces_do_not_count(self, tmp_path: Path) -> None:
        briefing = load(tmp_path, f"title: '  {'t' * 200}  '\npublished: 2025-03-15\nsummary: S\n")
        assert len(briefing.title) == 200

    @pytest.mark.parametrize(
        ("field", "item", "limit"),
        [
            ("tags", "t", 20),
            ("key_points", "k", 20),
            ("attendees", "{name: A}", 200),
            ("quotes", "{speaker: A, text: x}", 200),
            ("related", "{title: R}", 100),
            ("timeline", "{when: now, what: this}", 100),
        ],
    )
    def test_list_lengths(self, tmp_path: Path, field: str, item: str, limit: int) -> None:
        path = write(tmp_path, HEAD + f"{field}: [{', '.join([item] * (limit + 1))}]\n")
        assert errors_of(path) == [
            f"{path}:4: {field}: at most {limit} items (this one has {limit + 1})"
        ]
        assert load(tmp_path, HEAD + f"{field}: [{', '.join([item] * limit)}]\n")

    def test_an_over_long_list_still_shows_errors_in_its_first_items(self, tmp_path: Path) -> None:
        path = write(tmp_path, HEAD + "attendees:\n" + "  - {nmae: A}\n" * 300)
        lines = errors_of(path)
        assert lines[0] == f"{path}:5: attendees: at most 200 items (this one has 300)"
        assert lines[1] == f"{path}:5: attendees[0].name: field required"

    @pytest.mark.parametrize(
        ("yaml_text", "field", "limit"),
        [
            ("source: {name: %s}", "source.name", 120),
            ("tags: [%s]", "tags[0]", 40),
            ("key_points: [%s]", "key_points[0]", 500),
            ("attendees: [{name: %s}]", "attendees[0].name", 120),
            ("attendees: [{name: A, role: %s}]", "attendees[0].role", 200),
            ("attendees: [{name: A, country: %s}]", "attendees[0].country", 80),
            ("attendees: [{name: A, note: %s}]", "attendees[0].note", 500),
            ("quotes: [{speaker: %s, text: x}]", "quotes[0].speaker", 120),
            ("quotes: [{speaker: A, role: %s, text: x}]", "quotes[0].role", 200),
            ("quotes: [{speaker: A, text: %s}]", "quotes[0].text", 1500),
            ("quotes: [{speaker: A, text: x, context: %s}]", "quotes[0].context", 500),
            ("related: [{title: %s}]", "related[0].title", 300),
            ("timeline: [{when: %s, what: x}]", "timeline[0].when", 80),
            ("timeline: [{when: x, what: %s}]", "timeline[0].what", 500),
        ],
    )
    def test_text_lengths(self, tmp_path: Path, yaml_text: str, field: str, limit: int) -> None:
        path = write(tmp_path, HEAD + yaml_text % ("w" * (limit + 1)) + "\n")
        assert errors_of(path) == [
            f"{path}:4: {field}: at most {limit} characters (this one has {limit + 1})"
        ]
        assert load(tmp_path, HEAD + yaml_text % ("w" * limit) + "\n")

    def test_too_many_errors_are_summed_up(self, tmp_path: Path) -> None:
        path = write(tmp_path, HEAD + "".join(f"k{i}: 1\n" for i in range(3000)))
        lines = errors_of(path)
        assert len(lines) == 21
        assert lines[19].startswith(f"{path}:23: k19: unknown field")
        assert lines[20] == f"{path}: 2980 more errors; fix these first"

    def test_too_many_values(self, tmp_path: Path) -> None:
        path = write(tmp_path, HEAD + "tags: [" + ",".join(["[]"] * 10_000) + "]\n")
        assert errors_of(path) == [
            f"{path}:4: too many values: at most 10000 in a file "
            "(a briefing filled to every limit has about 5000)"
        ]

    def test_a_briefing_filled_to_every_limit_loads(self, tmp_path: Path) -> None:
        def text(length: int, i: int) -> str:
            return f"{i} {'x' * length}"[:length]

        full = {
            "title": "T" * 200,
            "published": "2025-01-01",
            "source": {"name": "n" * 120, "url": "https://example.org/a"},
            "tags": [text(40, i) for i in range(20)],
            "summary": "s" * 2000,
            "key_points": [text(500, i) for i in range(20)],
            "attendees": [
                {
                    "name": text(120, i),
                    "role": text(200, i),
                    "country": text(80, i),
                    "note": text(500, i),
                }
                for i in range(200)
            ],
            "quotes": [
                {
                    "speaker": text(120, i),
                    "role": text(200, i),
                    "text": text(1500, i),
                    "context": text(500, i),
                }
                for i in range(200)
            ],
            "related": [
                {"title": text(300, i), "url": f"https://example.org/{i}"} for i in range(100)
            ],
            "timeline": [{"when": text(80, i), "what": text(500, i)} for i in range(100)],
        }
        path = write(tmp_path, json.dumps(full, indent=1))  # JSON is YAML, and quick to write
        assert path.stat().st_size < FILE_MAX_BYTES
        briefing = load_briefing(path)
        assert len(briefing.quotes) == 200 and len(briefing.quotes[0].text) == 1500

    def test_file_over_one_mib_is_not_read(self, tmp_path: Path) -> None:
        path = write(tmp_path, HEAD + "# padding\n" * 110_000)
        size = path.stat().st_size
        assert errors_of(path) == [
            f"{path}: file too large: at most 1048576 bytes, 1 MiB (this one has {size})"
        ]

    def test_bytes_over_one_mib_are_refused(self, tmp_path: Path) -> None:
        raw = (HEAD + "# padding\n" * 110_000).encode()
        with pytest.raises(BriefingFileError, match="file too large"):
            parse_briefing(raw, tmp_path / "x.yaml")


class TestHints:
    """Messages point at the fix."""

    @pytest.mark.parametrize(
        ("text", "line"),
        [(HEAD + "tags:\n\t- ukraine\n", 5), (HEAD + "source:\n  name: A\n\turl: x\n", 6)],
    )
    def test_tab_says_use_spaces(self, tmp_path: Path, text: str, line: int) -> None:
        [error] = errors_of(write(tmp_path, text))
        assert error.endswith("; use spaces to indent")
        assert f":{line}: YAML error: found a tab character" in error

    def test_huge_number_is_named_without_its_digits(self, tmp_path: Path) -> None:
        path = write(tmp_path, "title: T\nsummary: S\npublished: 1" + "0" * 100_000 + "\n")
        [error] = errors_of(path)
        assert error.startswith(f"{path}:3: published: invalid value '100000")
        assert error.endswith("…: a number with too many digits")
        assert len(error) < 200 + len(str(path))


class TestOneLineErrors:
    """Whatever a file holds or is called, each error stays one short line."""

    def test_long_unknown_key_is_cut_short(self, tmp_path: Path) -> None:
        path = write(tmp_path, HEAD + "k" * 1000 + ": 1\n")
        [error] = errors_of(path)
        assert error == (
            f"{path}:4: '{'k' * 58}…: unknown field (check the spelling; see `briefbot schema`)"
        )

    def test_line_break_in_a_key_is_escaped(self, tmp_path: Path) -> None:
        path = write(tmp_path, HEAD + '"a\\nb": 1\n')
        assert errors_of(path) == [
            f"{path}:4: 'a\\nb': unknown field (check the spelling; see `briefbot schema`)"
        ]

    def test_line_break_and_bad_bytes_in_a_file_name_are_escaped(self, tmp_path: Path) -> None:
        folder = os.fsencode(tmp_path)
        for name in (b"new\nline.yaml", b"bad\xff.yaml"):
            with open(folder + b"/" + name, "w", encoding="utf-8") as file:
                file.write("title: T\n")
        shown = sorted(
            str(error).removeprefix(f"{tmp_path}/").split(":")[0]
            for name in os.listdir(tmp_path)
            for error in _errors(tmp_path / name)
        )
        assert shown == ["bad\\udcff.yaml"] * 2 + ["new\\nline.yaml"] * 2


def _errors(path: Path) -> list[BriefingError]:
    with pytest.raises(BriefingFileError) as caught:
        load_briefing(path)
    return caught.value.errors
