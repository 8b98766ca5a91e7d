"""The baseline for bench_commands.py: the smallest python-telegram-bot app that answers commands.

It does what every PTB bot must do (long-poll getUpdates, decode the Update, dispatch it, call
sendMessage) and nothing else: no storage, no rendering, no rate limiter, no concurrent updates.
The gap between its latency and briefbot's is what briefbot's own work costs.

Run it like the real bot: token from TELEGRAM_BOT_TOKEN, Bot API from TELEGRAM_API_BASE_URL;
SIGTERM (or SIGINT) stops it with exit code 0.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

ANSWER = "Noted."


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(ANSWER)


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
