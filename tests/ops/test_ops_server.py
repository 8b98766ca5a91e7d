"""`/healthz` and `/metrics` of a real `briefbot run` process against the HTTP fake Bot API."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from test_run import STARTUP_TIMEOUT, TOKEN, free_port, start_bot, stop, wait_for
from test_run import api as api  # the fake Bot API over HTTP, as a fixture

from bot.simulation.fake_api import FakeBotAPI, FakeBotAPIServer
from bot.simulation.updates import UpdateFactory


def get(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=5)
    except httpx.TransportError:
        return None


def ops_config(port: int, window: float = 60) -> str:
    return f"ops: {{port: {port}, health_window: {window}}}\n"


def command_count(url: str, command: str) -> float:
    """How many times `command` was answered, by the metrics page at `url`."""
    page = get(url)
    assert page is not None and page.status_code == 200
    for family in text_string_to_metric_families(page.text):
        for sample in family.samples:
            if sample.name == "briefbot_commands_total" and sample.labels["command"] == command:
                return sample.value
    return 0.0


class TestPollingMode:
    """With `ops.port`, a polling bot serves its health and its metrics."""

    def test_healthy_and_counts_a_command(
        self, api: tuple[FakeBotAPI, FakeBotAPIServer], tmp_path: Path
    ) -> None:
        fake, server = api
        port = free_port()
        process = start_bot(tmp_path, server.base_url, extra_config=ops_config(port))
        base = f"http://127.0.0.1:{port}"
        try:
            assert wait_for(lambda: get(f"{base}/healthz") is not None, STARTUP_TIMEOUT)
            health = get(f"{base}/healthz")
            assert health is not None and health.status_code == 200
            body = health.json()
            assert body["status"] == "ok"
            assert body["checks"]["database"]["ok"] and body["checks"]["bot_api"]["ok"]

            metrics = get(f"{base}/metrics")
            assert metrics is not None
            assert metrics.headers["content-type"].startswith("text/plain")
            assert command_count(f"{base}/metrics", "/summary") == 0

            fake.push_update(UpdateFactory().message("/summary", chat_id=321))
            assert wait_for(lambda: fake.messages_to(321))
            assert wait_for(lambda: command_count(f"{base}/metrics", "/summary") == 1)
        finally:
            code, output = stop(process)
        assert code == 0, output
        assert f"health and metrics on http://127.0.0.1:{port}/" in output
        assert "Traceback" not in output

    def test_bot_api_down_is_503_naming_it(
        self, api: tuple[FakeBotAPI, FakeBotAPIServer], tmp_path: Path
    ) -> None:
        fake, server = api
        port = free_port()
        config = ops_config(port, window=0.4)
        process = start_bot(tmp_path, server.base_url, extra_config=config)
        url = f"http://127.0.0.1:{port}/healthz"
        try:
            assert wait_for(lambda: get(url) is not None, STARTUP_TIMEOUT)
            fake.fail("getMe", times=1_000_000, status=502, description="Bad Gateway")

            def unhealthy() -> bool:
                answer = get(url)
                return answer is not None and answer.status_code == 503

            assert wait_for(unhealthy)
            body = json.loads(get(url).text)  # type: ignore[union-attr]
        finally:
            code, output = stop(process)
        assert body["status"] == "failing"
        assert body["checks"]["database"]["ok"] is True
        assert body["checks"]["bot_api"]["ok"] is False
        assert "Bad Gateway" in body["checks"]["bot_api"]["error"]
        assert TOKEN not in json.dumps(body)
        assert code == 0, output

    def test_no_port_no_server(
        self, api: tuple[FakeBotAPI, FakeBotAPIServer], tmp_path: Path
    ) -> None:
        fake, server = api
        process = start_bot(tmp_path, server.base_url)
        try:
            # Polling, not still starting up: the bot is as far as a server would go.
            polling = lambda: any(r.method == "getUpdates" for r in fake.requests)  # noqa: E731
            assert wait_for(polling, STARTUP_TIMEOUT)
        finally:
            code, output = stop(process)
        assert code == 0, output
        assert "health and metrics on" not in output

    def test_port_in_use_is_a_config_error(
        self, api: tuple[FakeBotAPI, FakeBotAPIServer], tmp_path: Path
    ) -> None:
        _, server = api
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            port = taken.getsockname()[1]
            process = start_bot(tmp_path, server.base_url, extra_config=ops_config(port))
            code, output = stop(process, terminate=False)
        assert code == 2
        assert output.strip().splitlines()[-1] == (
            f"briefbot: ops.port: cannot listen on 127.0.0.1:{port}: address already in use"
        )
        assert "Traceback" not in output


class TestWebhookMode:
    """Next to the webhook server: the secret token still guards updates, health is separate."""

    def test_health_on_ops_port_and_secret_still_checked(
        self, api: tuple[FakeBotAPI, FakeBotAPIServer], tmp_path: Path
    ) -> None:
        fake, server = api
        hook_port, ops_port = free_port(), free_port()
        url = f"http://127.0.0.1:{hook_port}/telegram"
        config = (
            f"telegram: {{webhook: {{url: '{url}', listen: 127.0.0.1, port: {hook_port},"
            " secret_token: s3cret-value}}\n" + ops_config(ops_port)
        )
        process = start_bot(tmp_path, server.base_url, extra_config=config)
        try:
            assert wait_for(lambda: fake.webhook_url == url, STARTUP_TIMEOUT)
            health_url = f"http://127.0.0.1:{ops_port}/healthz"
            assert wait_for(lambda: get(health_url) is not None)
            assert get(health_url).status_code == 200  # type: ignore[union-attr]
            update = json.dumps(UpdateFactory().message("/timeline", chat_id=555))
            headers = {"Content-Type": "application/json"}
            assert httpx.post(url, content=update, headers=headers).status_code == 403
            # Not on the public webhook port.
            webhook_health = get(f"http://127.0.0.1:{hook_port}/healthz")
            assert webhook_health is not None and webhook_health.status_code == 404
            right = headers | {"X-Telegram-Bot-Api-Secret-Token": "s3cret-value"}
            assert httpx.post(url, content=update, headers=right).status_code == 200
            assert wait_for(lambda: fake.messages_to(555))
            metrics = f"http://127.0.0.1:{ops_port}/metrics"
            assert wait_for(lambda: command_count(metrics, "/timeline") == 1)
        finally:
            code, output = stop(process)
        assert code == 0, output
