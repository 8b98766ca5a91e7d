"""briefbot's configuration: one validated model, loaded once at start-up.

Precedence: ``--config PATH`` beats ``BRIEFBOT_CONFIG``, which beats ``config/bot.yaml``.
The bot token only ever comes from ``TELEGRAM_BOT_TOKEN``; ``TELEGRAM_API_BASE_URL`` overrides
``telegram.base_url``, ``BRIEFBOT_WEBHOOK_PORT`` overrides ``telegram.webhook.port`` and
``BRIEFBOT_DATABASE_URL`` overrides ``storage.url`` (read by `bot.storage.open_store`).
Relative paths are resolved against the current working directory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)

from bot.digest.cron import CronSchedule, CronSyntaxError

DEFAULT_CONFIG = Path("config/bot.yaml")
# Overrides ``telegram.webhook.secret_token``, so that no secret has to sit in a config file.
WEBHOOK_SECRET_ENV = "TELEGRAM_WEBHOOK_SECRET"
TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
BASE_URL_ENV = "TELEGRAM_API_BASE_URL"
CONFIG_ENV = "BRIEFBOT_CONFIG"
DATABASE_URL_ENV = "BRIEFBOT_DATABASE_URL"
WEBHOOK_PORT_ENV = "BRIEFBOT_WEBHOOK_PORT"


class ConfigError(Exception):
    """The configuration is missing or invalid; the message names the key and the problem."""


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}; use an IANA name such as Europe/Berlin"
        ) from None
    return name


def _check_cron(expression: str) -> str:
    try:
        CronSchedule.parse(expression)
    except CronSyntaxError as exc:
        raise ValueError(str(exc)) from None
    return expression


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WebhookConfig(_Section):
    """Receive updates by webhook instead of long polling."""

    url: str
    listen: str = "0.0.0.0"
    port: int = Field(8443, ge=1, le=65535)
    secret_token: SecretStr | None = None
    path: str = "telegram"

    @field_validator("url")
    @classmethod
    def _https(cls, url: str) -> str:
        if not url.startswith(("https://", "http://")):
            raise ValueError("must be a full URL, e.g. https://bot.example.org/telegram")
        return url


class TelegramConfig(_Section):
    """How to reach the Bot API."""

    base_url: str = "https://api.telegram.org/bot"
    webhook: WebhookConfig | None = None
    # How long `briefbot run` keeps trying to reach the Bot API before it gives up (exit 4).
    startup_timeout: float = Field(30.0, gt=0, le=3600)

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, url: str) -> str:
        # PTB appends "{token}/{method}" directly; a trailing slash would break every URL.
        return url.rstrip("/")


class BriefingsConfig(_Section):
    """Where the curated briefings live."""

    dir: Path = Path("briefings")
    reload_seconds: float = Field(5.0, gt=0, le=3600)
    # Operating-system change notifications; where they are off or unavailable (some network
    # file systems), the folder is scanned every `reload_seconds` instead.
    watch: bool = True


class StorageConfig(_Section):
    """Where state (chats, subscriptions, deliveries) is kept.

    ``url`` (a PostgreSQL URL, overridden by ``BRIEFBOT_DATABASE_URL``) beats ``path`` (SQLite).
    """

    path: Path = Path("var/briefbot.sqlite3")
    url: str | None = None

    @field_validator("url")
    @classmethod
    def _postgres_url(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a PostgreSQL URL, e.g. postgresql://briefbot@db/briefbot")
        return url


class DigestConfig(_Section):
    """The default digest schedule and size."""

    cron: Annotated[str, AfterValidator(_check_cron)] = "0 8 * * *"
    timezone: Annotated[str, AfterValidator(_check_timezone)] = "UTC"
    max_items: int = Field(5, ge=1, le=50)
    misfire_grace: int = Field(3600, ge=0)
    # Paid broadcasts lift Telegram's overall 30/s for digests (the bot pays Stars per message).
    paid_broadcast: bool = False
    paid_rate: int = Field(1000, ge=1, le=1000)
    # How long a replica holds a claimed chat: a killed replica's chats move on after this.
    claim_lease_seconds: float = Field(20.0, ge=1, le=600)


class OpsConfig(_Section):
    """The operations web server: ``/healthz`` and ``/metrics``, off unless `port` is set."""

    port: int | None = Field(None, ge=1, le=65535)
    listen: str = "127.0.0.1"
    # /healthz answers 503 when a check has not succeeded for this long.
    health_window: float = Field(60.0, gt=0, le=3600)


class Config(_Section):
    """The whole configuration."""

    telegram: TelegramConfig = TelegramConfig()
    briefings: BriefingsConfig = BriefingsConfig()
    storage: StorageConfig = StorageConfig()
    digest: DigestConfig = DigestConfig()
    ops: OpsConfig = OpsConfig()
    admins: list[int] = Field(default_factory=list)
    token: SecretStr | None = Field(None, exclude=True)

    def require_token(self) -> str:
        """The bot token, or a `ConfigError` saying how to provide it."""
        if self.token is None or not self.token.get_secret_value().strip():
            raise ConfigError(f"no bot token: set the {TOKEN_ENV} environment variable")
        return self.token.get_secret_value().strip()


def config_path(cli_path: Path | None, environ: Mapping[str, str] = os.environ) -> Path:
    """Which config file to read: the CLI option, else the environment, else the default."""
    if cli_path is not None:
        return cli_path
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV])
    return DEFAULT_CONFIG


def load_config(cli_path: Path | None = None, environ: Mapping[str, str] = os.environ) -> Config:
    """Read, merge with the environment and validate the configuration."""
    path = config_path(cli_path, environ)
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: YAML error: {getattr(exc, 'problem', exc)}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings, got {type(data).__name__}")
    if "token" in data:
        raise ConfigError(f"{path}: token: never put the token in a file; set {TOKEN_ENV}")
    if environ.get(BASE_URL_ENV):
        data.setdefault("telegram", {})
        if isinstance(data["telegram"], dict):
            data["telegram"]["base_url"] = environ[BASE_URL_ENV]
    if environ.get(WEBHOOK_PORT_ENV):
        telegram = data.get("telegram")
        webhook = telegram.get("webhook") if isinstance(telegram, dict) else None
        if isinstance(webhook, dict):
            webhook["port"] = environ[WEBHOOK_PORT_ENV]
    if environ.get(TOKEN_ENV):
        data["token"] = environ[TOKEN_ENV]
    telegram = data.get("telegram")
    webhook = telegram.get("webhook") if isinstance(telegram, dict) else None
    if environ.get(WEBHOOK_SECRET_ENV) and isinstance(webhook, dict):
        webhook["secret_token"] = environ[WEBHOOK_SECRET_ENV]
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False, include_input=False):
            key = ".".join(str(p) for p in err["loc"])
            msg = str(err["msg"]).removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown setting"
            # Like every message after a file and a key: lowercase, as briefing errors are.
            problems.append(f"{path}: {key}: {msg[:1].lower()}{msg[1:]}")
        raise ConfigError("\n".join(problems)) from None
