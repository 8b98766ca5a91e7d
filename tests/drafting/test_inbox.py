"""What counts as an article, which uploads are accepted, and joining parts sent in a row."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.drafting.inbox import (
    ArticleParts,
    Refused,
    check_size,
    decode_upload,
    file_kind,
    is_article,
)

T0 = dt.datetime(2026, 11, 25, 7, tzinfo=dt.UTC)


class TestIsArticle:
    """Long, many-paragraph or forwarded text is an article; a few words are a search."""

    @pytest.mark.parametrize(
        ("text", "forwarded", "expected"),
        [
            ("ceasefire monitoring", False, False),
            ("ceasefire monitoring", True, True),
            ("x" * 599, False, False),
            ("x" * 600, False, True),
            ("Title\n\nOne.\n\nTwo.", False, True),
            ("Title\n\nOne.\n\n  \n\n", False, False),
        ],
    )
    def test_rule(self, text: str, forwarded: bool, expected: bool) -> None:
        assert is_article(text, forwarded=forwarded) is expected


class TestUploads:
    """Only text files of up to 1 MiB, in UTF-8, are drafted."""

    def test_kinds(self) -> None:
        assert [file_kind(n) for n in ("a.txt", "b.HTML", "c.md", "d.yaml", "e.yml")] == [
            "article", "article", "article", "draft", "draft",
        ]  # fmt: skip
        with pytest.raises(Refused, match=r"^a\.pdf is not a file I can draft from"):
            file_kind("a.pdf")

    def test_size_limit_is_one_mebibyte(self) -> None:
        check_size("a.txt", 1024 * 1024)
        check_size("a.txt", None)
        with pytest.raises(Refused, match=r"^a.txt is 1.0 MB; files of up to 1 MB are accepted"):
            check_size("a.txt", 1024 * 1024 + 1)

    def test_decoding(self) -> None:
        assert decode_upload("a.txt", "Grüße".encode()) == "Grüße"
        with pytest.raises(Refused, match="binary"):
            decode_upload("a.txt", b"ab\0c")
        with pytest.raises(Refused, match=r"not UTF-8 text \(byte 2 is 0xfc\)"):
            decode_upload("a.txt", "Grüße".encode("latin-1"))


class TestArticleParts:
    """Parts within the window join in message order; a late part starts a new article."""

    def test_parts_join_in_message_order(self) -> None:
        parts = ArticleParts(dt.timedelta(seconds=3))
        assert parts.add(1, 42, 11, "second", T0) is None
        assert parts.collecting(1, T0 + dt.timedelta(seconds=3))
        assert parts.add(1, 42, 10, "first", T0 + dt.timedelta(seconds=2)) is None
        assert parts.waiting() == [1]
        article = parts.take(1)
        assert article is not None
        assert (article.text, article.parts, article.admin_id) == ("first\n\nsecond", 2, 42)
        assert parts.take(1) is None and parts.waiting() == []

    def test_a_late_part_hands_back_the_earlier_article(self) -> None:
        parts = ArticleParts(dt.timedelta(seconds=3))
        parts.add(1, 42, 1, "one", T0)
        assert not parts.collecting(1, T0 + dt.timedelta(seconds=4))
        earlier = parts.add(1, 42, 2, "two", T0 + dt.timedelta(seconds=4))
        assert earlier is not None and earlier.text == "one"
        later = parts.take(1)
        assert later is not None and later.text == "two"

    def test_chats_are_separate(self) -> None:
        parts = ArticleParts()
        parts.add(1, 42, 1, "one", T0)
        parts.add(2, 43, 1, "two", T0)
        assert sorted(parts.waiting()) == [1, 2]
        assert not parts.collecting(3, T0)
