"""`briefbot migrate`, `export-state`, `import-state`, and choosing the store from the config."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from conftest import ROOT, token_like
from test_store_backends import populate

from bot.cli import EXIT_CONFIG, EXIT_ERRORS, EXIT_OK, EXIT_STORAGE, main
from bot.config import load_config
from bot.storage import SubscriptionStore, database_url


def write_config(tmp_path: Path, extra: str = "") -> Path:
    config = tmp_path / "bot.yaml"
    config.write_text(
        f"briefings: {{dir: {ROOT / 'briefings'}}}\n"
        f"storage: {{path: {tmp_path / 'state.sqlite3'}}}\n" + extra,
        encoding="utf-8",
    )
    return config


def refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"postgresql://briefbot:s3cret-pw@127.0.0.1:{port}/briefbot"


class TestChoosingTheStore:
    def test_the_environment_beats_the_config_and_sqlite_is_the_default(
        self, tmp_path: Path
    ) -> None:
        plain = load_config(write_config(tmp_path), environ={})
        assert database_url(plain, environ={}) is None
        path = write_config(tmp_path, "")
        path.write_text(
            path.read_text().replace("storage: {", "storage: {url: 'postgresql://a@b/c', "),
            encoding="utf-8",
        )
        configured = load_config(path, environ={})
        assert database_url(configured, environ={}) == "postgresql://a@b/c"
        env = {"BRIEFBOT_DATABASE_URL": "postgresql://x@y/z"}
        assert database_url(configured, environ=env) == "postgresql://x@y/z"

    def test_a_url_that_is_not_postgresql_is_a_config_error(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        config = write_config(tmp_path, "")
        config.write_text(
            config.read_text().replace("storage: {", "storage: {url: 'mysql://db/x', "),
            encoding="utf-8",
        )
        assert main(["migrate", "--config", str(config)]) == EXIT_CONFIG
        assert "storage.url: must be a PostgreSQL URL" in capsys.readouterr().err


class TestUnreachableDatabase:
    @pytest.mark.parametrize("command", ["run", "migrate", "export-state"])
    def test_one_line_without_the_password_and_exit_3(
        self,
        command: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        pytest.importorskip("psycopg", reason="the postgres extra is not installed")
        url = refused_url()
        monkeypatch.setenv("BRIEFBOT_DATABASE_URL", url)
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token_like())
        assert main([command, "--config", str(write_config(tmp_path))]) == EXIT_STORAGE
        err = capsys.readouterr().err
        safe = url.replace(":s3cret-pw", "")
        assert err == f"briefbot: {safe}: cannot connect: connection refused\n"


class TestMovingState:
    def test_sqlite_to_postgresql_and_back_loses_nothing(
        self,
        tmp_path: Path,
        pg_url: str,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        config = str(write_config(tmp_path))
        source = SubscriptionStore(tmp_path / "state.sqlite3")
        populate(source)
        before = source.export_state()
        source.close()
        dump = tmp_path / "state.json"
        assert main(["export-state", "--config", config, "--out", str(dump)]) == EXIT_OK
        assert "Exported 5 chats, 3 delivery records and 1 draft" in capsys.readouterr().err

        monkeypatch.setenv("BRIEFBOT_DATABASE_URL", pg_url)
        assert main(["migrate", "--config", config]) == EXIT_OK
        assert main(["import-state", "--config", config, str(dump)]) == EXIT_OK
        assert main(["import-state", "--config", config, str(dump)]) == EXIT_ERRORS
        assert "add --replace" in capsys.readouterr().err
        back = tmp_path / "back.json"
        assert main(["export-state", "--config", config, "--out", str(back)]) == EXIT_OK
        assert json.loads(back.read_text()) == json.loads(dump.read_text())

        monkeypatch.delenv("BRIEFBOT_DATABASE_URL")
        (tmp_path / "state.sqlite3").unlink()
        assert main(["import-state", "--config", config, str(back)]) == EXIT_OK
        again = SubscriptionStore(tmp_path / "state.sqlite3")
        assert again.export_state() == before
        again.close()

    def test_a_file_that_is_not_a_dump_is_refused(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        config = str(write_config(tmp_path))
        notes = tmp_path / "notes.json"
        notes.write_text('{"chats": 3}', encoding="utf-8")
        assert main(["import-state", "--config", config, str(notes)]) == EXIT_ERRORS
        assert capsys.readouterr().err == f"briefbot: {notes}: not a briefbot state dump\n"
