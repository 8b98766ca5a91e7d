"""Telegram handlers: thin functions that parse arguments, ask the domain and send the answer."""
