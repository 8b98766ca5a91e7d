"""What editors send to be drafted: articles, accepted files, and parts joined in order.

Which texts count as articles, which files are accepted, and article parts arriving in a row,
joined once no more come. No Telegram here; the handlers ask these questions and move the bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import PurePath

MAX_UPLOAD_BYTES = 1024 * 1024
"""Largest file accepted (1 MiB), the limit of a briefing file too."""
ARTICLE_SUFFIXES = frozenset({".txt", ".html", ".htm", ".md"})
DRAFT_SUFFIXES = frozenset({".yaml", ".yml"})

LONG_TEXT = 600
"""A private message from an admin this long (characters) is an article, not a search."""
MIN_PARAGRAPHS = 3
"""…and so is one with this many paragraphs."""
JOIN_WINDOW = dt.timedelta(seconds=3)
"""Parts of one article arriving this close together are joined (pasting or forwarding a long
article sends several messages within a second or two)."""


class Refused(Exception):
    """An upload that cannot be drafted; the message, one line, says why."""


def is_article(text: str, *, forwarded: bool) -> bool:
    """Whether an admin's private text is an article to draft rather than a search."""
    if forwarded:
        return True
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return len(text) >= LONG_TEXT or len(paragraphs) >= MIN_PARAGRAPHS


def file_kind(file_name: str) -> str:
    """The kind of file by its extension, "article" or "draft"; `Refused` for any other."""
    suffix = PurePath(file_name).suffix.lower()
    if suffix in ARTICLE_SUFFIXES:
        return "article"
    if suffix in DRAFT_SUFFIXES:
        return "draft"
    raise Refused(
        f"{file_name} is not a file I can draft from: send an article as .txt, .html or .md, "
        "or an edited draft as .yaml."
    )


def check_size(file_name: str, size: int | None) -> None:
    """Refuse a file over `MAX_UPLOAD_BYTES` before it is downloaded."""
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise Refused(
            f"{file_name} is {size / 1024 / 1024:.1f} MB; files of up to 1 MB are accepted."
        )


def decode_upload(file_name: str, data: bytes) -> str:
    """The text of an uploaded file; `Refused` if it is too big, binary or not UTF-8."""
    check_size(file_name, len(data))
    if b"\0" in data:
        raise Refused(f"{file_name} is a binary file, not text.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(
            f"{file_name} is not UTF-8 text (byte {exc.start} is 0x{data[exc.start]:02x}); "
            "save it as UTF-8 and send it again."
        ) from None


@dataclass(frozen=True)
class Article:
    """An article put together from the parts one admin sent in a row."""

    chat_id: int
    admin_id: int
    text: str
    parts: int
    language: str = "en"  # the language of the chat the parts came from, for the answers


@dataclass
class _Parts:
    admin_id: int
    last: dt.datetime
    language: str
    texts: dict[int, str] = field(default_factory=dict)  # by message id


class ArticleParts:
    """Article parts waiting, per chat, for the join window to close."""

    def __init__(self, window: dt.timedelta = JOIN_WINDOW) -> None:
        self.window = window
        self._chats: dict[int, _Parts] = {}

    def collecting(self, chat_id: int, now: dt.datetime) -> bool:
        """Whether a part sent to `chat_id` now would join parts already waiting."""
        parts = self._chats.get(chat_id)
        return parts is not None and now - parts.last <= self.window

    def add(
        self,
        chat_id: int,
        admin_id: int,
        message_id: int,
        text: str,
        now: dt.datetime,
        language: str = "en",
    ) -> Article | None:
        """Keep one part; returns the earlier article of this chat if its window had closed."""
        earlier = None if self.collecting(chat_id, now) else self.take(chat_id)
        parts = self._chats.setdefault(chat_id, _Parts(admin_id, now, language))
        parts.last = max(parts.last, now)
        parts.texts[message_id] = text
        return earlier

    def take(self, chat_id: int) -> Article | None:
        """The article waiting in `chat_id`, its parts in message order; it stops waiting."""
        parts = self._chats.pop(chat_id, None)
        if parts is None:
            return None
        # Updates may be handled out of order; message ids give the order they were sent in.
        texts = [parts.texts[number].strip() for number in sorted(parts.texts)]
        return Article(chat_id, parts.admin_id, "\n\n".join(texts), len(texts), parts.language)

    def waiting(self) -> list[int]:
        """Chats with parts waiting."""
        return list(self._chats)
