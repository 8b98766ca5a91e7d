"""Publishing a draft: an atomic write into the folder, on air at once, never over another file
unless asked, and never outside the folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SEED_ID, SHIPPED_BRIEFINGS, briefing_yaml

from bot.briefing.library import BriefingLibrary
from bot.drafting.publish import (
    AlreadyPublished,
    PublishError,
    publish_draft,
    write_atomically,
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the shipped briefings."""
    return Path(shutil.copytree(SHIPPED_BRIEFINGS, tmp_path / "briefings"))


@pytest.fixture
def library(folder: Path) -> BriefingLibrary:
    """The library serving `folder`, loaded."""
    loaded = BriefingLibrary([folder])
    loaded.reload()
    return loaded


def names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


class TestPublishDraft:
    """A new id is written as `<id>.yaml` and served at once; an existing one needs `replace`."""

    def test_new_briefing_is_on_air_at_once(self, folder: Path, library: BriefingLibrary) -> None:
        text = briefing_yaml("tram-line", "2026-11-24")
        published = publish_draft(library, folder, text)
        assert published.path == folder / "tram-line.yaml" and not published.replaced
        assert published.path.read_text("utf-8") == text
        assert published.path.stat().st_mode & 0o777 == 0o644
        briefing = library.get("tram-line")
        assert briefing is not None and briefing.title == "Title of tram-line"
        # No temporary file is left behind.
        assert names(folder) == sorted([f"{SEED_ID}.yaml", "tram-line.yaml"])

    def test_existing_id_is_refused_and_left_alone(
        self, folder: Path, library: BriefingLibrary
    ) -> None:
        seed = folder / f"{SEED_ID}.yaml"
        before = seed.read_bytes()
        with pytest.raises(AlreadyPublished) as raised:
            publish_draft(library, folder, briefing_yaml(SEED_ID, "2026-11-24"))
        assert raised.value.path == seed
        assert str(raised.value) == f"a briefing with the id {SEED_ID} exists already ({seed.name})"
        assert seed.read_bytes() == before

    def test_a_file_of_that_name_counts_even_if_broken(
        self, folder: Path, library: BriefingLibrary
    ) -> None:
        (folder / "tram-line.yaml").write_text("title: [broken", encoding="utf-8")
        library.reload()
        with pytest.raises(AlreadyPublished):
            publish_draft(library, folder, briefing_yaml("tram-line", "2026-11-24"))

    def test_replace_overwrites_the_file_that_holds_the_id(
        self, folder: Path, library: BriefingLibrary
    ) -> None:
        (folder / f"{SEED_ID}.yaml").rename(folder / "renamed.yaml")
        library.reload()
        text = briefing_yaml(SEED_ID, "2026-11-24", title="Corrected")
        published = publish_draft(library, folder, text, replace=True)
        assert published.replaced and published.path == folder / "renamed.yaml"
        assert names(folder) == ["renamed.yaml"]
        briefing = library.get(SEED_ID)
        assert briefing is not None and briefing.title == "Corrected"

    def test_nothing_is_written_outside_the_folder(
        self, folder: Path, library: BriefingLibrary, tmp_path: Path
    ) -> None:
        drafts = tmp_path / "published"
        drafts.mkdir()
        overlay = BriefingLibrary([folder, drafts])
        overlay.reload()
        with pytest.raises(PublishError, match="outside"):
            publish_draft(overlay, drafts, briefing_yaml(SEED_ID, "2026-11-24"), replace=True)
        assert names(drafts) == []

    def test_id_defaults_to_the_drafts_file_name(
        self, folder: Path, library: BriefingLibrary
    ) -> None:
        text = "title: T\npublished: 2026-11-24\nsummary: S.\n"
        published = publish_draft(library, folder, text, name="from-file.yaml")
        assert published.path.name == "from-file.yaml"
        assert library.get("from-file") is not None

    def test_invalid_draft_is_refused(self, folder: Path, library: BriefingLibrary) -> None:
        with pytest.raises(PublishError, match=r"draft\.yaml:1: summary: field required"):
            publish_draft(library, folder, "title: T\npublished: 2026-11-24\nid: x\n")
        assert names(folder) == [f"{SEED_ID}.yaml"]


class TestWriteAtomically:
    """Readers see the old file or the new one; a refused write leaves no trace."""

    def test_without_overwrite_an_existing_file_stays(self, tmp_path: Path) -> None:
        target = tmp_path / "a.yaml"
        target.write_bytes(b"old")
        with pytest.raises(FileExistsError):
            write_atomically(target, b"new", overwrite=False)
        assert target.read_bytes() == b"old"
        assert names(tmp_path) == ["a.yaml"]

    def test_overwrite_replaces(self, tmp_path: Path) -> None:
        target = tmp_path / "a.yaml"
        target.write_bytes(b"old")
        write_atomically(target, b"new", overwrite=True)
        assert target.read_bytes() == b"new"
        assert names(tmp_path) == ["a.yaml"]
