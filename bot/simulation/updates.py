"""Builders of Telegram Update JSON (plain dicts) as a user's client would cause them.

Turn one into an object with `telegram.Update.de_json(update, bot)`, or queue it on a
`FakeBotAPI` with `push_update`.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

from bot.simulation.fake_api import utf16_length


class UpdateFactory:
    """Makes updates with increasing update_id and per-chat increasing message_id."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        bot_id: int = 123456,
        bot_username: str = "briefbot_sim_bot",
    ) -> None:
        self._clock = clock
        self._bot = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "briefbot (simulated)",
            "username": bot_username,
        }
        # The Telegram language of every simulated user (None: their app sends none).
        self.language_code: str | None = "en"
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._message_ids: dict[int, int] = {}

    def message(
        self,
        text: str,
        *,
        chat_id: int = 1001,
        user_id: int | None = None,
        chat_type: str = "private",
        chat_title: str | None = None,
        first_name: str = "Ada",
        username: str = "ada",
    ) -> dict[str, Any]:
        """A text message from a user; a leading "/command" gets its bot_command entity.

        `user_id` defaults to `chat_id` in private chats and to 5001 elsewhere.
        """
        user = self._user(chat_id, user_id, chat_type, first_name, username)
        message = self._message(chat_id, chat_type, chat_title, user, text)
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_length(command)}
            ]
        return {"update_id": next(self._update_ids), "message": message}

    def document(
        self,
        document: dict[str, Any],
        *,
        chat_id: int = 1001,
        user_id: int | None = None,
        chat_type: str = "private",
        caption: str | None = None,
        first_name: str = "Ada",
        username: str = "ada",
    ) -> dict[str, Any]:
        """A message carrying a file; `document` is its Document JSON (`StoredFile.document()`)."""
        user = self._user(chat_id, user_id, chat_type, first_name, username)
        message = self._message(chat_id, chat_type, None, user, None)
        message["document"] = dict(document)
        if caption:
            message["caption"] = caption
        return {"update_id": next(self._update_ids), "message": message}

    def forwarded(
        self,
        text: str,
        *,
        chat_id: int = 1001,
        user_id: int | None = None,
        sender_name: str = "Newsroom",
        sent_at: float | None = None,
        first_name: str = "Ada",
        username: str = "ada",
    ) -> dict[str, Any]:
        """A text message a user forwarded into a private chat (its origin hides the sender)."""
        user = self._user(chat_id, user_id, "private", first_name, username)
        message = self._message(chat_id, "private", None, user, text)
        message["forward_origin"] = {
            "type": "hidden_user",
            "date": int(self._clock() if sent_at is None else sent_at),
            "sender_user_name": sender_name,
        }
        return {"update_id": next(self._update_ids), "message": message}

    def callback(
        self,
        data: str,
        *,
        chat_id: int = 1001,
        message_id: int,
        user_id: int | None = None,
        chat_type: str = "private",
        message_text: str = "…",
        first_name: str = "Ada",
        username: str = "ada",
    ) -> dict[str, Any]:
        """A press of an inline button with `data` on the bot's message `message_id`."""
        user = self._user(chat_id, user_id, chat_type, first_name, username)
        message = {
            "message_id": message_id,
            "date": int(self._clock()),
            "chat": self._chat(chat_id, chat_type, None, user),
            "from": dict(self._bot),
            "text": message_text,
        }
        query = {
            "id": str(next(self._callback_ids)),
            "from": user,
            "chat_instance": str(chat_id),
            "data": data,
            "message": message,
        }
        return {"update_id": next(self._update_ids), "callback_query": query}

    def inline_query(
        self,
        query: str,
        *,
        offset: str = "",
        user_id: int = 1001,
        chat_type: str | None = "sender",
        first_name: str = "Ada",
        username: str = "ada",
    ) -> dict[str, Any]:
        """A user typing `@<bot> query` in a chat of `chat_type`.

        `chat_type` is what Telegram reports: "sender" (the private chat with the bot),
        "private", "group", "supergroup" or "channel"; None when it cannot tell.
        """
        inline_query: dict[str, Any] = {
            "id": str(next(self._callback_ids)),
            "from": self._user(user_id, user_id, "private", first_name, username),
            "query": query,
            "offset": offset,
        }
        if chat_type is not None:
            inline_query["chat_type"] = chat_type
        return {"update_id": next(self._update_ids), "inline_query": inline_query}

    def my_chat_member(
        self,
        chat: dict[str, Any],
        old_member: dict[str, Any],
        new_member: dict[str, Any],
        *,
        user_id: int = 1001,
        first_name: str = "Ada",
        username: str = "ada",
    ) -> dict[str, Any]:
        """The bot's own membership in `chat` (Chat JSON) changed; `user_id` changed it.

        The members are ChatMember JSON, e.g. from `FakeBotAPI.channel_member_json`.
        """
        change = {
            "chat": dict(chat),
            "from": self._user(user_id, user_id, "private", first_name, username),
            "date": int(self._clock()),
            "old_chat_member": dict(old_member),
            "new_chat_member": dict(new_member),
        }
        return {"update_id": next(self._update_ids), "my_chat_member": change}

    def _user(
        self, chat_id: int, user_id: int | None, chat_type: str, first_name: str, username: str
    ) -> dict[str, Any]:
        if user_id is None:
            user_id = chat_id if chat_type == "private" else 5001
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "username": username,
        }
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    @staticmethod
    def _chat(
        chat_id: int, chat_type: str, title: str | None, user: dict[str, Any]
    ) -> dict[str, Any]:
        if chat_type == "private":
            return {
                "id": chat_id,
                "type": "private",
                "first_name": user["first_name"],
                "username": user["username"],
            }
        return {"id": chat_id, "type": chat_type, "title": title or f"Chat {chat_id}"}

    def _message(
        self,
        chat_id: int,
        chat_type: str,
        title: str | None,
        user: dict[str, Any],
        text: str | None,
    ) -> dict[str, Any]:
        message_id = self._message_ids.get(chat_id, 0) + 1
        self._message_ids[chat_id] = message_id
        message = {
            "message_id": message_id,
            "date": int(self._clock()),
            "chat": self._chat(chat_id, chat_type, title, user),
            "from": user,
        }
        if text is not None:
            message["text"] = text
        return message
