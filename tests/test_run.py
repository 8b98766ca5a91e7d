"""`briefbot run` as a real process against a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from conftest import ROOT, token_like

from bot.simulation.fake_api import FakeBotAPI, FakeBotAPIServer
from bot.simulation.updates import UpdateFactory

# Shaped like a real token, so both the exact-match and the pattern redaction are exercised.
TOKEN = token_like()
STARTUP_TIMEOUT = 20.0


def wait_for(predicate: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def api() -> Iterator[tuple[FakeBotAPI, FakeBotAPIServer]]:
    fake = FakeBotAPI(token=TOKEN)
    with FakeBotAPIServer(fake) as server:
        yield fake, server


def start_bot(
    tmp_path: Path, base_url: str, token: str | None = TOKEN, extra_config: str = ""
) -> subprocess.Popen[str]:
    config = tmp_path / "bot.yaml"
    config.write_text(
        f"briefings: {{dir: {ROOT / 'briefings'}}}\n"
        f"storage: {{path: {tmp_path / 'state.sqlite3'}}}\n" + extra_config,
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env |= {"TELEGRAM_API_BASE_URL": base_url, "PYTHONPATH": str(ROOT)}
    if token is not None:
        env["TELEGRAM_BOT_TOKEN"] = token
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )


def stop(process: subprocess.Popen[str], *, terminate: bool = True) -> tuple[int, str]:
    if terminate and process.poll() is None:
        process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=20)
    return process.returncode, out + err


class TestPolling:
    """The bot long-polls, answers, logs without the token, and stops cleanly on SIGTERM."""

    def test_answers_a_command_and_stops_on_sigterm(
        self, api: tuple[FakeBotAPI, FakeBotAPIServer], tmp_path: Path
    ) -> None:
        fake, server = api
        process = start_bot(tmp_path, server.base_url)
        try:
            assert wait_for(lambda: fake.commands, STARTUP_TIMEOUT), "bot never registered menus"
            updates = UpdateFactory()
            # The briefings load in the background: until they are in, the bot says so.
            for attempt in range(1, 21):
                fake.push_update(updates.message("/quotes Starmer", chat_id=777))
                assert wait_for(lambda n=attempt: len(fake.messages_to(777)) == n)
                if not fake.messages_to(777)[-1].visible_text.startswith("Still loading"):
                    break
        finally:
            code, output = stop(process)
        answer = fake.messages_to(777)[-1]
        assert "Keir Starmer, Prime Minister of the United Kingdom" in answer.visible_text
        assert code == 0, output
        assert "chat=777 command=/quotes took=" in output
        assert TOKEN not in output
        assert TOKEN.split(":")[1] not in output
        assert "Traceback" not in output

    def test_rejected_token_is_one_line_and_exit_2(
        self, api: tuple[FakeBotAPI, FakeBotAPIServer], tmp_path: Path
    ) -> None:
        _, server = api
        wrong = token_like(987654321, "WrongToken")
        process = start_bot(tmp_path, server.base_url, token=wrong)
        code, output = stop(process, terminate=False)
        assert code == 2
        assert output.strip().splitlines()[-1] == (
            "briefbot: Telegram rejected the bot token; check TELEGRAM_BOT_TOKEN."
        )
        assert "Traceback" not in output
        assert wrong not in output
        assert wrong.split(":")[1] not in output

    def test_missing_token(self, tmp_path: Path) -> None:
        process = start_bot(tmp_path, "http://127.0.0.1:9/bot", token=None)
        code, output = stop(process, terminate=False)
        assert code == 2
        assert output.strip() == (
            "briefbot: no bot token: set the TELEGRAM_BOT_TOKEN environment variable"
        )


class TestWebhook:
    """In webhook mode, requests without the right secret token are refused."""

    def test_secret_token_is_checked(
        self, api: tuple[FakeBotAPI, FakeBotAPIServer], tmp_path: Path
    ) -> None:
        fake, server = api
        port = free_port()
        url = f"http://127.0.0.1:{port}/telegram"
        webhook = (
            f"telegram: {{webhook: {{url: '{url}', listen: 127.0.0.1, port: {port},"
            " secret_token: s3cret-value}}\n"
        )
        process = start_bot(tmp_path, server.base_url, extra_config=webhook)
        try:
            assert wait_for(lambda: fake.webhook_url == url, STARTUP_TIMEOUT)
            update = json.dumps(UpdateFactory().message("/timeline", chat_id=555))
            headers = {"Content-Type": "application/json"}
            assert wait_for(lambda: _post(url, update, headers) is not None)
            assert _post(url, update, headers) == 403
            wrong = headers | {"X-Telegram-Bot-Api-Secret-Token": "guess"}
            assert _post(url, update, wrong) == 403
            assert fake.messages_to(555) == []
            right = headers | {"X-Telegram-Bot-Api-Secret-Token": "s3cret-value"}
            assert _post(url, update, right) == 200
            assert wait_for(lambda: fake.messages_to(555))
        finally:
            code, output = stop(process)
        assert "Timeline" in fake.messages_to(555)[0].visible_text
        assert code == 0, output
        assert "s3cret-value" not in output
        assert TOKEN not in output


def _post(url: str, body: str, headers: dict[str, str]) -> int | None:
    try:
        return httpx.post(url, content=body, headers=headers, timeout=5).status_code
    except httpx.TransportError:
        return None


class _HTMLPage(BaseHTTPRequestHandler):
    """A web server that is not the Bot API: every request gets an HTML page."""

    status = 200

    def do_POST(self) -> None:
        body = b"<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>"
        self.send_response(self.status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _HTMLNotFound(_HTMLPage):
    status = 404


@contextmanager
def html_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def silent_server() -> Iterator[int]:
    """Accepts connections (the kernel does, from the backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


class TestUnreachable:
    """A Bot API that cannot be reached at start-up: one line without the token, exit 4."""

    QUICK = "telegram: {startup_timeout: 0.5}\n"

    def run_against(self, tmp_path: Path, port: int) -> tuple[int, str]:
        base_url = f"http://127.0.0.1:{port}/bot"
        started = time.monotonic()
        process = start_bot(tmp_path, base_url, extra_config=self.QUICK)
        code, output = stop(process, terminate=False)
        assert time.monotonic() - started < 15
        assert "Traceback" not in output
        assert TOKEN not in output
        assert TOKEN.split(":")[1] not in output
        assert len(output.strip().splitlines()) == 1, output
        return code, output.strip()

    def expected(self, port: int, cause: str) -> str:
        return (
            rf"briefbot: cannot reach the Telegram Bot API at http://127\.0\.0\.1:{port}/bot…:"
            rf" {cause} \(tried \d+ times? over [01](\.\d)? s\)"
        )

    def test_connection_refused(self, tmp_path: Path) -> None:
        port = free_port()
        code, line = self.run_against(tmp_path, port)
        assert code == 4
        assert re.fullmatch(self.expected(port, "connection refused"), line), line
        assert "tried 1 time " not in line  # it did retry

    def test_a_web_page_instead_of_the_bot_api(self, tmp_path: Path) -> None:
        with html_server(_HTMLPage) as port:
            code, line = self.run_against(tmp_path, port)
        assert code == 4
        assert re.fullmatch(self.expected(port, "the server's answer is not Bot API JSON"), line)

    def test_a_not_found_page_is_not_a_rejected_token(self, tmp_path: Path) -> None:
        with html_server(_HTMLNotFound) as port:
            code, line = self.run_against(tmp_path, port)
        assert code == 4
        cause = r"the server's answer is not Bot API JSON, HTTP Not Found \(404\)"
        assert re.fullmatch(self.expected(port, cause), line), line

    def test_a_server_that_never_answers(self, tmp_path: Path) -> None:
        with silent_server() as port:
            code, line = self.run_against(tmp_path, port)
        assert code == 4
        assert re.fullmatch(self.expected(port, r"no answer within 1 s"), line), line
