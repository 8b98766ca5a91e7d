"""A fake Telegram Bot API and update builders for tests, the local simulator and benchmarks."""
