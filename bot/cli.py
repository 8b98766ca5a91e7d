"""The `briefbot` command line: validate, schema, draft, run, simulate and the state database.

Only wiring lives here; each subcommand imports what it needs when it runs, which keeps
`briefbot validate` and `briefbot simulate` quick to start.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
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

    draft = sub.add_parser(
        "draft", help="draft a briefing (YAML) from an article: text, copied page or saved HTML"
    )
    draft.add_argument(
        "path", nargs="?", default="-", metavar="PATH", help="the article (default: - for stdin)"
    )
    draft.add_argument(
        "--out", type=Path, default=None, metavar="FILE", help="write the YAML to FILE"
    )
    draft.add_argument("--force", action="store_true", help="overwrite an existing --out file")
    draft.add_argument(
        "--id",
        dest="briefing_id",
        type=_briefing_id,
        default=None,
        metavar="ID",
        help="briefing id (default: a slug of the title)",
    )
    draft.add_argument(
        "--published",
        type=_published,
        default=None,
        metavar="DATE",
        help="publication date: YYYY-MM-DD or an ISO date-time with offset",
    )
    draft.add_argument(
        "--source-url",
        type=_source_url,
        default=None,
        metavar="URL",
        help="the article's http(s) address",
    )
    run = sub.add_parser("run", parents=[common], help="run the bot on Telegram (needs the token)")
    run.add_argument(
        "--port",
        type=int,
        default=None,
        help="webhook port of this replica (default: $BRIEFBOT_WEBHOOK_PORT, else the config)",
    )
    sub.add_parser(
        "migrate", parents=[common], help="create or upgrade the state database's schema"
    )
    export = sub.add_parser(
        "export-state", parents=[common], help="write chats, subscriptions and deliveries as JSON"
    )
    export.add_argument("--out", type=Path, default=None, metavar="FILE", help="default: stdout")
    load = sub.add_parser(
        "import-state", parents=[common], help="load a dump written by export-state"
    )
    load.add_argument("path", type=Path, metavar="FILE")
    load.add_argument(
        "--replace", action="store_true", help="overwrite a database that already holds chats"
    )

    simulate = sub.add_parser(
        "simulate", parents=[common], help="the whole bot in this terminal, no Telegram needed"
    )
    simulate.add_argument("--chat-id", type=int, default=None, help="chat to speak in")
    simulate.add_argument("--group", action="store_true", help="speak in a group chat")
    simulate.add_argument(
        "--lang", default=None, help="act as a user whose Telegram app is in this language (uk)"
    )
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
        if args.command == "draft":
            return _draft(args)
        if args.command == "run":
            from bot.runner_cli import run_bot

            return run_bot(load_config(args.config), port=args.port)
        if args.command in ("migrate", "export-state", "import-state"):
            from bot import state_cli

            config = load_config(args.config)
            if args.command == "migrate":
                return state_cli.migrate(config)
            if args.command == "export-state":
                return state_cli.export_state(config, args.out)
            return state_cli.import_state(config, args.path, replace=args.replace)
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
    except BrokenPipeError:
        # Whoever read the output stopped (`briefbot simulate --script x | head`): stop quietly,
        # and keep Python from complaining about stdout once more on the way out.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    raise AssertionError(args.command)  # pragma: no cover - argparse rejects others


def _validate(args: argparse.Namespace) -> int:
    from bot.briefing.library import BriefingLibrary
    from bot.briefing.render import plural

    paths: list[Path] = args.paths or [load_config(args.config).briefings.dir]
    # Checking needs no search or speaker index: leaving them out keeps a large archive's
    # check in far less memory.
    library = BriefingLibrary(paths, lookups=False)
    library.reload()
    errors = library.errors
    for error in errors:
        print(error)
    files = len({e.path for e in errors})
    if errors:
        print(
            f"{plural(len(errors), 'error')} in {plural(files, 'file')};"
            f" {plural(len(library), 'valid briefing')}.",
            file=sys.stderr,
        )
        return EXIT_ERRORS
    print(f"OK: {plural(len(library), 'briefing')} valid.", file=sys.stderr)
    return EXIT_OK


def _briefing_id(value: str) -> str:
    from bot.briefing.models import ID_MAX_LENGTH, ID_PATTERN

    if not re.fullmatch(ID_PATTERN, value) or len(value) > ID_MAX_LENGTH:
        raise argparse.ArgumentTypeError(
            f"{value!r}: lowercase letters, digits and single hyphens, at most {ID_MAX_LENGTH}"
        )
    return value


def _source_url(value: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise argparse.ArgumentTypeError(f"{value!r}: an http(s) address is needed")
    return value


def _published(value: str) -> dt.date | dt.datetime:
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r}: write YYYY-MM-DD or a date-time with offset (2025-03-15T09:00:00+00:00)"
        ) from None
    if moment.utcoffset() is None:
        raise argparse.ArgumentTypeError(f"{value!r}: a date-time needs a UTC offset")
    return moment


def _draft(args: argparse.Namespace) -> int:
    from bot.briefing.render import plural
    from bot.drafting import DraftError, draft_article

    name = "<stdin>" if args.path == "-" else args.path
    out: Path | None = args.out
    if out is not None and out.exists() and not args.force:
        print(f"briefbot: {out}: already exists; add --force to overwrite it", file=sys.stderr)
        return EXIT_ERRORS
    try:
        raw = sys.stdin.buffer.read() if args.path == "-" else Path(args.path).read_bytes()
    except OSError as exc:
        print(f"briefbot: {name}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERRORS
    try:
        draft = draft_article(
            raw,
            briefing_id=args.briefing_id,
            published=args.published,
            source_url=args.source_url,
        )
    except DraftError as exc:
        print(f"briefbot: {name}: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    if out is None:
        sys.stdout.write(draft.yaml)
    else:
        try:
            with out.open("w" if args.force else "x", encoding="utf-8") as handle:
                handle.write(draft.yaml)
        except FileExistsError:
            print(f"briefbot: {out}: already exists; add --force to overwrite it", file=sys.stderr)
            return EXIT_ERRORS
        except OSError as exc:
            print(f"briefbot: {out}: cannot write: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_ERRORS
    reviews = plural(len(draft.reviews), "line")
    print(f"Drafted {draft.briefing.id}: {reviews} to review.", file=sys.stderr)
    return EXIT_OK
