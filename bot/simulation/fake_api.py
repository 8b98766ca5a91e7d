"""A fake Telegram Bot API: the core state machine and its in-process and HTTP transports.

`FakeBotAPI` answers Bot API calls the way Telegram does where a bot can tell the difference
(HTML validation, length limits, flood limits, blocked/migrated chats, scripted faults).
`FakeRequest` plugs it into python-telegram-bot without a network; `FakeBotAPIServer` serves
it over HTTP on 127.0.0.1 for running the real bot process against it.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import email.parser
import email.policy
import json
import logging
import math
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlsplit

# PTB documents subclassing BaseRequest but only exposes these types privately.
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

_LOGGER = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 4096
"""Telegram's limit on a message's visible text, in UTF-16 code units."""

# --------------------------------------------------------------------------- HTML entities

_SUPPORTED_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler"}
    | {"code", "pre", "blockquote", "tg-emoji", "tg-time"}
)
# TDLib reads a NUL-terminated string, so "end of text" (0) counts as a space.
_SPACES = frozenset(b" \t\r\n\v\f\0")
_ENTITY = re.compile(rb"&(?:#([0-9]{1,7})|#x([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));")
_NAMED_ENTITIES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_NAME_TOKEN = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")


class HTMLEntityError(ValueError):
    """Telegram would refuse this HTML; `detail` is the text after "can't parse entities: "."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def utf16_length(text: str) -> int:
    """Length of `text` in UTF-16 code units, the unit Telegram counts lengths and offsets in."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def parse_html_entities(text: str) -> str:
    """Return the visible text of Telegram-HTML `text`, or raise `HTMLEntityError`.

    Follows TDLib's parser (same details and UTF-8 byte offsets), but is stricter in two ways
    that catch escaping bugs: every "&" must start a complete entity (Telegram keeps a stray
    "&" literally), and blockquotes may not be nested.
    """
    data = text.encode("utf-8", "surrogatepass")
    out = bytearray()
    stack: list[tuple[str, str]] = []
    decoded_surrogate = False
    i = 0
    while i < len(data):
        c = data[i]
        if c == ord("&"):
            char, i = _decode_entity(data, i)
            decoded_surrogate |= 0xD800 <= ord(char) <= 0xDFFF
            out += char.encode("utf-8", "surrogatepass")
            continue
        if c != ord("<"):
            out.append(c)
            i += 1
            continue
        begin = i
        i += 1
        if _at(data, i) != ord("/"):
            tag, argument, i = _start_tag(data, begin, i)
            if tag == "blockquote" and any(open_tag == tag for open_tag, _ in stack):
                raise HTMLEntityError(f"Nested blockquote at byte offset {begin}")
            stack.append((tag, argument))
            i += 1
            continue
        if not stack:
            raise HTMLEntityError(f"Unexpected end tag at byte offset {begin}")
        while _at(data, i) not in _SPACES and _at(data, i) != ord(">"):
            i += 1
        end_tag = data[begin + 2 : i].decode("utf-8", "replace").lower()
        while _at(data, i) != 0 and _at(data, i) in _SPACES:
            i += 1
        if _at(data, i) != ord(">"):
            raise HTMLEntityError(f"Unclosed end tag at byte offset {begin}")
        tag, argument = stack.pop()
        if end_tag and end_tag != tag:
            raise HTMLEntityError(
                f'Unmatched end tag at byte offset {begin}, expected "</{tag}>", '
                f'found "</{end_tag}>"'
            )
        if tag == "tg-emoji" and not (
            re.fullmatch(r"[0-9]{1,19}", argument) and 0 < int(argument) < 2**63
        ):
            raise HTMLEntityError("Invalid custom emoji identifier specified")
        i += 1
    if stack:
        raise HTMLEntityError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    if decoded_surrogate:
        raise HTMLEntityError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        )
    return out.decode("utf-8", "surrogatepass")


def _at(data: bytes, i: int) -> int:
    return data[i] if i < len(data) else 0


def _decode_entity(data: bytes, i: int) -> tuple[str, int]:
    """Decode the entity starting at the "&" at `i`; return it and the index after it."""
    match = _ENTITY.match(data, i)
    if match and match[3]:
        return _NAMED_ENTITIES[match[3]], match.end()
    code = int(match[1] or match[2], 10 if match[1] else 16) if match else 0
    if match is None or not 0 < code < 0x10FFFF:
        raise HTMLEntityError(
            f'Character "&" at byte offset {i} does not start an HTML entity; escape it as &amp;'
        )
    return chr(code), match.end()


def _start_tag(data: bytes, begin: int, i: int) -> tuple[str, str, int]:
    """Read a start tag whose name begins at `i`; return tag, argument and the index of ">"."""
    while _at(data, i) not in _SPACES and _at(data, i) != ord(">"):
        i += 1
    if _at(data, i) == 0:
        raise HTMLEntityError(f"Unclosed start tag at byte offset {begin}")
    tag = data[begin + 1 : i].decode("utf-8", "replace").lower()
    if tag not in _SUPPORTED_TAGS:
        raise HTMLEntityError(f'Unsupported start tag "{tag}" at byte offset {begin}')
    argument = ""
    while _at(data, i) != ord(">"):
        while _at(data, i) != 0 and _at(data, i) in _SPACES:
            i += 1
        if _at(data, i) == ord(">"):
            break
        name_begin = i
        while _at(data, i) not in _SPACES and _at(data, i) not in b"=>/\"'":
            i += 1
        name = data[name_begin:i].decode("utf-8", "replace")
        if not name:
            raise HTMLEntityError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
        while _at(data, i) != 0 and _at(data, i) in _SPACES:
            i += 1
        if _at(data, i) != ord("="):
            if _at(data, i) == 0:
                raise HTMLEntityError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            if (tag, name) == ("blockquote", "expandable"):
                argument = "1"
            continue
        i += 1
        while _at(data, i) != 0 and _at(data, i) in _SPACES:
            i += 1
        if _at(data, i) == 0:
            raise HTMLEntityError(f'Unclosed start tag "{tag}" at byte offset {begin}')
        value, i = _attribute_value(data, i)
        if _at(data, i) == 0:
            raise HTMLEntityError(f"Unclosed start tag at byte offset {begin}")
        if (tag, name) in {("a", "href"), ("tg-emoji", "emoji-id")}:
            argument = value
        elif (tag, name) == ("code", "class") and value.startswith("language-"):
            argument = value[9:]
        elif (tag, name) == ("span", "class") and value.startswith("tg-"):
            argument = value[3:]
        elif (tag, name) == ("blockquote", "expandable"):
            argument = "1"
    if tag == "span" and argument != "spoiler":
        raise HTMLEntityError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
    return tag, argument, i


def _attribute_value(data: bytes, i: int) -> tuple[str, int]:
    """Read a quoted or name-token attribute value at `i`; return it and the index after it."""
    quote = _at(data, i)
    if quote not in (ord('"'), ord("'")):
        token_begin = i
        while _at(data, i) in _NAME_TOKEN:
            i += 1
        if _at(data, i) not in _SPACES and _at(data, i) != ord(">"):
            raise HTMLEntityError(f"Unexpected end of name token at byte offset {token_begin}")
        return data[token_begin:i].decode("ascii").lower(), i
    i += 1
    value: list[str] = []
    while _at(data, i) not in (quote, 0):
        if data[i] == ord("&"):
            char, i = _decode_entity(data, i)
            value.append(char)
            continue
        run_end = i
        while run_end < len(data) and data[run_end] not in (quote, ord("&")):
            run_end += 1
        value.append(data[i:run_end].decode("utf-8", "surrogatepass"))
        i = run_end
    if _at(data, i) == quote:
        i += 1
    return "".join(value), i


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class SentMessage:
    """A message the fake accepted: a sendMessage, or an editMessageText of an earlier one.

    `text` is the text as the bot sent it (HTML source when `parse_mode` is HTML);
    `visible_text` is what the user sees.
    """

    method: str
    chat_id: int
    message_id: int
    text: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    link_preview_options: dict[str, Any] | None
    date: int
    document_name: str | None = None
    """For a sendDocument: the file name; `text` is then the caption ("" without one)."""
    document: bytes | None = None
    """For a sendDocument: the file's bytes."""

    @property
    def visible_text(self) -> str:
        """The text with Telegram-HTML tags removed and entities decoded."""
        if (self.parse_mode or "").lower() == "html":
            return parse_html_entities(self.text)
        return self.text


@dataclass(frozen=True)
class Upload:
    """A file uploaded with a request (multipart/form-data), as the fake received it."""

    file_name: str
    data: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class StoredFile:
    """A file the fake holds: sent by a user or by the bot, fetchable with getFile."""

    file_id: str
    file_unique_id: str
    file_path: str
    file_name: str
    mime_type: str
    data: bytes

    def document(self) -> dict[str, Any]:
        """The Document JSON Telegram puts in a message carrying this file."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_size": len(self.data),
        }


MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
"""getFile refuses bigger files: bots may download files of up to 20 MB."""
MAX_CAPTION_LENGTH = 1024


@dataclass(frozen=True)
class InlineResult:
    """One article result of an inline answer: what the reader sees, and the message it sends."""

    id: str
    title: str
    description: str
    text: str
    """The message it sends, as the bot wrote it (HTML source when `parse_mode` is HTML)."""
    parse_mode: str | None
    reply_markup: dict[str, Any] | None

    @property
    def visible_text(self) -> str:
        """The message it sends, with Telegram-HTML tags removed and entities decoded."""
        if (self.parse_mode or "").lower() == "html":
            return parse_html_entities(self.text)
        return self.text


@dataclass(frozen=True)
class InlineAnswer:
    """An accepted answerInlineQuery."""

    inline_query_id: str
    results: list[InlineResult]
    next_offset: str
    cache_time: int | None
    is_personal: bool


MAX_INLINE_RESULTS = 50
MAX_INLINE_OFFSET_BYTES = 64
MAX_RESULT_ID_BYTES = 64


@dataclass(frozen=True)
class RecordedRequest:
    """One call to the fake, answered or not (a scripted timeout is recorded as 504)."""

    method: str
    params: dict[str, Any]
    status: int


@dataclass(frozen=True)
class FloodLimits:
    """Telegram's broadcast limits, applied to accepted sendMessage/editMessageText calls.

    A message sent with ``allow_paid_broadcast`` counts against `paid_per_second` instead of
    `overall_per_second`; the per-chat limits apply to it as to any other.
    """

    overall_per_second: int = 30
    group_per_minute: int = 20
    per_chat_per_second: int | None = None
    paid_per_second: int = 1000


class FakeTimeout(Exception):
    """Raised by `FakeBotAPI.handle` for a scripted timeout: the transport must not answer."""


@dataclass
class _Fault:
    method: str
    chat_id: int | None
    remaining: int
    status: int
    description: str
    parameters: dict[str, Any]
    timeout: bool


@dataclass
class _Stored:
    message: dict[str, Any]
    text: str
    parse_mode: str | None


class _APIError(Exception):
    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


# --------------------------------------------------------------------------- core

# Values of these parameters may arrive JSON-encoded in a string (form posts, lenient callers).
_JSON_PARAMS = frozenset(
    {"chat_id", "message_id", "message_thread_id", "user_id", "offset", "limit", "timeout"}
    | {"reply_markup", "link_preview_options", "reply_parameters", "commands", "scope"}
    | {"disable_web_page_preview", "disable_notification", "protect_content", "show_alert"}
    | {"allow_sending_without_reply", "cache_time", "allowed_updates", "drop_pending_updates"}
    | {"max_connections", "allow_paid_broadcast", "results", "is_personal", "button"}
)
_SEND_METHODS = frozenset(
    {"sendmessage", "editmessagetext", "editmessagereplymarkup", "deletemessage"}
    | {"sendchataction", "senddocument"}
)
_CHAT_METHODS = _SEND_METHODS | {"getchat", "getchatmember", "getchatadministrators"}
_BOT_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


def decode_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Copy `params`, decoding JSON held in strings for parameters that are not text."""
    decoded = dict(params)
    for key in _JSON_PARAMS & decoded.keys():
        value = decoded[key]
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                decoded[key] = json.loads(value)
    return decoded


def _number(value: Any, default: float = 0.0) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return default


class FakeBotAPI:
    """A thread-safe, in-memory Telegram Bot API; `handle` answers one call without blocking."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-TOKEN-not-real",
        bot_id: int = 123456,
        username: str = "briefbot_sim_bot",
        flood: FloodLimits | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.username = username
        self.flood = flood
        self._clock = clock
        self._monotonic = monotonic
        self._lock = threading.RLock()
        self._updates_changed = threading.Condition(self._lock)

        self.sent: list[SentMessage] = []
        self.requests: list[RecordedRequest] = []
        self.flood_rejections = 0
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.webhook_url = ""
        self.inline_answers: list[InlineAnswer] = []

        self._updates: list[dict[str, Any]] = []
        self._last_update_id = 0
        self._faults: list[_Fault] = []
        self._chats: dict[int, tuple[str, str | None]] = {}
        self._admins: dict[int, list[int]] = {}
        self._usernames: dict[str, int] = {}
        self._chat_usernames: dict[int, str] = {}
        self._bot_rights: dict[int, tuple[bool, bool]] = {}  # channel: (admin, can post)
        self._blocked: set[int] = set()
        self._forgotten: set[int] = set()
        self._migrated: dict[int, int] = {}
        self._messages: dict[tuple[int, int], _Stored] = {}
        self._last_message_id: dict[int, int] = {}
        self._flood_all: deque[float] = deque()
        self._flood_paid: deque[float] = deque()
        self._flood_chat: dict[int, deque[float]] = {}
        self._files: dict[str, StoredFile] = {}

        handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getMe": lambda _p: self._me(),
            "logOut": lambda _p: True,
            "close": lambda _p: True,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "sendDocument": self._send_document,
            "getFile": self._get_file,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
        }
        self._methods = {name.lower(): (name, handler) for name, handler in handlers.items()}

    # ----------------------------------------------------------------- entry point

    def handle(self, method: str, params: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API call with Telegram's HTTP status and JSON body.

        Raises `FakeTimeout` when a scripted timeout fault matches.
        """
        key = method.lower()
        name, handler = self._methods.get(key, (method, None))
        decoded = decode_params(params)
        with self._lock:
            chat_ref = decoded.get("chat_id")
            if isinstance(chat_ref, str) and chat_ref.lower() in self._usernames:
                decoded["chat_id"] = self._usernames[chat_ref.lower()]
            try:
                self._apply_fault(key, name, decoded)
                if handler is None:
                    raise _APIError(404, "Not Found: method not found")
                if key in _CHAT_METHODS:
                    self._check_chat(key, decoded)
                result = handler(decoded)
            except _APIError as error:
                self.requests.append(RecordedRequest(name, decoded, error.status))
                return error.status, error.body()
            self.requests.append(RecordedRequest(name, decoded, 200))
            return 200, {"ok": True, "result": result}

    # ----------------------------------------------------------------- scripting

    def register_chat(
        self,
        chat_id: int,
        type: str = "private",
        title: str | None = None,
        *,
        username: str | None = None,
    ) -> None:
        """Declare a chat's type ("private", "group", "supergroup" or "channel") and title.

        With `username` (no "@"), methods also take the chat as "@username".
        """
        with self._lock:
            self._chats[chat_id] = (type, title)
            if username:
                self._usernames[f"@{username.lower()}"] = chat_id
                self._chat_usernames[chat_id] = username

    def set_bot_rights(self, chat_id: int, *, admin: bool, can_post: bool = True) -> None:
        """In a channel: make the bot an administrator (who may post, or not), or a stranger.

        A bot that is no administrator cannot post (403) nor read the channel's members (400);
        an administrator without the right to post gets 400 "need administrator rights".
        """
        with self._lock:
            self._bot_rights[chat_id] = (admin, admin and can_post)

    def set_chat_admins(self, chat_id: int, user_ids: Iterable[int]) -> None:
        """Make the first user the chat's creator and the others its administrators."""
        with self._lock:
            self._admins[chat_id] = list(user_ids)

    def fail(
        self,
        method: str,
        *,
        chat_id: int | None = None,
        times: int = 1,
        status: int | None = None,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        timeout: bool = False,
    ) -> None:
        """Make the next `times` calls of `method` (to `chat_id`, or any chat) fail.

        Status and description default to what Telegram sends for the kind of failure:
        429 "Too Many Requests: retry after N" with `retry_after`, 400 "group chat was
        upgraded" with `migrate_to_chat_id`, else 500 "Internal Server Error". With
        `timeout=True` the call gets no answer at all (`handle` raises `FakeTimeout`).
        """
        parameters: dict[str, Any] = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
            status = status or 429
            description = description or f"Too Many Requests: retry after {retry_after}"
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
            status = status or 400
            description = description or "Bad Request: group chat was upgraded to a supergroup chat"
        fault = _Fault(
            method=method.lower(),
            chat_id=chat_id,
            remaining=times,
            status=status or 500,
            description=description or "Internal Server Error",
            parameters=parameters,
            timeout=timeout,
        )
        with self._lock:
            self._faults.append(fault)

    def block(self, chat_id: int) -> None:
        """Act as if the user blocked the bot: every send to `chat_id` fails with 403."""
        with self._lock:
            self._blocked.add(chat_id)

    def forget_chat(self, chat_id: int) -> None:
        """Act as if the chat no longer exists for the bot: every call fails "chat not found"."""
        with self._lock:
            self._forgotten.add(chat_id)

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """Upgrade group `chat_id` to supergroup `new_chat_id`; calls to the old id fail."""
        with self._lock:
            self._migrated[chat_id] = new_chat_id
            _, title = self._chats.get(chat_id, ("group", None))
            self._chats[new_chat_id] = ("supergroup", title)

    def push_update(self, update: Mapping[str, Any]) -> int:
        """Queue an update for getUpdates (assigning an update_id if missing); return its id."""
        pushed = copy.deepcopy(dict(update))
        with self._updates_changed:
            update_id = pushed.setdefault("update_id", self._last_update_id + 1)
            self._last_update_id = max(self._last_update_id, update_id)
            self._updates.append(pushed)
            self._updates_changed.notify_all()
        return int(update_id)

    def add_file(
        self, data: bytes, file_name: str, mime_type: str = "application/octet-stream"
    ) -> StoredFile:
        """Hold a file as if a user had uploaded it; put `.document()` in a message update."""
        with self._lock:
            number = len(self._files) + 1
            suffix = file_name.rpartition(".")[2] if "." in file_name else "bin"
            stored = StoredFile(
                file_id=f"BQACAgIAAxkBAAI{number:06d}",
                file_unique_id=f"AgAD{number:06d}",
                file_path=f"documents/file_{number}.{suffix}",
                file_name=file_name,
                mime_type=mime_type,
                data=bytes(data),
            )
            self._files[stored.file_id] = stored
            return stored

    def file_content(self, file_path: str) -> bytes | None:
        """The bytes served at `file_path` (as returned by getFile), None if there is none."""
        with self._lock:
            for stored in self._files.values():
                if stored.file_path == file_path:
                    return stored.data
            return None

    def has_updates(self, offset: int = 0) -> bool:
        """Whether a getUpdates call with `offset` would return at least one update."""
        with self._lock:
            return self._pending(offset)

    def wait_for_updates(self, offset: int = 0, timeout: float = 0.0) -> bool:
        """Block up to `timeout` seconds until `has_updates(offset)`; return whether it is."""
        with self._updates_changed:
            return self._updates_changed.wait_for(lambda: self._pending(offset), timeout)

    # ----------------------------------------------------------------- inspection

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        """Messages sent or edited in `chat_id`, oldest first."""
        with self._lock:
            return [message for message in self.sent if message.chat_id == chat_id]

    def texts_to(self, chat_id: int) -> list[str]:
        """The `text` (as sent, HTML included) of `messages_to(chat_id)`."""
        return [message.text for message in self.messages_to(chat_id)]

    def get_message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The current Message JSON of a bot message (after edits), None if absent/deleted."""
        with self._lock:
            stored = self._messages.get((chat_id, message_id))
            return copy.deepcopy(stored.message) if stored else None

    def commands_for(
        self, scope: Mapping[str, Any] | None = None, language_code: str | None = None
    ) -> list[dict[str, Any]]:
        """The commands set for `scope` (default scope if None) and `language_code`."""
        with self._lock:
            return copy.deepcopy(self.commands.get(_scope_key(scope, language_code), []))

    def clear(self) -> None:
        """Forget recorded messages, requests and flood rejections (not chats, faults, updates)."""
        with self._lock:
            self.sent.clear()
            self.requests.clear()
            self.flood_rejections = 0
            self.inline_answers.clear()

    # ----------------------------------------------------------------- checks

    def _apply_fault(self, key: str, name: str, params: dict[str, Any]) -> None:
        for fault in self._faults:
            if fault.method == key and fault.chat_id in (None, params.get("chat_id")):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                if fault.timeout:
                    self.requests.append(RecordedRequest(name, params, 504))
                    raise FakeTimeout(name)
                raise _APIError(fault.status, fault.description, dict(fault.parameters))

    def _check_chat(self, key: str, params: dict[str, Any]) -> None:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _APIError(400, "Bad Request: chat_id is empty")
        if not isinstance(chat_id, int) or chat_id in self._forgotten:
            raise _APIError(400, "Bad Request: chat not found")
        if chat_id in self._migrated:
            raise _APIError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat_id]},
            )
        if key in _SEND_METHODS and chat_id in self._blocked:
            raise _APIError(403, "Forbidden: bot was blocked by the user")
        if key in _SEND_METHODS and self._chat_type(chat_id) == "channel":
            admin, can_post = self._bot_rights.get(chat_id, (False, False))
            if not admin:
                raise _APIError(403, "Forbidden: bot is not a member of the channel chat")
            if not can_post:
                raise _APIError(400, "Bad Request: need administrator rights in the channel chat")

    def _checked_text(self, params: dict[str, Any]) -> tuple[str, str | None, str]:
        """Validate text and parse_mode; return text, parse_mode and the visible text."""
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _APIError(400, "Bad Request: message text is empty")
        parse_mode = params.get("parse_mode") or None
        visible = text
        if parse_mode is not None:
            mode = str(parse_mode).lower()
            if mode == "html":
                try:
                    visible = parse_html_entities(text)
                except HTMLEntityError as error:
                    raise _APIError(
                        400, f"Bad Request: can't parse entities: {error.detail}"
                    ) from None
            elif mode not in ("markdown", "markdownv2"):
                raise _APIError(400, "Bad Request: unsupported parse_mode")
        if not visible.strip():
            raise _APIError(400, "Bad Request: message text is empty")
        if utf16_length(visible) > MAX_MESSAGE_LENGTH:
            raise _APIError(400, "Bad Request: message is too long")
        return text, parse_mode, visible

    @staticmethod
    def _checked_markup(params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _APIError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise _APIError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    @staticmethod
    def _link_preview(params: dict[str, Any]) -> dict[str, Any] | None:
        options = params.get("link_preview_options")
        if isinstance(options, dict):
            return options
        if params.get("disable_web_page_preview") is True:
            return {"is_disabled": True}
        return None

    def _check_flood(self, chat_id: int, *, paid: bool = False) -> None:
        """Raise 429 if one more message now would break a limit, else count it."""
        if self.flood is None:
            return
        now = self._monotonic()
        history = self._flood_chat.setdefault(chat_id, deque())
        overall = self._flood_paid if paid else self._flood_all
        limit = self.flood.paid_per_second if paid else self.flood.overall_per_second
        for window, span in ((overall, 1), (history, 60)):
            while window and window[0] <= now - span:
                window.popleft()
        waits = [_wait(overall, limit, 1.0, now)]
        if self._chat_type(chat_id) in ("group", "supergroup", "channel"):
            waits.append(_wait(history, self.flood.group_per_minute, 60.0, now))
        if self.flood.per_chat_per_second is not None:
            waits.append(_wait(history, self.flood.per_chat_per_second, 1.0, now))
        wait = max(waits)
        if wait > 0:
            self.flood_rejections += 1
            retry_after = max(1, math.ceil(wait))
            raise _APIError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        overall.append(now)
        history.append(now)

    def _pending(self, offset: int) -> bool:
        return any(update["update_id"] >= offset for update in self._updates)

    # ----------------------------------------------------------------- JSON builders

    def _me(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "briefbot (simulated)",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _chat_type(self, chat_id: int) -> str:
        if chat_id in self._chats:
            return self._chats[chat_id][0]
        if chat_id > 0:
            return "private"
        return "supergroup" if str(chat_id).startswith("-100") else "group"

    def _chat(self, chat_id: int) -> dict[str, Any]:
        chat_type = self._chat_type(chat_id)
        title = self._chats.get(chat_id, (chat_type, None))[1]
        if chat_type == "private":
            return {"id": chat_id, "type": chat_type, "first_name": title or "Ada"}
        chat = {"id": chat_id, "type": chat_type, "title": title or f"Chat {chat_id}"}
        if chat_id in self._chat_usernames:
            chat["username"] = self._chat_usernames[chat_id]
        return chat

    def _user(self, user_id: int) -> dict[str, Any]:
        if user_id == self.bot_id:
            return self._me()
        return {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}

    def _member(self, chat_id: int, user_id: int) -> dict[str, Any]:
        if self._chat_type(chat_id) == "channel":
            return self._channel_member(chat_id, user_id)
        admins = self._admins.get(chat_id, [])
        user = self._user(user_id)
        if admins and admins[0] == user_id:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if user_id not in admins:
            return {"status": "member", "user": user}
        rights = (
            "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
            "can_restrict_members", "can_change_info", "can_invite_users", "can_post_stories",
            "can_edit_stories", "can_delete_stories", "can_pin_messages",
        )  # fmt: skip
        return {
            "status": "administrator",
            "user": user,
            "can_be_edited": False,
            "is_anonymous": False,
            "can_promote_members": False,
        } | dict.fromkeys(rights, True)

    def _channel_member(self, chat_id: int, user_id: int) -> dict[str, Any]:
        admin, can_post = self._bot_rights.get(chat_id, (False, False))
        user = self._user(user_id)
        if user_id == self.bot_id:
            if not admin:
                return {"status": "left", "user": user}
            return self._channel_admin(user, can_post)
        if not admin:
            raise _APIError(400, "Bad Request: member list is inaccessible")
        admins = self._admins.get(chat_id, [])
        if admins and admins[0] == user_id:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if user_id in admins:
            return self._channel_admin(user, True)
        return {"status": "member", "user": user}

    @staticmethod
    def _channel_admin(user: dict[str, Any], can_post: bool) -> dict[str, Any]:
        rights = (
            "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
            "can_restrict_members", "can_change_info", "can_invite_users", "can_post_stories",
            "can_edit_stories", "can_delete_stories",
        )  # fmt: skip
        return {
            "status": "administrator",
            "user": user,
            "can_be_edited": False,
            "is_anonymous": False,
            "can_promote_members": False,
            "can_post_messages": can_post,
            "can_edit_messages": can_post,
        } | dict.fromkeys(rights, True)

    def chat_json(self, chat_id: int) -> dict[str, Any]:
        """A Chat as updates carry it."""
        with self._lock:
            return self._chat(chat_id)

    def channel_member_json(self, chat_id: int, user_id: int) -> dict[str, Any]:
        """A ChatMember as a `my_chat_member` update would carry it, for the bot or a user."""
        with self._lock:
            return self._channel_member(chat_id, user_id)

    # ----------------------------------------------------------------- methods

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = str(params.get("url") or "")
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    def _get_webhook_info(self, _params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _APIError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not _BOT_COMMAND.fullmatch(
                str(command.get("command", ""))
            ):
                raise _APIError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _APIError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = _scope_key(params.get("scope"), params.get("language_code"))
        self.commands[key] = copy.deepcopy(commands)
        return True

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(_scope_key(params.get("scope"), params.get("language_code")), None)
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        key = _scope_key(params.get("scope"), params.get("language_code"))
        return copy.deepcopy(self.commands.get(key, []))

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise _APIError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        # Like Telegram: an offset confirms (drops) earlier updates; the rest stay queued.
        offset = int(_number(params.get("offset")))
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        limit = int(_number(params.get("limit"), 100)) or 100
        return copy.deepcopy(self._updates[: max(1, min(limit, 100))])

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id: int = params["chat_id"]
        text, parse_mode, visible = self._checked_text(params)
        markup = self._checked_markup(params)
        self._check_flood(chat_id, paid=params.get("allow_paid_broadcast") is True)
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        date = int(self._clock())
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": date,
            "chat": self._chat(chat_id),
            "from": self._me(),
            "text": visible,
        }
        if self._chat_type(chat_id) == "channel":  # a channel post is signed by the channel
            del message["from"]
            message["sender_chat"] = self._chat(chat_id)
        if markup is not None:
            message["reply_markup"] = copy.deepcopy(markup)
        self._messages[(chat_id, message_id)] = _Stored(message, text, parse_mode)
        self._record("sendMessage", chat_id, message_id, text, parse_mode, params, date)
        return copy.deepcopy(message)

    def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id: int = params["chat_id"]
        document = params.get("document")
        if isinstance(document, Upload):
            name = str(params.get("file_name") or document.file_name or "document")
            stored = self.add_file(document.data, name, document.mime_type)
        elif isinstance(document, str) and document in self._files:
            stored = self._files[document]
        else:
            raise _APIError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        caption, parse_mode, visible = "", None, ""
        if params.get("caption"):
            caption, parse_mode, visible = self._checked_text({**params, "text": params["caption"]})
            if utf16_length(visible) > MAX_CAPTION_LENGTH:
                raise _APIError(400, "Bad Request: message caption is too long")
        markup = self._checked_markup(params)
        self._check_flood(chat_id, paid=params.get("allow_paid_broadcast") is True)
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        date = int(self._clock())
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": date,
            "chat": self._chat(chat_id),
            "from": self._me(),
            "document": stored.document(),
        }
        if visible:
            message["caption"] = visible
        if markup is not None:
            message["reply_markup"] = copy.deepcopy(markup)
        self._messages[(chat_id, message_id)] = _Stored(message, caption, parse_mode)
        self.sent.append(
            SentMessage(
                method="sendDocument",
                chat_id=chat_id,
                message_id=message_id,
                text=caption,
                parse_mode=parse_mode,
                reply_markup=copy.deepcopy(markup) if markup is not None else None,
                link_preview_options=None,
                date=date,
                document_name=stored.file_name,
                document=stored.data,
            )
        )
        return copy.deepcopy(message)

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise _APIError(400, "Bad Request: invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_BYTES:
            raise _APIError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    def _stored(self, params: dict[str, Any], missing: str) -> _Stored:
        message_id: Any = params.get("message_id")
        stored = self._messages.get((params["chat_id"], message_id))
        if stored is None:
            raise _APIError(400, missing)
        return stored

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._stored(params, "Bad Request: message to edit not found")
        text, parse_mode, visible = self._checked_text(params)
        # Telegram drops the keyboard of a message edited without reply_markup.
        markup = self._checked_markup(params)
        old_mode = (stored.parse_mode or "").lower()
        if (text, (parse_mode or "").lower(), markup) == (
            stored.text,
            old_mode,
            stored.message.get("reply_markup"),
        ):
            raise _APIError(400, _NOT_MODIFIED)
        chat_id: int = params["chat_id"]
        self._check_flood(chat_id)
        date = int(self._clock())
        stored.text, stored.parse_mode = text, parse_mode
        stored.message.update(text=visible, edit_date=date)
        stored.message.pop("reply_markup", None)
        if markup is not None:
            stored.message["reply_markup"] = copy.deepcopy(markup)
        message_id = stored.message["message_id"]
        self._record("editMessageText", chat_id, message_id, text, parse_mode, params, date)
        return copy.deepcopy(stored.message)

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._stored(params, "Bad Request: message to edit not found")
        markup = self._checked_markup(params)
        if markup == stored.message.get("reply_markup"):
            raise _APIError(400, _NOT_MODIFIED)
        stored.message.pop("reply_markup", None)
        if markup is not None:
            stored.message["reply_markup"] = copy.deepcopy(markup)
        stored.message["edit_date"] = int(self._clock())
        return copy.deepcopy(stored.message)

    def _delete_message(self, params: dict[str, Any]) -> bool:
        self._stored(params, "Bad Request: message to delete not found")
        del self._messages[(params["chat_id"], params["message_id"])]
        return True

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        if not params.get("callback_query_id"):
            raise _APIError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        return True

    def _answer_inline_query(self, params: dict[str, Any]) -> bool:
        if not params.get("inline_query_id"):
            raise _APIError(400, "Bad Request: QUERY_ID_INVALID")
        results = params.get("results")
        if not isinstance(results, list):
            raise _APIError(400, "Bad Request: can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise _APIError(400, "Bad Request: RESULTS_TOO_MUCH")
        next_offset = params.get("next_offset") or ""
        if len(str(next_offset).encode()) > MAX_INLINE_OFFSET_BYTES:
            raise _APIError(400, "Bad Request: NEXT_OFFSET_INVALID")
        checked: list[InlineResult] = []
        for result in results:
            checked.append(self._checked_result(result, {r.id for r in checked}))
        cache_time = params.get("cache_time")
        self.inline_answers.append(
            InlineAnswer(
                str(params["inline_query_id"]),
                checked,
                str(next_offset),
                int(cache_time) if isinstance(cache_time, int | float) else None,
                params.get("is_personal") is True,
            )
        )
        return True

    def _checked_result(self, result: Any, taken: set[str]) -> InlineResult:
        """A result checked as Telegram checks it; a text message in it as sendMessage would be.

        Articles must have a title and a message; other types (photos, …) are only recorded.
        """
        if not isinstance(result, dict) or not isinstance(result.get("type"), str):
            raise _APIError(400, "Bad Request: RESULT_TYPE_INVALID")
        result_id = str(result.get("id") or "")
        if not 1 <= len(result_id.encode()) <= MAX_RESULT_ID_BYTES:
            raise _APIError(400, "Bad Request: RESULT_ID_INVALID")
        if result_id in taken:
            raise _APIError(400, "Bad Request: RESULT_ID_DUPLICATE")
        title = result.get("title")
        content = result.get("input_message_content")
        if result["type"] == "article":
            if not isinstance(title, str) or not title.strip():
                raise _APIError(400, "Bad Request: RESULT_TITLE_EMPTY")
            if not isinstance(content, dict):
                raise _APIError(400, "Bad Request: MESSAGE_EMPTY")
        text, parse_mode = "", None
        if isinstance(content, dict) and "message_text" in content:
            text, parse_mode, _ = self._checked_text(
                {"text": content["message_text"], "parse_mode": content.get("parse_mode")}
            )
        markup = self._checked_markup({"reply_markup": result.get("reply_markup")})
        return InlineResult(
            result_id,
            str(title or ""),
            str(result.get("description") or ""),
            text,
            parse_mode,
            copy.deepcopy(markup),
        )

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        if not params.get("action"):
            raise _APIError(400, "Bad Request: wrong parameter action in request")
        return True

    def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        gift_types = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription")
        no_gifts = dict.fromkeys((*gift_types, "gifts_from_channels"), False)
        return self._chat(params["chat_id"]) | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": no_gifts,
        }

    def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise _APIError(400, "Bad Request: invalid user_id specified")
        return self._member(params["chat_id"], user_id)

    def _get_chat_administrators(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat_id = params["chat_id"]
        return [self._member(chat_id, user_id) for user_id in self._admins.get(chat_id, [])]

    def _record(
        self,
        method: str,
        chat_id: int,
        message_id: int,
        text: str,
        parse_mode: str | None,
        params: dict[str, Any],
        date: int,
    ) -> None:
        markup = params.get("reply_markup")
        self.sent.append(
            SentMessage(
                method=method,
                chat_id=chat_id,
                message_id=message_id,
                text=text,
                parse_mode=parse_mode,
                reply_markup=copy.deepcopy(markup) if isinstance(markup, dict) else None,
                link_preview_options=self._link_preview(params),
                date=date,
            )
        )


def _wait(window: deque[float], limit: int, span: float, now: float) -> float:
    """Seconds until `window` (timestamps, oldest first) has room for one more in `span`."""
    if len(window) < limit:  # the common case, without copying a window of up to 1000
        return 0.0
    recent = [stamp for stamp in window if stamp > now - span]
    if len(recent) < limit:
        return 0.0
    return recent[len(recent) - limit] + span - now


def _scope_key(scope: Any, language_code: Any = None) -> str:
    """Key of `FakeBotAPI.commands`: the scope's JSON, plus " <language>" if one is given."""
    key = json.dumps(scope or {"type": "default"}, sort_keys=True, separators=(",", ":"))
    return f"{key} {language_code}" if language_code else key


# --------------------------------------------------------------------------- transports


class FakeRequest(BaseRequest):
    """A python-telegram-bot request backend that calls a `FakeBotAPI` in-process."""

    def __init__(self, api: FakeBotAPI, *, latency: float = 0.0) -> None:
        self.api = api
        self.latency = latency

    @property
    def read_timeout(self) -> float | None:
        """No default read timeout: the fake answers at once."""
        return None

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Answer the call named by the last segment of `url` from the fake API.

        A GET under ``/file/bot<token>/`` is a file download (`File.download_as_bytearray`).
        """
        download = _FILE_ROUTE.search(urlsplit(url).path)
        if download is not None:
            return _download(self.api, unquote(download["token"]), unquote(download["path"]))
        api_method = url.rstrip("/").rsplit("/", 1)[-1]
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        if request_data is not None:
            params.update(_uploads(request_data.multipart_data))
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        if api_method.lower() == "getupdates":
            decoded = decode_params(params)
            if not self.api.has_updates(int(_number(decoded.get("offset")))):
                # One short nap instead of a long poll keeps polling loops from spinning.
                await asyncio.sleep(min(_number(decoded.get("timeout")), 0.05))
        try:
            status, body = self.api.handle(api_method, params)
        except FakeTimeout as error:
            raise TimedOut(f"Simulated timeout of {api_method}") from error
        return status, json.dumps(body).encode()


_ROUTE = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[^/]+)")
_FILE_ROUTE = re.compile(r"/file/bot(?P<token>[^/]+)/(?P<path>.+)$")


def _uploads(files: Mapping[str, tuple[str, Any, str]]) -> dict[str, Upload]:
    """PTB's multipart parts (name → (file name, bytes or file handle, MIME type)) as uploads."""
    uploads = {}
    for name, (file_name, content, mime_type) in files.items():
        data = content if isinstance(content, bytes) else content.read()
        uploads[name] = Upload(file_name, bytes(data), mime_type)
    return uploads


def _download(api: FakeBotAPI, token: str, file_path: str) -> tuple[int, bytes]:
    """Status and body of a file download, as Telegram's file server answers it."""
    if token != api.token:
        return 401, json.dumps(_APIError(401, "Unauthorized").body()).encode()
    data = api.file_content(file_path)
    if data is None:
        return 404, json.dumps(_APIError(404, "Not Found").body()).encode()
    return 200, data


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """The fields of a multipart/form-data body: text as str, files as `Upload`."""
    header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
    if not message.is_multipart():
        raise ValueError("not a multipart body")
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        file_name = part.get_filename()
        if file_name is None:
            fields[name] = data.decode()
        else:
            fields[name] = Upload(file_name, data, part.get_content_type())
    return fields


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; with Nagle on, the second waits ~40 ms for the
    # client's delayed ACK, which would swamp every latency measured against this fake.
    disable_nagle_algorithm = True
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Stay silent: the request line contains the bot token."""

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        owner = self.server.owner
        api = owner.api
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        download = _FILE_ROUTE.fullmatch(url.path)
        if download is not None:
            status, data = _download(api, unquote(download["token"]), unquote(download["path"]))
            self._send_bytes(status, data, "application/octet-stream" if status == 200 else None)
            return
        route = _ROUTE.fullmatch(unquote(url.path))
        if route is None:
            self._send(404, _APIError(404, "Not Found").body())
            return
        if route["token"] != api.token:
            self._send(401, _APIError(401, "Unauthorized").body())
            return
        method = route["method"]
        params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(url.query).items()}
        content_type = self.headers.get_content_type()
        try:
            if body and content_type == "application/json":
                params.update(json.loads(body))
            elif body and content_type == "multipart/form-data":
                params.update(_multipart(self.headers["Content-Type"], body))
            elif body:
                form = parse_qs(body.decode(), keep_blank_values=True, strict_parsing=True)
                params.update({k: v[-1] for k, v in form.items()})
        except (ValueError, TypeError):
            self._send(400, _APIError(400, f"Bad Request: can't parse {content_type}").body())
            return
        if method.lower() == "getupdates":
            decoded = decode_params(params)
            owner.long_poll(int(_number(decoded.get("offset"))), _number(decoded.get("timeout")))
        try:
            status, answer = api.handle(method, params)
        except FakeTimeout:
            owner.hold(owner.timeout_sleep)
            status, answer = 504, _APIError(504, "Gateway Timeout").body()
        self._send(status, answer)

    def _send(self, status: int, body: dict[str, Any]) -> None:
        self._send_bytes(status, json.dumps(body).encode())

    def _send_bytes(self, status: int, data: bytes, content_type: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type or "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], owner: FakeBotAPIServer) -> None:
        super().__init__(address, _Handler)
        self.owner = owner

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hang up on long polls when they shut down; that is not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            _LOGGER.exception("The fake Bot API server failed to answer a request")


class FakeBotAPIServer:
    """Serves a `FakeBotAPI` over HTTP on 127.0.0.1 from a daemon thread.

    Point a bot at it with `Bot(token, base_url=server.base_url)`.
    """

    def __init__(self, api: FakeBotAPI, host: str = "127.0.0.1", port: int = 0) -> None:
        self.api = api
        self.host = host
        self.port = port
        self.timeout_sleep = 2.0
        """Seconds a scripted timeout holds the request before answering 504."""
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def base_url(self) -> str:
        """The base URL to give PTB (it appends "{token}/{method}")."""
        if self._server is None:
            raise RuntimeError("The fake Bot API server is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def start(self) -> Self:
        """Start listening and serving; return once the socket is bound."""
        self._stopping.clear()
        self._server = _HTTPServer((self.host, self.port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-bot-api",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; pending long polls end within a moment."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def hold(self, seconds: float) -> None:
        """Keep a request thread waiting `seconds`, as a slow server would, or until `stop`."""
        self._stopping.wait(seconds)

    def long_poll(self, offset: int, timeout: float) -> None:
        """Wait up to `timeout` seconds for updates from `offset` on, or for `stop`."""
        deadline = time.monotonic() + timeout
        while not self._stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.api.wait_for_updates(offset, min(remaining, 0.25)):
                return

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
