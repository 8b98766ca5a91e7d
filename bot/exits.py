"""The exit codes of every `briefbot` subcommand, in one place (the README lists them too)."""

from __future__ import annotations

EXIT_OK = 0
EXIT_ERRORS = 1  # errors found: invalid briefings, a handler raised in a simulation, bad input
EXIT_CONFIG = 2  # configuration or token problem
EXIT_STORAGE = 3  # the state database (file or folder) cannot be used
EXIT_UNREACHABLE = 4  # the Telegram Bot API could not be reached at start-up
EXIT_INTERRUPTED = 130  # stopped by Ctrl-C (128 + SIGINT), as shells report it
