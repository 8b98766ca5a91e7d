"""A library built only for checking files: same errors and briefings, no lookups."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.briefing.index_store import IndexStore
from bot.briefing.library import BriefingLibrary

SEED = Path(__file__).resolve().parents[2] / "briefings" / "ukraine-allies-virtual-meeting.yaml"


def folder_with_problems(tmp_path: Path) -> Path:
    """The seed briefing, a copy claiming its id, and a broken file."""
    folder = tmp_path / "briefings"
    folder.mkdir()
    shutil.copy(SEED, folder / "a.yaml")
    shutil.copy(SEED, folder / "b.yaml")
    (folder / "c.yaml").write_text("title: x\npublished: soon\n", encoding="utf-8")
    return folder


def test_checking_finds_the_same_errors_and_briefings_as_a_full_library(tmp_path: Path) -> None:
    folder = folder_with_problems(tmp_path)
    full = BriefingLibrary([folder])
    checking = BriefingLibrary([folder], lookups=False)
    assert [str(e) for e in checking.reload().errors] == [str(e) for e in full.reload().errors]
    assert [str(e) for e in checking.errors] == [str(e) for e in full.errors]
    assert any("duplicate id" in str(e) for e in checking.errors)
    assert len(checking) == len(full) == 1
    assert checking.get("ukraine-allies-virtual-meeting") == full.get(
        "ukraine-allies-virtual-meeting"
    )


def test_checking_builds_no_search_or_speaker_index(tmp_path: Path) -> None:
    folder = folder_with_problems(tmp_path)
    full = BriefingLibrary([folder])
    checking = BriefingLibrary([folder], lookups=False)
    full.reload()
    checking.reload()
    assert full.search("ceasefire") and full.quote_refs("macron")
    assert checking.search("ceasefire") == [] and checking.quote_refs("macron") == []


def test_a_changed_file_is_checked_again(tmp_path: Path) -> None:
    folder = folder_with_problems(tmp_path)
    checking = BriefingLibrary([folder], lookups=False)
    checking.reload()
    (folder / "a.yaml").unlink()
    report = checking.reload()
    assert report.errors == [] and len(checking) == 1  # b.yaml takes the id over


def test_checking_cannot_keep_a_persistent_index(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="lookups"):
        BriefingLibrary([tmp_path], index=IndexStore(tmp_path / "index.sqlite3"), lookups=False)
