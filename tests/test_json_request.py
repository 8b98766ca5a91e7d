"""Bot API calls posted as JSON reach the Bot API exactly as python-telegram-bot's forms do."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InputFile, LinkPreviewOptions
from telegram import InlineKeyboardMarkup as Markup
from telegram.error import BadRequest, NetworkError

from bot.json_request import JSONRequest
from bot.simulation.fake_api import FakeBotAPI, FakeBotAPIServer

CHAT = 1001


async def test_text_buttons_and_options_arrive_intact() -> None:
    api = FakeBotAPI()
    with FakeBotAPIServer(api) as server:
        async with Bot(api.token, base_url=server.base_url, request=JSONRequest()) as bot:
            await bot.send_message(
                CHAT,
                "<b>Café</b> — «quotes» &amp; 😀 " + "x" * 4000,
                parse_mode="HTML",
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                reply_markup=Markup.from_button(InlineKeyboardButton("Go ▶", callback_data="p:2")),
            )
    sent = api.sent[-1]
    assert sent.text == "<b>Café</b> — «quotes» &amp; 😀 " + "x" * 4000
    assert sent.visible_text.startswith("Café — «quotes» & 😀 x")
    assert sent.parse_mode == "HTML"
    assert sent.link_preview_options == {"is_disabled": True}
    assert sent.reply_markup == {"inline_keyboard": [[{"text": "Go ▶", "callback_data": "p:2"}]]}


async def test_errors_and_uploads_behave_as_with_forms() -> None:
    api = FakeBotAPI()
    with FakeBotAPIServer(api) as server:
        file_url = server.base_url.removesuffix("/bot") + "/file/bot"
        request = JSONRequest()
        async with Bot(
            api.token, base_url=server.base_url, base_file_url=file_url, request=request
        ) as bot:
            with pytest.raises(BadRequest, match="Can't parse entities"):
                await bot.send_message(CHAT, "<b>unclosed", parse_mode="HTML")
            await bot.send_document(CHAT, InputFile("é\n".encode(), filename="é.txt"))
    assert (api.sent[-1].document_name, api.sent[-1].document) == ("é.txt", "é\n".encode())


async def test_an_unreachable_api_is_a_network_error() -> None:
    bot = Bot("1:x", base_url="http://127.0.0.1:9/bot", request=JSONRequest())
    with pytest.raises(NetworkError, match="ConnectError"):
        async with bot:  # its first call, getMe, cannot connect
            pass
