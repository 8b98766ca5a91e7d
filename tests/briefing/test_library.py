"""The briefing library: loading a folder, incremental reloads, and the lookups the bot uses."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import random
import shutil
import socket
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import bot.briefing.library as library_module
from bot.briefing.library import BriefingLibrary
from bot.briefing.loader import LoadedBriefing
from bot.briefing.models import Briefing
from bot.briefing.render import Listing
from bot.briefing.textnorm import fold, words, words_of_all

DAY = dt.date(2025, 3, 15)


def briefing_yaml(title: str, published: dt.date | dt.datetime = DAY, **fields: Any) -> str:
    """The YAML text of a valid briefing; `fields` adds or overrides fields."""
    data: dict[str, Any] = {
        "title": title,
        "published": published,
        "summary": f"What happened: {title}.",
    }
    data.update(fields)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def write(path: Path, text: str) -> Path:
    """Write `text`, making sure a reload sees the change even on a coarse-mtime file system."""
    before = path.stat() if path.exists() else None
    path.write_text(text, encoding="utf-8")
    if before is not None:
        after = path.stat()
        bumped = max(after.st_mtime_ns, before.st_mtime_ns + 1_000_000_000)
        os.utime(path, ns=(after.st_atime_ns, bumped))
    return path


def ids(briefings: list[Briefing]) -> list[str]:
    """The ids of `briefings`, in order."""
    return [b.id for b in briefings]


def get(library: BriefingLibrary, briefing_id: str) -> Briefing:
    """The briefing with this id; fails the test if there is none."""
    briefing = library.get(briefing_id)
    assert briefing is not None, f"no briefing {briefing_id!r}"
    return briefing


def title_of(library: BriefingLibrary, briefing_id: str) -> str:
    """The title of the briefing with this id; fails the test if there is none."""
    return get(library, briefing_id).title


def error_lines(library: BriefingLibrary) -> list[str]:
    """The library's current errors, as `briefbot validate` prints them."""
    return [str(e) for e in library.errors]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty briefings folder."""
    path = tmp_path / "briefings"
    path.mkdir()
    return path


@pytest.fixture
def library(folder: Path) -> BriefingLibrary:
    """A library over `folder`, not loaded yet."""
    return BriefingLibrary([folder])


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every file the library reads from now on (the real loader still runs)."""
    seen: list[Path] = []
    real: Callable[[Path], LoadedBriefing] = library_module.read_briefing

    def spy(path: Path) -> LoadedBriefing:
        seen.append(path)
        return real(path)

    monkeypatch.setattr(library_module, "read_briefing", spy)
    return seen


class TestBrokenFiles:
    """A broken file is reported and skipped; every other file still loads."""

    def test_good_files_load_around_a_broken_one(
        self, folder: Path, library: BriefingLibrary
    ) -> None:
        write(folder / "a.yaml", briefing_yaml("Alpha"))
        bad = write(folder / "b.yaml", "title: [unclosed\npublished: 2025-03-15\n")
        write(folder / "c.yml", briefing_yaml("Gamma"))
        write(folder / "notes.txt", "not a briefing")

        report = library.reload()

        assert sorted(report.added) == ["a", "c"]
        assert len(library) == 2
        assert "b" not in library
        [line] = error_lines(library)
        assert line.startswith(f"{bad}:2: YAML error: ")
        assert [str(e) for e in report.errors] == [line]

    def test_every_broken_file_is_reported(self, folder: Path, library: BriefingLibrary) -> None:
        first = write(folder / "first.yaml", "")
        second = write(folder / "second.yaml", "- a list\n")
        write(folder / "third.yaml", briefing_yaml("Fine"))
        library.reload()
        assert error_lines(library) == [
            f"{first}: the file is empty; a briefing needs title, published, summary",
            f"{second}:1: expected a mapping of briefing fields, got list",
        ]
        assert ids(library.newest()) == ["third"]

    def test_missing_source_is_an_error_not_a_crash(self, tmp_path: Path) -> None:
        missing = tmp_path / "nowhere"
        library = BriefingLibrary([missing])
        library.reload()
        assert error_lines(library) == [f"{missing}: no such file or folder"]
        assert len(library) == 0

    def test_single_file_source_reports_its_error_once(self, folder: Path) -> None:
        bad = write(folder / "bad.yaml", "title: T\n")
        library = BriefingLibrary([bad])
        report = library.reload()
        assert sorted(error_lines(library)) == [
            f"{bad}:1: published: field required",
            f"{bad}:1: summary: field required",
        ]
        assert len(report.errors) == 2


class TestDuplicateIds:
    """Two files with one id: the holder keeps it, else the older file; the error names both."""

    @staticmethod
    def age(path: Path, seconds: int) -> Path:
        """Set the file's modification time `seconds` before now."""
        when = path.stat().st_mtime_ns - seconds * 1_000_000_000
        os.utime(path, ns=(when, when))
        return path

    def test_a_copy_never_beats_the_original(self, folder: Path, library: BriefingLibrary) -> None:
        original = self.age(write(folder / "z.yaml", briefing_yaml("Original", id="same")), 60)
        copy = write(folder / "a-copy.yaml", briefing_yaml("Copy", id="same"))
        library.reload()
        assert title_of(library, "same") == "Original"
        assert library.path_of("same") == original
        # `id` is the last key briefing_yaml writes: line 4 in both files.
        assert error_lines(library) == [
            f"{copy}:4: id: duplicate id 'same', already used by {original}:4"
        ]

    def test_same_time_first_path_wins(self, folder: Path, library: BriefingLibrary) -> None:
        second = write(folder / "b.yaml", briefing_yaml("From B", id="same"))
        first = write(folder / "a.yaml", briefing_yaml("From A", id="same"))
        os.utime(second, ns=(first.stat().st_atime_ns, first.stat().st_mtime_ns))
        library.reload()
        assert title_of(library, "same") == "From A"
        assert error_lines(library) == [
            f"{second}:4: id: duplicate id 'same', already used by {first}:4"
        ]

    def test_the_holder_keeps_its_id_against_an_older_newcomer(
        self, folder: Path, library: BriefingLibrary
    ) -> None:
        holder = write(folder / "b.yaml", briefing_yaml("Holder", id="same"))
        library.reload()
        # Restored from a backup: older than the holder, but the holder is on air.
        restored = self.age(write(folder / "a.yaml", briefing_yaml("Restored", id="same")), 600)
        library.reload()
        assert title_of(library, "same") == "Holder"
        assert error_lines(library) == [
            f"{restored}:4: id: duplicate id 'same', already used by {holder}:4"
        ]

    def test_the_holder_line_is_named_after_it_was_edited(
        self, folder: Path, library: BriefingLibrary
    ) -> None:
        holder = write(folder / "b.yaml", briefing_yaml("Holder", id="same"))
        library.reload()
        write(holder, "# edited\n" + briefing_yaml("Holder, edited", id="same"))
        library.reload()
        newcomer = write(folder / "c.yaml", briefing_yaml("Newcomer", id="same"))
        library.reload()
        assert title_of(library, "same") == "Holder, edited"
        assert error_lines(library) == [
            f"{newcomer}:4: id: duplicate id 'same', already used by {holder}:5"
        ]

    def test_default_id_clashes_with_an_explicit_one(
        self, folder: Path, library: BriefingLibrary
    ) -> None:
        owner = self.age(write(folder / "allies.yaml", briefing_yaml("By file name")), 60)
        other = write(folder / "zz.yaml", briefing_yaml("Explicit", id="allies"))
        library.reload()
        assert library.path_of("allies") == owner
        # The owner's id comes from its name: there is no line to point at.
        assert error_lines(library) == [
            f"{other}:4: id: duplicate id 'allies', already used by {owner}"
        ]

    def test_removing_the_owner_hands_the_id_over_at_once(
        self, folder: Path, library: BriefingLibrary
    ) -> None:
        first = write(folder / "a.yaml", briefing_yaml("From A", id="same"))
        second = write(folder / "b.yaml", briefing_yaml("From B", id="same"))
        library.reload()
        first.unlink()
        library.reload()
        briefing = library.get("same")
        assert briefing is not None and briefing.title == "From B"
        assert library.path_of("same") == second
        assert library.errors == []

    def test_owner_changing_its_id_frees_the_old_one(
        self, folder: Path, library: BriefingLibrary
    ) -> None:
        first = write(folder / "a.yaml", briefing_yaml("From A", id="same"))
        write(folder / "b.yaml", briefing_yaml("From B", id="same"))
        library.reload()
        write(first, briefing_yaml("From A", id="renamed"))
        library.reload()
        assert ids(library.newest()) == ["renamed", "same"]
        assert title_of(library, "same") == "From B"
        assert library.errors == []

    def test_renaming_a_file_keeps_its_briefing(
        self, folder: Path, library: BriefingLibrary
    ) -> None:
        old = write(folder / "a.yaml", briefing_yaml("Alpha", id="alpha"))
        library.reload()
        new = folder / "z.yaml"
        old.rename(new)
        library.reload()
        assert library.path_of("alpha") == new
        assert library.errors == []


class TestIncrementalReload:
    """Only files whose modification time or size changed are read again."""

    def test_only_changed_files_are_read(
        self, folder: Path, library: BriefingLibrary, reads: list[Path]
    ) -> None:
        a = write(folder / "a.yaml", briefing_yaml("Alpha"))
        b = write(folder / "b.yaml", briefing_yaml("Beta"))
        c = write(folder / "c.yaml", briefing_yaml("Gamma"))
        library.reload()
        assert sorted(reads) == [a, b, c]

        reads.clear()
        report = library.reload()
        assert reads == []
        assert not report.changed_anything

        write(b, briefing_yaml("Beta, revised"))
        report = library.reload()
        assert reads == [b]
        assert report.changed == ["b"]
        assert title_of(library, "b") == "Beta, revised"

        reads.clear()
        d = write(folder / "d.yaml", briefing_yaml("Delta"))
        report = library.reload()
        assert reads == [d]
        assert report.added == ["d"]

    def test_same_size_edit_is_seen_by_its_mtime(
        self, folder: Path, library: BriefingLibrary
    ) -> None:
        path = write(folder / "a.yaml", briefing_yaml("Alpha"))
        library.reload()
        write(path, briefing_yaml("Omega"))  # same length, newer mtime
        assert path.stat().st_size == len(briefing_yaml("Alpha").encode())
        report = library.reload()
        assert report.changed == ["a"]
        assert title_of(library, "a") == "Omega"

    def test_touched_but_identical_file_changes_nothing(
        self, folder: Path, library: BriefingLibrary, reads: list[Path]
    ) -> None:
        path = write(folder / "a.yaml", briefing_yaml("Alpha"))
        library.reload()
        reads.clear()
        write(path, briefing_yaml("Alpha"))
        report = library.reload()
        assert reads == []  # same bytes (by hash): not parsed again
        assert not report.changed_anything

    def test_broken_edit_keeps_the_last_good_version_until_fixed(
        self, folder: Path, library: BriefingLibrary, reads: list[Path]
    ) -> None:
        path = write(folder / "a.yaml", briefing_yaml("Alpha", tags=["ukraine"]))
        write(folder / "b.yaml", briefing_yaml("Beta"))
        library.reload()

        write(path, briefing_yaml("Alpha") + "quotse: []\n")
        report = library.reload()
        expected = f"{path}:4: quotse: unknown field (check the spelling; see `briefbot schema`)"
        assert [str(e) for e in report.errors] == [expected]
        assert not report.changed_anything
        assert title_of(library, "a") == "Alpha"
        assert get(library, "a").tags == ["ukraine"]
        assert ids(library.search("alpha")) == ["a"]

        # The error stays reported on later reloads without reading the file again.
        reads.clear()
        report = library.reload()
        assert reads == []
        assert report.errors == []
        assert error_lines(library) == [expected]

        write(path, briefing_yaml("Alpha, fixed"))
        report = library.reload()
        assert report.changed == ["a"]
        assert library.errors == []
        assert title_of(library, "a") == "Alpha, fixed"

    def test_file_broken_from_the_start_appears_once_fixed(
        self, folder: Path, library: BriefingLibrary
    ) -> None:
        path = write(folder / "a.yaml", "title: Alpha\n")
        library.reload()
        assert "a" not in library
        write(path, briefing_yaml("Alpha"))
        report = library.reload()
        assert report.added == ["a"]
        assert library.errors == []

    def test_removed_file_removes_its_briefing_everywhere(
        self, folder: Path, library: BriefingLibrary
    ) -> None:
        quote = {"speaker": "Emmanuel Macron", "text": "delaying the process"}
        path = write(folder / "a.yaml", briefing_yaml("Ceasefire talks", quotes=[quote]))
        write(folder / "b.yaml", briefing_yaml("Other news"))
        library.reload()
        assert ids(library.search("ceasefire")) == ["a"]

        path.unlink()
        report = library.reload()
        assert report.removed == ["a"]
        assert library.get("a") is None
        assert ids(library.newest()) == ["b"]
        assert library.search("ceasefire") == []
        assert library.quotes_by("macron") == []

    def test_removed_broken_file_takes_its_error_along(
        self, folder: Path, library: BriefingLibrary
    ) -> None:
        path = write(folder / "a.yaml", "")
        library.reload()
        assert len(library.errors) == 1
        path.unlink()
        library.reload()
        assert library.errors == []

    def test_id_change_in_a_file(self, folder: Path, library: BriefingLibrary) -> None:
        path = write(folder / "a.yaml", briefing_yaml("Ceasefire talks", id="old-id"))
        library.reload()
        write(path, briefing_yaml("Ceasefire talks", id="new-id"))
        report = library.reload()
        assert report.removed == ["old-id"]
        assert report.added == ["new-id"]
        assert library.get("old-id") is None
        assert library.resolve("old-id") is None
        assert ids(library.newest()) == ["new-id"]
        assert ids(library.search("ceasefire")) == ["new-id"]
        assert library.path_of("new-id") == path

    def test_id_change_onto_a_taken_id_keeps_the_last_good_version(
        self, folder: Path, library: BriefingLibrary
    ) -> None:
        path = write(folder / "a.yaml", briefing_yaml("Alpha", id="alpha"))
        owner = write(folder / "b.yaml", briefing_yaml("Beta", id="beta"))
        library.reload()
        write(path, briefing_yaml("Alpha", id="beta"))
        library.reload()
        assert ids(library.newest()) == ["alpha", "beta"]
        assert title_of(library, "beta") == "Beta"
        assert error_lines(library) == [
            f"{path}:4: id: duplicate id 'beta', already used by {owner}:4"
        ]


class TestFolderEntries:
    """Whatever a folder holds, each bad entry is its own error and every other file is served."""

    @pytest.fixture
    def good(self, folder: Path) -> Path:
        return write(folder / "good.yaml", briefing_yaml("Good"))

    def test_symlink_loop(self, folder: Path, library: BriefingLibrary, good: Path) -> None:
        loop = folder / "loop.yaml"
        loop.symlink_to(loop.name)
        (folder / "ping.yaml").symlink_to("pong.yaml")
        (folder / "pong.yaml").symlink_to("ping.yaml")
        library.reload()
        assert ids(library.newest()) == ["good"]
        assert error_lines(library) == [
            f"{folder / name}: symlink loop (too many levels of symbolic links)"
            for name in ["loop.yaml", "ping.yaml", "pong.yaml"]
        ]
        # New files are still picked up, and the errors stay, reported by the reload once.
        write(folder / "new.yaml", briefing_yaml("New"))
        report = library.reload()
        assert report.added == ["new"] and report.errors == []
        assert len(library.errors) == 3

    def test_dangling_symlink(self, folder: Path, library: BriefingLibrary, good: Path) -> None:
        link = folder / "link.yaml"
        link.symlink_to("../elsewhere/gone.yaml")
        library.reload()
        assert ids(library.newest()) == ["good"]
        assert error_lines(library) == [
            f"{link}: dangling symlink: its target ../elsewhere/gone.yaml does not exist"
        ]

    def test_symlink_to_a_file_elsewhere_is_served(
        self, tmp_path: Path, folder: Path, library: BriefingLibrary
    ) -> None:
        target = write(tmp_path / "kept-elsewhere.yaml", briefing_yaml("Elsewhere", id="far"))
        (folder / "far.yaml").symlink_to(target)
        library.reload()
        assert ids(library.newest()) == ["far"]
        assert library.errors == []

    def test_entries_that_are_not_files_are_never_opened(
        self, folder: Path, library: BriefingLibrary, good: Path
    ) -> None:
        os.mkfifo(folder / "pipe.yaml")  # opening it to read would wait for a writer forever
        (folder / "zeros.yaml").symlink_to("/dev/zero")  # reading it would never end
        (folder / "sub.yaml").mkdir()
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(str(folder / "sock.yaml"))
            library.reload()
        assert ids(library.newest()) == ["good"]
        assert error_lines(library) == [
            f"{folder / 'pipe.yaml'}: not a regular file: it is a named pipe (FIFO)",
            f"{folder / 'sock.yaml'}: not a regular file: it is a socket",
            f"{folder / 'sub.yaml'}: not a regular file: it is a folder",
            f"{folder / 'zeros.yaml'}: not a regular file: it is a character device",
        ]

    def test_a_pipe_given_as_the_source(self, folder: Path) -> None:
        pipe = folder / "pipe.yaml"
        os.mkfifo(pipe)
        library = BriefingLibrary([pipe])
        library.reload()
        assert error_lines(library) == [f"{pipe}: not a regular file: it is a named pipe (FIFO)"]

    def test_editor_lock_files_are_ignored(
        self, folder: Path, library: BriefingLibrary, good: Path
    ) -> None:
        (folder / ".#good.yaml").symlink_to("user@host.1234:1700000000")  # as Emacs makes them
        library.reload()
        assert ids(library.newest()) == ["good"]
        assert library.errors == []

    def test_file_turned_into_a_broken_link_keeps_its_last_good_version(
        self, folder: Path, library: BriefingLibrary, good: Path
    ) -> None:
        library.reload()
        good.unlink()
        good.symlink_to("missing.yaml")
        report = library.reload()
        assert report.removed == []
        assert title_of(library, "good") == "Good"
        assert error_lines(library) == [
            f"{good}: dangling symlink: its target missing.yaml does not exist"
        ]


class _VanishingEntry:
    """A directory entry whose file is gone by the time it is stat'ed."""

    def __init__(self, entry: os.DirEntry[str]) -> None:
        self.name = entry.name
        self.path = entry.path

    def is_file(self) -> bool:
        return True

    def stat(self) -> os.stat_result:
        raise FileNotFoundError(2, "No such file or directory", self.path)


class TestUnreadable:
    """A file or folder that cannot be checked right now keeps serving its last good version."""

    @pytest.fixture
    def loaded(self, folder: Path, library: BriefingLibrary) -> BriefingLibrary:
        write(folder / "a.yaml", briefing_yaml("Alpha"))
        write(folder / "b.yaml", briefing_yaml("Beta"))
        library.reload()
        return library

    @staticmethod
    def vanish(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
        """Make the named files disappear between listing and stat, as during a replace."""
        real = os.scandir

        @contextlib.contextmanager
        def scandir(path: Any) -> Iterator[list[Any]]:
            with real(path) as entries:
                yield [_VanishingEntry(e) if e.name in names else e for e in entries]

        monkeypatch.setattr(library_module.os, "scandir", scandir)

    def test_file_replaced_during_the_scan_is_kept(
        self, folder: Path, loaded: BriefingLibrary, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.vanish(monkeypatch, "a.yaml", "new.yaml")
        write(folder / "new.yaml", briefing_yaml("New"))
        report = loaded.reload()
        assert not report.changed_anything
        assert report.errors == []
        assert ids(loaded.newest()) == ["a", "b"]

    def test_unlistable_folder_keeps_its_briefings(
        self, folder: Path, loaded: BriefingLibrary, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def denied(path: Any) -> Any:
            raise PermissionError(13, "Permission denied", str(path))

        monkeypatch.setattr(library_module.os, "scandir", denied)
        report = loaded.reload()
        assert report.removed == []
        assert ids(loaded.newest()) == ["a", "b"]
        assert error_lines(loaded) == [f"{folder}: cannot read: Permission denied"]

        monkeypatch.undo()
        loaded.reload()
        assert loaded.errors == []

    def test_folder_gone_then_back(self, folder: Path, loaded: BriefingLibrary) -> None:
        shutil.rmtree(folder)
        report = loaded.reload()
        assert report.removed == []
        assert ids(loaded.newest()) == ["a", "b"]
        assert error_lines(loaded) == [f"{folder}: no such file or folder"]

        folder.mkdir()
        write(folder / "b.yaml", briefing_yaml("Beta"))
        report = loaded.reload()
        assert report.removed == ["a"]
        assert ids(loaded.newest()) == ["b"]
        assert loaded.errors == []


class TestOrdering:
    """Newest first by the instant of publication; dates count as midnight UTC."""

    @pytest.fixture
    def mixed(self, folder: Path, library: BriefingLibrary) -> BriefingLibrary:
        plus2 = dt.timezone(dt.timedelta(hours=2))
        minus5 = dt.timezone(dt.timedelta(hours=-5))
        write(folder / "midnight.yaml", briefing_yaml("Date only", DAY))
        # 07:00 UTC on the 15th.
        write(
            folder / "morning.yaml",
            briefing_yaml("Morning", dt.datetime(2025, 3, 15, 9, tzinfo=plus2)),
        )
        # 04:30 UTC on the 15th, though written as the 14th.
        write(
            folder / "late.yaml",
            briefing_yaml("Late", dt.datetime(2025, 3, 14, 23, 30, tzinfo=minus5)),
        )
        write(folder / "next-day.yaml", briefing_yaml("Next day", dt.date(2025, 3, 16)))
        write(folder / "also-midnight.yaml", briefing_yaml("Same instant", DAY))
        library.reload()
        return library

    def test_newest_first(self, mixed: BriefingLibrary) -> None:
        assert ids(mixed.newest()) == [
            "next-day",
            "morning",
            "late",
            "also-midnight",  # a tie is broken by id
            "midnight",
        ]
        assert ids(list(mixed)) == ids(mixed.newest())

    def test_limit(self, mixed: BriefingLibrary) -> None:
        assert ids(mixed.newest(2)) == ["next-day", "morning"]
        assert len(mixed.newest(100)) == 5

    def test_position_is_the_list_number(self, mixed: BriefingLibrary) -> None:
        assert [mixed.position(i) for i in ids(mixed.newest())] == [1, 2, 3, 4, 5]
        assert mixed.position("nope") is None

    def test_edited_date_moves_the_briefing(self, folder: Path, mixed: BriefingLibrary) -> None:
        write(folder / "midnight.yaml", briefing_yaml("Date only", dt.date(2025, 3, 17)))
        mixed.reload()
        assert ids(mixed.newest(2)) == ["midnight", "next-day"]
        assert mixed.position("midnight") == 1


class TestResolve:
    """A briefing is found by id or by its number in the list; near misses are suggested."""

    @pytest.fixture
    def three(self, folder: Path, library: BriefingLibrary) -> BriefingLibrary:
        write(folder / "ukraine-allies-meeting.yaml", briefing_yaml("A", dt.date(2025, 3, 15)))
        write(folder / "gaza-truce-talks.yaml", briefing_yaml("B", dt.date(2025, 3, 14)))
        write(folder / "eu-summit.yaml", briefing_yaml("C", dt.date(2025, 3, 13)))
        library.reload()
        return library

    @pytest.mark.parametrize(
        ("ref", "expected"),
        [
            ("gaza-truce-talks", "gaza-truce-talks"),
            ("  GAZA-Truce-Talks ", "gaza-truce-talks"),
            ("1", "ukraine-allies-meeting"),
            (" 3 ", "eu-summit"),
            ("03", "eu-summit"),
        ],
    )
    def test_found(self, three: BriefingLibrary, ref: str, expected: str) -> None:
        briefing = three.resolve(ref)
        assert briefing is not None and briefing.id == expected

    @pytest.mark.parametrize("ref", ["0", "4", "-1", "99999999999", "", "gaza", "1.5"])
    def test_not_found(self, three: BriefingLibrary, ref: str) -> None:
        assert three.resolve(ref) is None

    def test_closest_ids(self, three: BriefingLibrary) -> None:
        assert three.closest_ids("gaza-truce-talk")[0] == "gaza-truce-talks"
        assert three.closest_ids("UKRAINE-ALLIES")[0] == "ukraine-allies-meeting"
        assert three.closest_ids("qqqqqqqqqqqq") == []
        assert len(three.closest_ids("e", limit=1)) <= 1


QUOTES = [
    {"speaker": "Emmanuel Macron", "role": "President of France", "text": "end its violations"},
    {"speaker": "António Costa", "role": "President of the European Council", "text": "Unity"},
    {"speaker": "Keir Starmer", "role": "Prime Minister", "text": "not serious"},
    {"speaker": "Emmanuel Macron", "text": "a strong and lasting peace"},
    {"speaker": "Мария Захарова", "text": "Нет <b>комментариев</b> & 5 < 6"},
    {"speaker": "محمد بن سلمان", "text": "مرحبا 🙂"},
]


class TestQuotesBy:
    """Quotes are found by speaker or role: every word a prefix, case- and accent-insensitive."""

    @pytest.fixture
    def quoted(self, folder: Path, library: BriefingLibrary) -> BriefingLibrary:
        write(folder / "older.yaml", briefing_yaml("Older", dt.date(2025, 3, 1), quotes=QUOTES))
        newer = [{"speaker": "Emmanuel Macron", "text": "delaying the process"}]
        write(folder / "newer.yaml", briefing_yaml("Newer", dt.date(2025, 3, 20), quotes=newer))
        write(folder / "quiet.yaml", briefing_yaml("No quotes", dt.date(2025, 3, 25)))
        library.reload()
        return library

    @staticmethod
    def found(library: BriefingLibrary, query: str) -> list[tuple[str, str]]:
        return [(b.id, q.text) for b, q in library.quotes_by(query)]

    @pytest.mark.parametrize("query", ["macron", "MACRON", "Emmanuel Mac", " emmanuel  macron "])
    def test_macron_newest_briefing_first(self, quoted: BriefingLibrary, query: str) -> None:
        assert self.found(quoted, query) == [
            ("newer", "delaying the process"),
            ("older", "end its violations"),
            ("older", "a strong and lasting peace"),
        ]

    @pytest.mark.parametrize("query", ["antonio", "António", "ANTONIO COSTA", "costa"])
    def test_accents_do_not_matter(self, quoted: BriefingLibrary, query: str) -> None:
        assert self.found(quoted, query) == [("older", "Unity")]

    def test_role_matches(self, quoted: BriefingLibrary) -> None:
        assert self.found(quoted, "prime minister") == [("older", "not serious")]
        assert [q for _, q in self.found(quoted, "president")] == [
            "end its violations",
            "Unity",
        ]

    def test_non_latin_names(self, quoted: BriefingLibrary) -> None:
        assert self.found(quoted, "МАРИЯ") == [("older", "Нет <b>комментариев</b> & 5 < 6")]
        assert self.found(quoted, "захар") == [("older", "Нет <b>комментариев</b> & 5 < 6")]
        assert self.found(quoted, "محمد") == [("older", "مرحبا 🙂")]

    @pytest.mark.parametrize("query", ["Starmer Macron", "zzz", "", "  ", "acron"])
    def test_no_match(self, quoted: BriefingLibrary, query: str) -> None:
        assert self.found(quoted, query) == []

    def test_within_limits_to_given_briefings(self, quoted: BriefingLibrary) -> None:
        older = quoted.get("older")
        assert older is not None
        assert [q.text for _, q in quoted.quotes_by("macron", within=[older])] == [
            "end its violations",
            "a strong and lasting peace",
        ]

    def test_edit_updates_speakers(self, folder: Path, quoted: BriefingLibrary) -> None:
        write(folder / "newer.yaml", briefing_yaml("Newer", dt.date(2025, 3, 20)))
        quoted.reload()
        assert [b.id for b, _ in quoted.quotes_by("macron")] == ["older", "older"]


class TestSearch:
    """Full-text search ranked by where the words appear; all words must match if any can."""

    @pytest.fixture
    def corpus(self, folder: Path, library: BriefingLibrary) -> BriefingLibrary:
        write(
            folder / "in-quote.yaml",
            briefing_yaml(
                "Allies meet",
                summary="Leaders talk.",
                quotes=[{"speaker": "Keir Starmer", "text": "monitor the ceasefire"}],
            ),
        )
        write(
            folder / "in-title.yaml",
            briefing_yaml("Ceasefire monitoring mission", summary="Observers deploy."),
        )
        write(
            folder / "in-summary.yaml",
            briefing_yaml("Talks", summary="A ceasefire is proposed for 30 days."),
        )
        write(
            folder / "hostile.yaml",
            briefing_yaml(
                "5 < 6 & <b>bold</b> 🇺🇦 Привет мир",
                summary="مرحبا بالعالم; the EU reacts.",
                key_points=["Зеленский встретился с союзниками"],
                attendees=[{"name": "Volodymyr Zelensky"}],
            ),
        )
        library.reload()
        return library

    def test_title_hit_outranks_summary_and_quote(self, corpus: BriefingLibrary) -> None:
        assert ids(corpus.search("ceasefire")) == ["in-title", "in-summary", "in-quote"]

    def test_only_briefings_matching_every_word_when_there_are_any(
        self, corpus: BriefingLibrary
    ) -> None:
        assert ids(corpus.search("ceasefire monitoring")) == ["in-title"]
        assert ids(corpus.search("ceasefire starmer")) == ["in-quote"]

    def test_otherwise_those_matching_the_most_words(self, corpus: BriefingLibrary) -> None:
        assert ids(corpus.search("ceasefire observers zzzz")) == [
            "in-title",  # two of the three words
            "in-summary",
            "in-quote",
        ]
        assert ids(corpus.search("ceasefire zzzz")) == ["in-title", "in-summary", "in-quote"]

    def test_prefix_match_from_three_letters(self, corpus: BriefingLibrary) -> None:
        assert ids(corpus.search("cease")) == ["in-title", "in-summary", "in-quote"]
        assert ids(corpus.search("mon")) == ["in-title", "in-quote"]
        assert corpus.search("ce") == []

    def test_short_whole_words_match(self, corpus: BriefingLibrary) -> None:
        assert ids(corpus.search("EU")) == ["hostile"]

    def test_case_accents_and_scripts(self, corpus: BriefingLibrary) -> None:
        assert ids(corpus.search("CEASEFIRE MONITORING")) == ["in-title"]
        assert ids(corpus.search("привет")) == ["hostile"]
        assert ids(corpus.search("ЗЕЛЕНСКИЙ")) == ["hostile"]
        assert ids(corpus.search("مرحبا")) == ["hostile"]
        assert ids(corpus.search("zelensky")) == ["hostile"]

    def test_markup_in_text_is_just_words(self, corpus: BriefingLibrary) -> None:
        assert ids(corpus.search("bold")) == ["hostile"]
        assert corpus.search("<>&;") == []

    @pytest.mark.parametrize("query", ["xyzzy", "qwertyuiop asdf", "", "   ", "!!!"])
    def test_nonsense_finds_nothing(self, corpus: BriefingLibrary, query: str) -> None:
        assert corpus.search(query) == []

    def test_limit(self, corpus: BriefingLibrary) -> None:
        assert ids(corpus.search("ceasefire", limit=1)) == ["in-title"]

    def test_whole_word_outranks_prefix_in_the_same_field(
        self, folder: Path, library: BriefingLibrary
    ) -> None:
        write(folder / "exact.yaml", briefing_yaml("Ceasefire somewhere", summary="S."))
        write(folder / "plural.yaml", briefing_yaml("Ceasefires everywhere", summary="S."))
        library.reload()
        assert ids(library.search("ceasefire")) == ["exact", "plural"]

    def test_edits_are_searchable(self, folder: Path, corpus: BriefingLibrary) -> None:
        write(folder / "in-summary.yaml", briefing_yaml("Talks", summary="Nothing agreed."))
        corpus.reload()
        assert ids(corpus.search("ceasefire")) == ["in-title", "in-quote"]
        assert ids(corpus.search("agreed")) == ["in-summary"]

    def test_listings_show_what_the_briefings_say(self, corpus: BriefingLibrary) -> None:
        expected = [Listing.of(b) for b in corpus.search("ceasefire")]
        assert corpus.search_listings("ceasefire") == expected
        assert corpus.warm_listings() == 1  # the hostile one; the others were just listed
        assert corpus.warm_listings() == 0
        assert corpus.search_listings("ceasefire") == expected
        [hostile] = corpus.search_listings("bold")
        assert hostile.title == "5 < 6 & <b>bold</b> 🇺🇦 Привет мир"
        assert hostile.line == "مرحبا بالعالم; the EU reacts."

    def test_listings_follow_edits(self, folder: Path, corpus: BriefingLibrary) -> None:
        corpus.warm_listings()
        write(folder / "in-summary.yaml", briefing_yaml("Truce", summary="A ceasefire. Later."))
        corpus.reload()
        listed = {hit.id: hit for hit in corpus.search_listings("ceasefire")}
        assert (listed["in-summary"].title, listed["in-summary"].line) == ("Truce", "A ceasefire.")
        (folder / "in-summary.yaml").unlink()
        corpus.reload()
        assert "in-summary" not in {hit.id for hit in corpus.search_listings("ceasefire")}


class TestGarbageCollector:
    """Reloading pauses the cyclic garbage collector and always restores the caller's setting."""

    def test_enabled_again_after_reload(self, folder: Path, library: BriefingLibrary) -> None:
        write(folder / "a.yaml", briefing_yaml("Alpha"))
        write(folder / "b.yaml", "title: [broken\n")
        assert gc.isenabled()
        library.reload()
        assert gc.isenabled()

    def test_left_disabled_if_it_was(self, folder: Path, library: BriefingLibrary) -> None:
        write(folder / "a.yaml", briefing_yaml("Alpha"))
        gc.disable()
        try:
            library.reload()
            assert not gc.isenabled()
        finally:
            gc.enable()
        assert "a" in library


def reference_fold(text: str) -> str:
    """The folding rule by definition: NFKD, drop combining marks, casefold."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class TestTextFolding:
    """Lookups fold case, accents and compatibility forms the same way for every script."""

    @pytest.mark.parametrize(
        ("text", "folded"),
        [
            ("Emmanuel MACRON", "emmanuel macron"),
            ("António Costa", "antonio costa"),
            ("Straße", "strasse"),
            ("ΣΊΣΥΦΟΣ", "σισυφοσ"),
            ("Йошкар-Ола", "иошкар-ола"),
            ("e\u0301te\u0301", "ete"),
            ("ﬁnance Ⅻ", "finance xii"),
            ("مَرْحَبًا", "مرحبا"),
            ("🇺🇦 peace 🕊️", "🇺🇦 peace 🕊️"),  # a variation selector is not an accent
            ("𝐁𝐨𝐥𝐝\U0001d165", "bold"),
        ],
    )
    def test_examples(self, text: str, folded: str) -> None:
        assert fold(text) == folded == reference_fold(text)

    def test_matches_the_definition_on_random_text(self) -> None:
        rng = random.Random(5)
        alphabet = (
            "aAeEßİıΣσς ’“…ﬁⅫ"
            "\u0300\u0301\u0308\u0327\u064b\u05b4\u093c\u20d7\U0001d165\U0001e8d0"
            "ÉéÅåŒœØøĲĳǅǰẞ"
            "ЙйЁёΆάΐ"
            "가각한글"
            "😀🇺🇦🕊️"
        )
        for _ in range(3000):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
            assert fold(text) == reference_fold(text), repr(text)

    def test_words(self) -> None:
        assert words("Zelensky’s “offer”: 5 < 6 & <b>") == ["zelensky", "s", "offer", "5", "6", "b"]
        assert words_of_all(["Café", "naïve déjà-vu"]) == ["cafe", "naive", "deja", "vu"]
