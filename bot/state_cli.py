"""`briefbot migrate`, `export-state` and `import-state`: the state database from the shell.

A dump is one JSON document holding chats (with their subscriptions), the delivery ledger and
pending drafts; exporting from one store and importing into another (SQLite to PostgreSQL and
back) moves everything the bot remembers.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.briefing.render import plural
from bot.config import Config
from bot.exits import EXIT_ERRORS, EXIT_OK
from bot.storage import StateDump, open_store

DUMP_FORMAT = "briefbot-state"
DUMP_VERSION = 1


def migrate(config: Config) -> int:
    """Bring the configured database's schema up to date (replicas also do it at start-up)."""
    store = open_store(config)
    try:
        print(f"{store.location}: schema up to date.", file=sys.stderr)
    finally:
        store.close()
    return EXIT_OK


def export_state(config: Config, out: Path | None) -> int:
    """Write the configured store's state as JSON to `out` (or stdout)."""
    store = open_store(config)
    try:
        dump = store.export_state()
    finally:
        store.close()
    text = json.dumps(
        {"format": DUMP_FORMAT, "version": DUMP_VERSION, **asdict(dump)},
        ensure_ascii=False,
        indent=1,
    )
    if out is None:
        sys.stdout.write(text + "\n")
    else:
        try:
            out.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            print(f"briefbot: {out}: cannot write: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_ERRORS
    print(
        f"Exported {plural(len(dump.chats), 'chat')},"
        f" {plural(len(dump.deliveries), 'delivery record')} and"
        f" {plural(len(dump.drafts), 'draft')} from {store.location}.",
        file=sys.stderr,
    )
    return EXIT_OK


def _read_dump(path: Path) -> StateDump | str:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    except (UnicodeDecodeError, json.JSONDecodeError):
        return "not a briefbot state dump (not JSON)"
    if not isinstance(data, dict) or data.get("format") != DUMP_FORMAT:
        return "not a briefbot state dump"
    if data.get("version") != DUMP_VERSION:
        return f"dump version {data.get('version')!r}; this briefbot reads version {DUMP_VERSION}"
    parts = [data.get(name) for name in ("chats", "deliveries", "drafts")]
    # Dumps from before topics existed have none.
    parts.append(data.get("topics", []))
    if not all(isinstance(p, list) and all(isinstance(r, dict) for r in p) for p in parts):
        return "not a briefbot state dump (chats, deliveries, drafts and topics must be lists)"
    return StateDump(*parts)  # type: ignore[arg-type]


def import_state(config: Config, path: Path, *, replace: bool) -> int:
    """Load a dump into the configured store; refuses to overwrite chats without `replace`."""
    dump = _read_dump(path)
    if isinstance(dump, str):
        print(f"briefbot: {path}: {dump}", file=sys.stderr)
        return EXIT_ERRORS
    store = open_store(config)
    try:
        existing = store.export_state()
        if existing.chats and not replace:
            print(
                f"briefbot: {store.location} already holds {plural(len(existing.chats), 'chat')};"
                " add --replace to overwrite them",
                file=sys.stderr,
            )
            return EXIT_ERRORS
        try:
            store.import_state(dump)
        except (KeyError, TypeError, ValueError) as exc:
            print(f"briefbot: {path}: a record is malformed: {exc}", file=sys.stderr)
            return EXIT_ERRORS
    finally:
        store.close()
    print(
        f"Imported {plural(len(dump.chats), 'chat')},"
        f" {plural(len(dump.deliveries), 'delivery record')} and"
        f" {plural(len(dump.drafts), 'draft')} into {store.location}.",
        file=sys.stderr,
    )
    return EXIT_OK
