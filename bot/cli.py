"""The `briefbot` command line: validate, schema, run and simulate.

Only wiring lives here; each subcommand imports what it needs when it runs, which keeps
`briefbot validate` and `briefbot simulate` quick to start.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import ConfigError, load_config
from bot.exits import (
    EXIT_CONFIG,
    EXIT_ERRORS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_STORAGE,
    EXIT_UNREACHABLE,
)
from bot.storage import StorageError

__all__ = [
    "EXIT_CONFIG",
    "EXIT_ERRORS",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_STORAGE",
    "EXIT_UNREACHABLE",
    "main",
]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefbot", description="A Telegram bot that serves curated article briefings."
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        default=argparse.SUPPRESS,
        help="config file (default: $BRIEFBOT_CONFIG, else config/bot.yaml)",
    )
    parser.add_argument("--config", type=Path, default=None, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = sub.add_parser(
        "validate", parents=[common], help="check briefing files and report every error"
    )
    validate.add_argument(
        "paths", nargs="*", type=Path, help="files or folders (default: the configured folder)"
    )
    sub.add_parser("schema", parents=[common], help="print the JSON Schema of a briefing file")
    sub.add_parser("run", parents=[common], help="run the bot on Telegram (needs the token)")

    simulate = sub.add_parser(
        "simulate", parents=[common], help="the whole bot in this terminal, no Telegram needed"
    )
    simulate.add_argument("--chat-id", type=int, default=None, help="chat to speak in")
    simulate.add_argument("--group", action="store_true", help="speak in a group chat")
    simulate.add_argument("--state", type=Path, default=None, help="SQLite file to keep state in")
    simulate.add_argument("--at", default=None, help="start the virtual clock at this ISO time")
    simulate.add_argument("--script", default=None, help="read inputs from FILE (- for stdin)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args)
        if args.command == "schema":
            from bot.briefing.models import briefing_json_schema

            print(json.dumps(briefing_json_schema(), indent=2, ensure_ascii=False))
            return EXIT_OK
        if args.command == "run":
            from bot.runner_cli import run_bot

            return run_bot(load_config(args.config))
        if args.command == "simulate":
            from bot.simulation.terminal import run_simulation

            return run_simulation(load_config(args.config), args)
    except ConfigError as exc:
        print(f"briefbot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except StorageError as exc:
        print(f"briefbot: {exc}", file=sys.stderr)
        return EXIT_STORAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    raise AssertionError(args.command)  # pragma: no cover - argparse rejects others


def _validate(args: argparse.Namespace) -> int:
    from bot.briefing.library import BriefingLibrary

    paths: list[Path] = args.paths or [load_config(args.config).briefings.dir]
    library = BriefingLibrary(paths)
    library.reload()
    errors = library.errors
    for error in errors:
        print(error)
    files = len({e.path for e in errors})
    if errors:
        print(
            f"{len(errors)} error(s) in {files} file(s); {len(library)} valid briefing(s).",
            file=sys.stderr,
        )
        return EXIT_ERRORS
    print(f"OK: {len(library)} briefing(s) valid.", file=sys.stderr)
    return EXIT_OK
