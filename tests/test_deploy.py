"""The deployment recipes under deploy/, checked without Docker or systemd: each file parses,
names files that exist and settings the bot knows, and agrees with the others."""

from __future__ import annotations

import configparser
import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT

from bot.config import (
    BASE_URL_ENV,
    CONFIG_ENV,
    TOKEN_ENV,
    WEBHOOK_SECRET_ENV,
    Config,
    load_config,
)

DEPLOY = ROOT / "deploy"
KNOWN_ENV = {TOKEN_ENV, BASE_URL_ENV, CONFIG_ENV, WEBHOOK_SECRET_ENV}
REPLICAS = ("replica-a", "replica-b")


def compose() -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def mounted_config(service: dict[str, Any]) -> Path:
    """The file in deploy/ that a service reads as its config (mounted at BRIEFBOT_CONFIG)."""
    target = service["environment"][CONFIG_ENV]
    for volume in service["volumes"]:
        source, _, rest = volume.partition(":")
        if rest.split(":")[0] == target:
            return (DEPLOY / source).resolve()
    raise AssertionError(f"{target} is not mounted")


def replica_config(name: str) -> Config:
    env = {TOKEN_ENV: "1:x", WEBHOOK_SECRET_ENV: "secret"}
    return load_config(mounted_config(compose()["services"][name]), env)


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    logical = re.sub(r"\\\n", " ", text)
    found = []
    for line in logical.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, args = line.partition(" ")
            found.append((instruction.upper(), args.strip()))
    return found


class TestCompose:
    """PostgreSQL, two webhook replicas on different ports, and a TLS proxy in front of them."""

    def test_services(self) -> None:
        services = compose()["services"]
        assert {"postgres", "caddy", *REPLICAS} <= set(services)
        assert services["postgres"]["image"].startswith("postgres:")
        assert sorted(services["caddy"]["ports"]) == ["443:443", "80:80"]
        for name in REPLICAS:
            assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"
            assert (DEPLOY / services[name]["build"]["context"]).resolve() == ROOT
            assert "postgres" in services[name]["depends_on"]

    def test_environment_names_settings_the_bot_reads(self) -> None:
        for name in REPLICAS:
            assert set(compose()["services"][name]["environment"]) <= KNOWN_ENV

    def test_replicas_are_valid_webhook_configs_on_different_ports(self) -> None:
        configs = [replica_config(name) for name in REPLICAS]
        hooks = [c.telegram.webhook for c in configs]
        assert all(h is not None and h.secret_token is not None for h in hooks)
        ports = [h.port for h in hooks if h is not None]
        assert len(set(ports)) == len(ports)
        for name, config, port in zip(REPLICAS, configs, ports, strict=True):
            assert str(port) in compose()["services"][name]["expose"]
            assert config.ops.port is not None
            assert config.ops.listen == "0.0.0.0"

    def test_mounted_files_exist(self) -> None:
        for service in compose()["services"].values():
            for volume in service.get("volumes", []):
                source = volume.split(":")[0]
                if source.startswith("."):
                    assert (DEPLOY / source).exists(), source


class TestCaddyfile:
    """The proxy forwards the webhook path to every replica's webhook port."""

    def test_names_the_replicas(self) -> None:
        text = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
        for name in REPLICAS:
            config = replica_config(name)
            assert config.telegram.webhook is not None
            assert f"{name}:{config.telegram.webhook.port}" in text
            assert f"handle /{config.telegram.webhook.path}" in text
            assert f"health_port {config.ops.port}" in text
        assert "{$BRIEFBOT_DOMAIN}" in text
        assert text.count("{") == text.count("}")


class TestDockerfile:
    """A slim Python 3.11 image that installs the package and runs the bot as a plain user."""

    def test_instructions(self) -> None:
        steps = dockerfile()
        assert steps[0] == ("FROM", "python:3.11-slim")
        users = [args for instruction, args in steps if instruction == "USER"]
        assert users and users[-1] not in ("root", "0")
        [entrypoint] = [args for instruction, args in steps if instruction == "ENTRYPOINT"]
        assert json.loads(entrypoint) == ["briefbot", "run"]
        scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
        assert "briefbot" in scripts
        assert any(i == "RUN" and 'pip install ".[postgres]"' in a for i, a in steps)

    def test_copied_paths_exist(self) -> None:
        copies = [shlex.split(args) for instruction, args in dockerfile() if instruction == "COPY"]
        assert copies
        for words in copies:
            sources = [w for w in words[:-1] if not w.startswith("--")]
            for source in sources:
                assert (ROOT / source).exists(), source


class TestSystemdUnit:
    """A unit with the token from an environment file and the usual hardening."""

    @pytest.fixture
    def unit(self) -> configparser.ConfigParser:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read_string((DEPLOY / "briefbot.service").read_text(encoding="utf-8"))
        return parser

    def test_sections_and_keys(self, unit: configparser.ConfigParser) -> None:
        assert {"Unit", "Service", "Install"} <= set(unit.sections())
        service = unit["Service"]
        program, *args = shlex.split(service["ExecStart"])
        assert Path(program).name == "briefbot" and args == ["run"]
        assert service["EnvironmentFile"].startswith("/etc/")
        assert service["User"] not in ("root", "0")
        for key in ("NoNewPrivileges", "ProtectSystem", "PrivateTmp", "ProtectHome"):
            assert service[key] in ("yes", "strict", "true"), key
        assert set(service["RestartPreventExitStatus"].split()) == {"2", "3"}
        assert unit["Install"]["WantedBy"] == "multi-user.target"

    def test_its_config_is_valid(self, unit: configparser.ConfigParser) -> None:
        config = load_config(DEPLOY / "bot.yaml", {})
        assert config.telegram.webhook is None  # one machine: long polling
        [state] = unit["Service"]["StateDirectory"].split()
        assert str(config.storage.path).startswith(f"/var/lib/{state}/")
        assert unit["Service"]["ReadWritePaths"] == f"/var/lib/{state}"


class TestReadme:
    """The README says how to run each recipe."""

    def test_deploying_section(self) -> None:
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        section = readme.split("## Deploying", 1)[1].split("\n## ", 1)[0]
        for name in ("Dockerfile", "compose.yaml", "Caddyfile", "briefbot.service"):
            assert f"deploy/{name}" in section, name
