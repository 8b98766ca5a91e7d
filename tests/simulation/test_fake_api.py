"""The fake Bot API behaves like Telegram for a real python-telegram-bot `Bot`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineQueryResultArticle,
    InputFile,
    InputTextMessageContent,
    Update,
)
from telegram import InlineKeyboardMarkup as Markup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import CommandHandler

from bot.simulation.fake_api import (
    FakeBotAPI,
    FakeBotAPIServer,
    FakeRequest,
    FloodLimits,
    HTMLEntityError,
    parse_html_entities,
    utf16_length,
)
from bot.simulation.updates import UpdateFactory

CHAT = 1001
# PTB strips "Bad Request: " from descriptions and capitalizes the rest (lower-casing it).
# Reading RetryAfter.retry_after as seconds is deprecated in PTB 22.2 but is what briefbot sees.
retry_after_as_int = pytest.mark.filterwarnings(
    "ignore:.*`retry_after`:telegram.warnings.PTBDeprecationWarning"
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def api() -> FakeBotAPI:
    return FakeBotAPI()


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(api.token, request=FakeRequest(api), get_updates_request=FakeRequest(api)) as b:
        yield b


async def test_get_me_describes_the_simulated_bot(bot: Bot, api: FakeBotAPI) -> None:
    assert bot.username == api.username
    assert bot.id == api.bot_id
    assert bot.bot.is_bot


async def test_valid_html_is_accepted_and_recorded(bot: Bot, api: FakeBotAPI) -> None:
    html = (
        '<b>Bold</b> <i>it</i> <a href="https://example.com/?a=1&amp;b=2">link</a> '
        '<span class="tg-spoiler">s</span> <pre><code class="language-python">x &lt; 1</code>'
        "</pre> <blockquote expandable>q</blockquote> &#128512; &#x41;"
    )
    keyboard = Markup([[InlineKeyboardButton("More", callback_data="more:1")]])

    message = await bot.send_message(CHAT, html, parse_mode="HTML", reply_markup=keyboard)

    assert message.text == "Bold it link s x < 1 q 😀 A"
    assert message.message_id == 1
    assert message.chat.type == "private"
    sent = api.messages_to(CHAT)
    assert [(m.method, m.text, m.parse_mode) for m in sent] == [("sendMessage", html, "HTML")]
    assert sent[0].reply_markup == keyboard.to_dict()
    assert sent[0].visible_text == message.text
    assert api.texts_to(CHAT) == [html]


@pytest.mark.parametrize(
    ("html", "detail"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("a <br> b", 'Unsupported start tag "br" at byte offset 2'),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("AT&T", 'Character "&" at byte offset 2'),
        ("&nbsp;", 'Character "&" at byte offset 0'),
        ("<blockquote>a<blockquote>b</blockquote></blockquote>", "Nested blockquote"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("é <u>x", 'Can\'t find end tag corresponding to start tag "u"'),
    ],
)
async def test_bad_html_is_rejected(bot: Bot, api: FakeBotAPI, html: str, detail: str) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(CHAT, html, parse_mode="HTML")

    assert caught.value.message.startswith("Can't parse entities: ")
    assert detail.lower() in caught.value.message
    assert api.sent == []
    assert api.requests[-1].status == 400


def test_byte_offsets_are_in_utf8_bytes() -> None:
    with pytest.raises(HTMLEntityError, match="at byte offset 3"):
        parse_html_entities("é <x>")


async def test_length_is_counted_on_visible_utf16_text(bot: Bot) -> None:
    await bot.send_message(CHAT, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(CHAT, "&amp;" * 4096, parse_mode="HTML")
    await bot.send_message(CHAT, "😀" * 2048)
    assert utf16_length("😀") == 2

    for text in ("x" * 4097, "😀" * 2048 + "x"):
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(CHAT, text)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(CHAT, "<b>" + "x" * 4097 + "</b>", parse_mode="HTML")


async def test_empty_text_is_rejected(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(CHAT, "<b> </b>", parse_mode="HTML")


async def test_edit_replaces_text_and_refuses_no_op_edits(bot: Bot, api: FakeBotAPI) -> None:
    sent = await bot.send_message(CHAT, "one")

    edited = await bot.edit_message_text("<i>two</i>", CHAT, sent.message_id, parse_mode="HTML")
    assert isinstance(edited, type(sent))
    assert edited.text == "two"
    assert api.texts_to(CHAT) == ["one", "<i>two</i>"]
    assert api.sent[-1].method == "editMessageText"
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("<i>two</i>", CHAT, sent.message_id, parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("three", CHAT, 99)


async def test_scripted_server_error_is_a_network_error(bot: Bot, api: FakeBotAPI) -> None:
    api.fail("sendMessage", chat_id=CHAT)

    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(CHAT, "hi")
    await bot.send_message(CHAT, "hi")  # the fault is used up
    assert [r.status for r in api.requests if r.method == "sendMessage"] == [500, 200]


@retry_after_as_int
async def test_scripted_faults_map_to_ptb_errors(bot: Bot, api: FakeBotAPI) -> None:
    api.fail("sendmessage", retry_after=7)
    with pytest.raises(RetryAfter) as retry:
        await bot.send_message(CHAT, "hi")
    assert retry.value.retry_after == 7

    api.fail("sendMessage", timeout=True)
    with pytest.raises(TimedOut):
        await bot.send_message(CHAT, "hi")

    api.fail("sendMessage", chat_id=-5, migrate_to_chat_id=-1005)
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(-5, "hi")
    assert migrated.value.new_chat_id == -1005
    assert api.sent == []


async def test_blocked_forgotten_and_migrated_chats(bot: Bot, api: FakeBotAPI) -> None:
    api.block(7)
    api.forget_chat(8)
    api.migrate(-9, -1009)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(7, "hi")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(8, "hi")
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(-9, "hi")
    assert migrated.value.new_chat_id == -1009
    assert (await bot.send_message(-1009, "hi")).chat.type == "supergroup"


@retry_after_as_int
async def test_flood_limit_rejects_then_recovers() -> None:
    clock = FakeClock()
    api = FakeBotAPI(flood=FloodLimits(overall_per_second=5), monotonic=clock)
    async with Bot(api.token, request=FakeRequest(api)) as bot:
        for n in range(5):
            await bot.send_message(CHAT + n, "hi")
        with pytest.raises(RetryAfter) as retry:
            await bot.send_message(CHAT, "hi")
        assert retry.value.retry_after == 1
        assert api.flood_rejections == 1

        clock.now += 1.0
        await bot.send_message(CHAT, "hi")
    assert len(api.sent) == 6


@retry_after_as_int
async def test_paid_broadcasts_have_a_limit_of_their_own() -> None:
    clock = FakeClock()
    api = FakeBotAPI(flood=FloodLimits(overall_per_second=2, paid_per_second=4), monotonic=clock)
    async with Bot(api.token, request=FakeRequest(api)) as bot:
        for n in range(4):
            await bot.send_message(CHAT + n, "paid", allow_paid_broadcast=True)
        with pytest.raises(RetryAfter):
            await bot.send_message(CHAT + 9, "paid", allow_paid_broadcast=True)
        for n in range(2):  # the free budget is untouched by paid messages
            await bot.send_message(CHAT + 10 + n, "free")
        with pytest.raises(RetryAfter):
            await bot.send_message(CHAT + 20, "free")
        clock.now += 1.0
        await bot.send_message(CHAT + 9, "paid", allow_paid_broadcast=True)
    assert api.flood_rejections == 2
    assert len(api.sent) == 7


@retry_after_as_int
async def test_group_flood_limit_is_per_minute() -> None:
    clock = FakeClock()
    api = FakeBotAPI(flood=FloodLimits(group_per_minute=2), monotonic=clock)
    api.register_chat(-42, "group", "Team")
    async with Bot(api.token, request=FakeRequest(api)) as bot:
        await bot.send_message(-42, "a")
        clock.now += 10
        await bot.send_message(-42, "b")
        with pytest.raises(RetryAfter) as retry:
            await bot.send_message(-42, "c")
        assert retry.value.retry_after == 50
        await bot.send_message(CHAT, "private chats are not limited per minute")


async def test_chat_members(bot: Bot, api: FakeBotAPI) -> None:
    api.register_chat(-42, "supergroup", "Team")
    api.set_chat_admins(-42, [1, 2])

    assert (await bot.get_chat_member(-42, 1)).status == "creator"
    assert (await bot.get_chat_member(-42, 2)).status == "administrator"
    member = await bot.get_chat_member(-42, 3)
    assert (member.status, member.user.id) == ("member", 3)
    assert [m.user.id for m in await bot.get_chat_administrators(-42)] == [1, 2]
    chat = await bot.get_chat(-42)
    assert (chat.type, chat.title) == ("supergroup", "Team")


async def test_commands_are_stored_per_scope(bot: Bot, api: FakeBotAPI) -> None:
    await bot.set_my_commands([BotCommand("quotes", "Search quotes")])
    await bot.set_my_commands(
        [BotCommand("admin", "Admin tools")], scope=BotCommandScopeChat(chat_id=-42)
    )

    assert [c.command for c in await bot.get_my_commands()] == ["quotes"]
    scoped = await bot.get_my_commands(scope=BotCommandScopeChat(chat_id=-42))
    assert [c.command for c in scoped] == ["admin"]
    assert api.commands_for({"type": "chat", "chat_id": -42}) == [
        {"command": "admin", "description": "Admin tools"}
    ]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Quotes", "Upper case is refused")])


async def test_unknown_method_is_404(api: FakeBotAPI) -> None:
    assert api.handle("sendTelepathy", {}) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )
    status, body = api.handle("SENDMESSAGE", {"chat_id": "5", "text": "123"})
    assert status == 200
    assert body["result"]["text"] == "123"


async def test_get_updates_confirms_with_offset(bot: Bot, api: FakeBotAPI) -> None:
    factory = UpdateFactory()
    first = api.push_update(factory.message("hello"))
    api.push_update(factory.message("again"))

    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == ["hello", "again"]
    assert [u.update_id for u in await bot.get_updates(offset=first + 1)] == [first + 1]
    assert await bot.get_updates(offset=first + 2) == ()


async def reply_nothing(_update: Update, _context: Any) -> None:
    pass


async def test_update_factory_builds_commands_ptb_recognises(bot: Bot) -> None:
    factory = UpdateFactory()
    data = factory.message("/quotes@briefbot_sim_bot Macron", chat_id=-42, chat_type="group")
    update = Update.de_json(data, bot)

    assert update.message is not None
    assert update.message.text == "/quotes@briefbot_sim_bot Macron"
    assert update.message.entities[0].type == "bot_command"
    assert update.message.from_user is not None and update.message.from_user.id == 5001
    handler: CommandHandler[Any, None] = CommandHandler("quotes", reply_nothing)
    assert handler.check_update(Update.de_json(factory.message("/quotes Macron"), bot))

    press = Update.de_json(factory.callback("more:1", message_id=3), bot)
    assert press.callback_query is not None
    assert press.callback_query.data == "more:1"
    assert press.callback_query.message is not None
    assert press.callback_query.message.message_id == 3
    assert factory.message("/x")["update_id"] == 4


async def test_http_server_serves_a_real_bot() -> None:
    api = FakeBotAPI()
    with FakeBotAPIServer(api) as server:
        async with Bot(api.token, base_url=server.base_url) as bot:
            assert bot.username == api.username
            await bot.send_message(
                CHAT,
                "123",
                reply_markup=Markup.from_button(InlineKeyboardButton("Go", callback_data="go")),
            )
            assert api.sent[-1].text == "123"
            assert api.sent[-1].reply_markup == {
                "inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]
            }
            with pytest.raises(BadRequest, match="Can't parse entities"):
                await bot.send_message(CHAT, "<b>x", parse_mode="HTML")

            loop = asyncio.get_running_loop()
            loop.call_later(0.2, api.push_update, UpdateFactory().message("hi"))
            started = time.monotonic()
            updates = await bot.get_updates(timeout=5)
            assert 0.1 < time.monotonic() - started < 3
            assert [u.message.text for u in updates if u.message] == ["hi"]

        with pytest.raises(InvalidToken):
            async with Bot("999:WRONG", base_url=server.base_url):
                pass


class TestFiles:
    """Documents: sendDocument records the file, getFile and the file URL serve user uploads."""

    async def test_send_document_records_name_bytes_and_caption(
        self, bot: Bot, api: FakeBotAPI
    ) -> None:
        data = "id: x\ntitle: Ä\n".encode()
        message = await bot.send_document(
            CHAT,
            InputFile(data, filename="x.yaml"),
            caption="<b>x.yaml</b> · check it",
            parse_mode="HTML",
            reply_markup=Markup.from_button(InlineKeyboardButton("Go", callback_data="go")),
        )
        sent = api.sent[-1]
        assert (sent.method, sent.document_name, sent.document) == ("sendDocument", "x.yaml", data)
        assert sent.visible_text == "x.yaml · check it"
        assert sent.reply_markup is not None
        assert message.document is not None and message.document.file_name == "x.yaml"
        assert message.document.file_size == len(data)
        # The bot can fetch back what it sent, by file_id.
        fetched = await (await bot.get_file(message.document.file_id)).download_as_bytearray()
        assert bytes(fetched) == data

    async def test_caption_is_checked_like_text(self, bot: Bot) -> None:
        with pytest.raises(BadRequest, match="Can't parse entities"):
            await bot.send_document(
                CHAT, InputFile(b"x", filename="a.txt"), caption="<b>x", parse_mode="HTML"
            )
        with pytest.raises(BadRequest, match="Message caption is too long"):
            await bot.send_document(CHAT, InputFile(b"x", filename="a.txt"), caption="x" * 1025)

    async def test_a_users_upload_is_downloaded_through_get_file(
        self, bot: Bot, api: FakeBotAPI
    ) -> None:
        stored = api.add_file(b"Article\n\nText", "article.txt", "text/plain")
        update = Update.de_json(UpdateFactory().document(stored.document(), caption="hi"), bot)
        assert update.message is not None and update.message.document is not None
        assert update.message.caption == "hi"
        assert update.message.document.file_name == "article.txt"
        file = await update.message.document.get_file()
        assert file.file_path is not None and file.file_path.startswith(
            "https://api.telegram.org/file/bot"
        )
        assert bytes(await file.download_as_bytearray()) == b"Article\n\nText"
        with pytest.raises(BadRequest, match="Invalid file_id"):
            await bot.get_file("no-such-file")

    async def test_forwarded_message_has_an_origin(self, bot: Bot) -> None:
        update = Update.de_json(UpdateFactory().forwarded("part one"), bot)
        assert update.message is not None and update.message.forward_origin is not None
        assert update.message.text == "part one"

    async def test_http_server_takes_multipart_uploads_and_serves_files(self) -> None:
        api = FakeBotAPI()
        stored = api.add_file(bytes(range(256)), "blob.bin")
        with FakeBotAPIServer(api) as server:
            file_url = server.base_url.removesuffix("/bot") + "/file/bot"
            async with Bot(api.token, base_url=server.base_url, base_file_url=file_url) as bot:
                await bot.send_document(CHAT, InputFile("é\n".encode(), filename="é.txt"))
                assert (api.sent[-1].document_name, api.sent[-1].document) == (
                    "é.txt",
                    "é\n".encode(),
                )
                file = await bot.get_file(stored.file_id)
                assert bytes(await file.download_as_bytearray()) == bytes(range(256))


class TestInlineAnswers:
    """answerInlineQuery is checked as Telegram checks it, and each accepted answer recorded."""

    @staticmethod
    def article(
        result_id: str, text: str = "<b>Card</b>", **extra: Any
    ) -> InlineQueryResultArticle:
        return InlineQueryResultArticle(
            result_id, "Title", InputTextMessageContent(text, parse_mode="HTML"), **extra
        )

    async def test_an_answer_is_recorded_with_its_messages(self, bot: Bot, api: FakeBotAPI) -> None:
        button = InlineKeyboardButton("Open", url="https://t.me/briefbot_sim_bot?start=a")
        result = self.article("a", "<b>A</b> &amp; B", reply_markup=Markup([[button]]))
        await bot.answer_inline_query("7", [result], cache_time=300, next_offset="50")
        [answer] = api.inline_answers
        assert (answer.inline_query_id, answer.next_offset, answer.cache_time) == ("7", "50", 300)
        assert answer.is_personal is False
        [recorded] = answer.results
        assert (recorded.id, recorded.title, recorded.visible_text) == ("a", "Title", "A & B")
        assert recorded.reply_markup == {"inline_keyboard": [[button.to_dict()]]}

    @pytest.mark.parametrize(
        ("results", "offset", "error"),
        [
            ([("r", "<b>x")], "", "Can't parse entities"),
            ([("r", "x" * 4097)], "", "Message is too long"),
            ([("r", "x")] * 2, "", "Result_id_duplicate"),
            ([(str(n), "x") for n in range(51)], "", "Results_too_much"),
            ([("r", "x")], "9" * 65, "Next_offset_invalid"),
            ([("r" * 65, "x")], "", "Result_id_invalid"),
        ],
    )
    async def test_what_telegram_refuses(
        self,
        bot: Bot,
        api: FakeBotAPI,
        results: list[tuple[str, str]],
        offset: str,
        error: str,
    ) -> None:
        with pytest.raises(BadRequest, match=error):
            await bot.answer_inline_query(
                "7", [self.article(i, text) for i, text in results], next_offset=offset
            )
        assert api.inline_answers == []

    @pytest.mark.parametrize("offset", ["50", ""])
    async def test_over_http_too(self, offset: str) -> None:
        api = FakeBotAPI()
        with FakeBotAPIServer(api) as server:
            async with Bot(api.token, base_url=server.base_url) as bot:
                await bot.answer_inline_query(
                    "9", [self.article("a", "<i>x</i>")], is_personal=False, next_offset=offset
                )
                with pytest.raises(BadRequest, match="Can't parse entities"):
                    await bot.answer_inline_query("9", [self.article("a", "a < b")])
        [answer] = api.inline_answers
        assert (answer.next_offset, answer.is_personal) == (offset, False)
        assert [r.visible_text for r in answer.results] == ["x"]

    async def test_update_factory_builds_inline_queries_ptb_reads(self, bot: Bot) -> None:
        factory = UpdateFactory()
        data = factory.inline_query("words", offset="50", user_id=77, chat_type="supergroup")
        query = Update.de_json(data, bot).inline_query
        assert query is not None
        assert (query.query, query.offset, query.chat_type) == ("words", "50", "supergroup")
        assert query.from_user.id == 77
