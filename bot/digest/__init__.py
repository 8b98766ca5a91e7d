"""Subscriptions and scheduled digests: when a chat is due, what it gets, and the timer."""
