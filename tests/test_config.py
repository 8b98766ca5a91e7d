"""Configuration: which file is read, what the environment overrides, and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, token_like

from bot.config import DEFAULT_CONFIG, ConfigError, config_path, load_config

TOKEN = token_like()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


class TestWhichFile:
    """--config beats BRIEFBOT_CONFIG, which beats config/bot.yaml."""

    def test_precedence(self, tmp_path: Path) -> None:
        cli, env = tmp_path / "cli.yaml", tmp_path / "env.yaml"
        assert config_path(cli, {"BRIEFBOT_CONFIG": str(env)}) == cli
        assert config_path(None, {"BRIEFBOT_CONFIG": str(env)}) == env
        assert config_path(None, {}) == DEFAULT_CONFIG

    def test_shipped_config_is_valid_and_has_no_token(self) -> None:
        config = load_config(ROOT / "config" / "bot.yaml", {})
        assert config.telegram.base_url == "https://api.telegram.org/bot"
        assert config.briefings.dir == Path("briefings")
        assert config.storage.path == Path("var/briefbot.sqlite3")
        assert config.digest.cron == "0 8 * * *"
        assert config.digest.timezone == "UTC"
        assert (config.digest.max_items, config.digest.misfire_grace) == (5, 3600)
        assert config.admins == []
        assert config.token is None


class TestEnvironment:
    """The token only comes from the environment; the base URL may too."""

    def test_token_and_base_url(self, tmp_path: Path) -> None:
        path = write(tmp_path / "c.yaml", "telegram: {base_url: 'https://example.org/bot/'}\n")
        config = load_config(path, {"TELEGRAM_BOT_TOKEN": TOKEN})
        assert config.require_token() == TOKEN
        assert config.telegram.base_url == "https://example.org/bot"  # no trailing slash
        assert TOKEN not in repr(config)
        assert TOKEN not in str(config.model_dump())
        local = load_config(path, {"TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot"})
        assert local.telegram.base_url == "http://127.0.0.1:8081/bot"

    def test_webhook_secret_from_the_environment(self, tmp_path: Path) -> None:
        hook = "telegram: {webhook: {url: 'https://example.org/telegram', secret_token: old}}\n"
        path = write(tmp_path / "c.yaml", hook)
        config = load_config(path, {"TELEGRAM_WEBHOOK_SECRET": "from-env"})
        assert config.telegram.webhook is not None
        assert config.telegram.webhook.secret_token is not None
        assert config.telegram.webhook.secret_token.get_secret_value() == "from-env"
        polling = load_config(write(tmp_path / "p.yaml", ""), {"TELEGRAM_WEBHOOK_SECRET": "x"})
        assert polling.telegram.webhook is None  # no webhook is made up for it

    def test_missing_token_says_how_to_set_it(self, tmp_path: Path) -> None:
        config = load_config(write(tmp_path / "c.yaml", ""), {})
        with pytest.raises(ConfigError, match="set the TELEGRAM_BOT_TOKEN environment variable"):
            config.require_token()

    def test_token_in_a_file_is_refused(self, tmp_path: Path) -> None:
        path = write(tmp_path / "c.yaml", f"token: '{TOKEN}'\n")
        with pytest.raises(ConfigError) as caught:
            load_config(path, {})
        assert "never put the token in a file" in str(caught.value)
        assert TOKEN not in str(caught.value)


class TestInvalid:
    """An invalid config names the key and the problem."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("digest: {max_items: 0}", "digest.max_items: input should be greater than or equal"),
            ("digest: {cron: '0 8 31 2 *'}", "digest.cron:"),
            ("digest: {timezone: Mars/Olympus}", "digest.timezone: unknown time zone"),
            ("admins: [alice]", "admins.0: input should be a valid integer"),
            ("storage: {path: x, colour: red}", "storage.colour: unknown setting"),
            ("telegram: {webhook: {url: example.org}}", "telegram.webhook.url: must be a full URL"),
            ("- just\n- a list", "expected a mapping of settings"),
        ],
    )
    def test_message_names_the_key(self, tmp_path: Path, text: str, expected: str) -> None:
        path = write(tmp_path / "c.yaml", text)
        with pytest.raises(ConfigError) as caught:
            load_config(path, {})
        assert expected in str(caught.value)
        assert str(path) in str(caught.value)
