"""The baseline for bench_commands.py: the smallest python-telegram-bot app that answers commands.

It does what every PTB bot must do (long-poll getUpdates, decode the Update, dispatch it, call
sendMessage) and nothing else: no storage, no rendering, no rate limiter, no concurrent updates.
The gap between its latency and briefbot's is what briefbot's own work costs.

Run it like the real bot: token from TELEGRAM_BOT_TOKEN, Bot API from TELEGRAM_API_BASE_URL;
SIGTERM (or SIGINT) stops it with exit code 0. BARE_ANSWER_CHARS=N makes the answer N characters
long, to tell the cost of sending a long answer from the cost of making it.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

ANSWER = "Noted."
LENGTH = int(os.environ.get("BARE_ANSWER_CHARS", "0"))
TEXT = (ANSWER + " " + "Lorem ipsum dolor sit amet. " * (LENGTH // 28 + 1))[:LENGTH] or ANSWER


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(TEXT)


def main() -> None:
    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .build()
    )
    application.add_handler(MessageHandler(filters.COMMAND, answer))
    application.run_polling()


if __name__ == "__main__":
    main()
