"""briefbot: a Telegram bot that serves curated article briefings and pushes digests."""

__version__ = "0.1.0"
