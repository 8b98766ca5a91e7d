"""The `briefbot` command line: validate, schema, and config errors, as a user sees them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import EXIT_CONFIG, EXIT_ERRORS, EXIT_OK, main

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "briefings"

GOOD = "title: Fine\npublished: 2025-03-15\nsummary: All good.\n"


@pytest.fixture(autouse=True)
def no_config_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests pass `--config` or paths explicitly; the environment must not interfere."""
    monkeypatch.delenv("BRIEFBOT_CONFIG", raising=False)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A folder with one good briefing and two broken ones."""
    folder = tmp_path / "briefings"
    folder.mkdir()
    (folder / "a-good.yaml").write_text(GOOD, encoding="utf-8")
    (folder / "b-typo.yaml").write_text(GOOD + "quotse: []\n", encoding="utf-8")
    (folder / "c-syntax.yaml").write_text("title: [oops\nsummary: S\n", encoding="utf-8")
    return folder


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run `briefbot argv` in-process; return the exit code, stdout and stderr."""
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def write_config(tmp_path: Path, text: str) -> Path:
    """A config file with `text`."""
    path = tmp_path / "bot.yaml"
    path.write_text(text, encoding="utf-8")
    return path


class TestValidate:
    """`briefbot validate` prints one line per error and a summary, and exits 1 on any error."""

    def test_shipped_folder_is_valid(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, err = run(["validate", str(SHIPPED)], capsys)
        assert code == EXIT_OK
        assert out == ""
        assert re.fullmatch(r"OK: \d+ briefings? valid\.\n", err)

    def test_broken_files(self, broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, err = run(["validate", str(broken)], capsys)
        assert code == EXIT_ERRORS
        lines = out.splitlines()
        assert lines[0] == (
            f"{broken / 'b-typo.yaml'}:4: quotse: unknown field (check the spelling; see "
            "`briefbot schema`)"
        )
        assert lines[1].startswith(f"{broken / 'c-syntax.yaml'}:2: YAML error: ")
        assert len(lines) == 2
        assert err == "2 errors in 2 files; 1 valid briefing.\n"

    def test_single_file_reports_each_error_once(
        self, broken: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, err = run(["validate", str(broken / "b-typo.yaml")], capsys)
        assert code == EXIT_ERRORS
        assert len(out.splitlines()) == 1
        assert err == "1 error in 1 file; 0 valid briefings.\n"

    def test_several_paths(self, broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run(["validate", str(broken / "a-good.yaml"), str(SHIPPED)], capsys)
        assert code == EXIT_OK
        assert re.fullmatch(r"OK: \d+ briefings? valid\.\n", err)

    def test_nonexistent_path(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        missing = tmp_path / "nowhere"
        code, out, err = run(["validate", str(missing)], capsys)
        assert code == EXIT_ERRORS
        assert out == f"{missing}: no such file or folder\n"
        assert err == "1 error in 1 file; 0 valid briefings.\n"

    def test_hostile_input_never_gives_a_traceback(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        folder = tmp_path / "nasty"
        folder.mkdir()
        files: dict[str, bytes] = {
            "binary.yaml": bytes(range(256)),
            "nul.yaml": b"title: T\x00\npublished: 2025-03-15\nsummary: S\n",
            "deep.yaml": b"title: " + b"[" * 5000 + b"]" * 5000 + b"\n",
            "tag.yaml": b"title: !!python/object/apply:os.system ['true']\n",
            "alias.yaml": b"a: &a [x, x]\nb: &b [*a, *a]\ntags: *b\n",
            "date-key.yaml": b"2025-01-01: x\n",
            "huge-date.yaml": b"title: T\npublished: 99999-01-01\nsummary: S\n",
            "number.yaml": b"title: T\npublished: 1e400\nsummary: S\n",
            "list.yaml": b"- 1\n",
        }
        for name, raw in files.items():
            (folder / name).write_bytes(raw)
        (folder / "folder.yaml").mkdir()  # not a file: named, never opened

        code, out, err = run(["validate", str(folder)], capsys)

        assert code == EXIT_ERRORS
        lines = out.splitlines()
        assert {Path(line.split(":")[0]).name for line in lines} == {*files, "folder.yaml"}
        assert all(re.match(rf"{re.escape(str(folder))}/[\w.-]+(:\d+)?: \S", x) for x in lines)
        assert err == f"{len(lines)} errors in {len(files) + 1} files; 0 valid briefings.\n"
        assert "Traceback" not in out + err

    def test_default_is_the_configured_folder(
        self, tmp_path: Path, broken: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        config = write_config(tmp_path, f"briefings:\n  dir: {broken}\n")
        code, out, _ = run(["validate", "--config", str(config)], capsys)
        assert code == EXIT_ERRORS
        assert len(out.splitlines()) == 2


class TestConfigErrors:
    """An invalid config file exits 2 with a message naming the key."""

    @pytest.mark.parametrize("position", ["before", "after"])
    def test_unknown_time_zone(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], position: str
    ) -> None:
        config = write_config(tmp_path, "digest:\n  timezone: Mars/Olympus\n")
        argv = ["validate", "--config", str(config)]
        if position == "before":
            argv = ["--config", str(config), "validate"]
        code, out, err = run(argv, capsys)
        assert code == EXIT_CONFIG
        assert out == ""
        assert err == (
            f"briefbot: {config}: digest.timezone: unknown time zone 'Mars/Olympus'; "
            "use an IANA name such as Europe/Berlin\n"
        )

    def test_cron_with_four_fields(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        config = write_config(tmp_path, 'digest:\n  cron: "0 8 * *"\n')
        code, _, err = run(["validate", "--config", str(config)], capsys)
        assert code == EXIT_CONFIG
        assert err.startswith(f"briefbot: {config}: digest.cron: ")
        assert "5 fields" in err and "got 4" in err

    def test_every_problem_is_listed(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        config = write_config(
            tmp_path, "digest:\n  timezone: Nowhere\n  max_items: 0\nbriefings:\n  dri: x\n"
        )
        code, _, err = run(["validate", "--config", str(config)], capsys)
        assert code == EXIT_CONFIG
        assert f"{config}: briefings.dri: unknown setting" in err
        assert f"{config}: digest.timezone: unknown time zone 'Nowhere'" in err
        assert f"{config}: digest.max_items: " in err

    def test_missing_config_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        missing = tmp_path / "none.yaml"
        code, _, err = run(["validate", "--config", str(missing)], capsys)
        assert code == EXIT_CONFIG
        assert err == f"briefbot: {missing}: config file not found\n"

    def test_config_yaml_syntax_error(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        config = write_config(tmp_path, "digest: [\n")
        code, _, err = run(["validate", "--config", str(config)], capsys)
        assert code == EXIT_CONFIG
        assert err.startswith(f"briefbot: {config}:2: YAML error: ")


class TestSchema:
    """`briefbot schema` prints the JSON Schema editors write briefings against."""

    def test_schema(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(["schema"], capsys)
        assert code == EXIT_OK
        schema = json.loads(out)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert "title" in schema["required"]
        assert {"published", "summary"} <= set(schema["required"])
        assert "id" not in schema["required"]
        assert "id" in schema["properties"]
        assert schema["additionalProperties"] is False
        for name in ("Quote", "Attendee", "Source", "Related", "TimelineEntry"):
            assert schema["$defs"][name]["additionalProperties"] is False
        assert schema["$defs"]["Quote"]["required"] == ["speaker", "text"]
        statuses = json.dumps(schema["$defs"])
        assert all(s in statuses for s in ("host", "confirmed", "expected", "undecided", "absent"))

    def test_schema_states_the_limits(self, capsys: pytest.CaptureFixture[str]) -> None:
        _, out, _ = run(["schema"], capsys)
        schema = json.loads(out)
        top, defs = schema["properties"], schema["$defs"]
        assert top["title"]["maxLength"] == 200
        assert top["summary"]["maxLength"] == 2000
        assert (top["tags"]["maxItems"], top["tags"]["items"]["maxLength"]) == (20, 40)
        assert (top["key_points"]["maxItems"], top["key_points"]["items"]["maxLength"]) == (20, 500)
        assert [
            top[name]["maxItems"] for name in ("attendees", "quotes", "related", "timeline")
        ] == [
            200,
            200,
            100,
            100,
        ]
        assert defs["Quote"]["properties"]["text"]["maxLength"] == 1500
        assert defs["TimelineEntry"]["properties"]["when"]["maxLength"] == 80
        assert "1048576 bytes" in schema["description"]


class TestProcess:
    """`python -m bot` runs the same command line as a process."""

    def test_python_m_bot_validate(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("BRIEFBOT_CONFIG", None)
        result = subprocess.run(
            [sys.executable, "-m", "bot", "validate", "briefings/"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout == ""
        assert re.fullmatch(r"OK: \d+ briefings? valid\.\n", result.stderr)


class TestClosedOutput:
    """A reader that stops early (`| head`) ends the command quietly, without a traceback."""

    def test_simulate_into_head(self) -> None:
        shipped = ROOT / "config" / "bot.yaml"
        simulate = subprocess.Popen(
            [sys.executable, "-m", "bot", "simulate", "--config", str(shipped), "--script", "-",
             "--at", "2026-11-25T07:00Z"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
        )  # fmt: skip
        assert simulate.stdin is not None and simulate.stdout is not None
        simulate.stdin.write(b"/summary\n" * 50)
        simulate.stdin.close()
        assert simulate.stdout.readline().startswith(b"\xc2\xbb /summary")
        simulate.stdout.close()  # as `head -1` does
        assert simulate.wait(timeout=60) == 0
        assert simulate.stderr is not None
        err = simulate.stderr.read()
        assert b"Traceback" not in err
