"""`briefbot draft`: the YAML it prints or writes, exit codes and error lines, as users see them."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.cli import EXIT_ERRORS, EXIT_OK, main

ROOT = Path(__file__).resolve().parent.parent.parent
SEED = ROOT / "tests" / "fixtures" / "articles" / "ukraine-allies-virtual-meeting.txt"
ARTICLE = "Talks resume\n\nForeign ministers met in Vienna on Tuesday, officials said.\n"


@pytest.fixture(autouse=True)
def no_config_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRIEFBOT_CONFIG", raising=False)


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_draft_prints_yaml_that_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["draft", str(SEED), "--published", "2025-03-15"]) == EXIT_OK
    out, err = capsys.readouterr()
    data = yaml.safe_load(out)
    assert data["title"].startswith("Ukraine’s allies rally")
    assert len(data["quotes"]) == 18
    assert "to review." in err
    saved = tmp_path / f"{data['id']}.yaml"
    saved.write_text(out, encoding="utf-8")
    assert main(["validate", str(saved)]) == EXIT_OK


def test_dash_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_stdin(monkeypatch, ARTICLE.encode())
    assert main(["draft", "-", "--id", "talks", "--published", "2025-03-15T09:00:00+01:00"]) == 0
    data = yaml.safe_load(capsys.readouterr().out)
    assert data["id"] == "talks"
    assert data["title"] == "Talks resume"
    assert data["published"].isoformat() == "2025-03-15T09:00:00+01:00"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "the article is empty"),
        (b"\x00\x01\x02binary", "binary data"),
        (b"Caf\xe9", "not UTF-8 text (byte 3 is 0xe9)"),
    ],
)
def test_unreadable_stdin_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data: bytes, problem: str
) -> None:
    feed_stdin(monkeypatch, data)
    assert main(["draft", "-"]) == EXIT_ERRORS
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"briefbot: <stdin>: {problem}")
    assert err.count("\n") == 1


def test_a_missing_file_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.txt"
    assert main(["draft", str(missing)]) == EXIT_ERRORS
    err = capsys.readouterr().err
    assert err == f"briefbot: {missing}: cannot read: No such file or directory\n"


def test_out_is_never_overwritten_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "draft.yaml"
    assert main(["draft", str(article), "--out", str(out)]) == EXIT_OK
    assert yaml.safe_load(out.read_text())["title"] == "Talks resume"
    capsys.readouterr()

    out.write_text("kept\n", encoding="utf-8")
    assert main(["draft", str(article), "--out", str(out)]) == EXIT_ERRORS
    assert out.read_text() == "kept\n"
    assert capsys.readouterr().err == (
        f"briefbot: {out}: already exists; add --force to overwrite it\n"
    )

    assert main(["draft", str(article), "--out", str(out), "--force"]) == EXIT_OK
    assert yaml.safe_load(out.read_text())["title"] == "Talks resume"


@pytest.mark.parametrize(
    "args",
    [
        ["--published", "15/03/2025"],
        ["--published", "2025-03-15T09:00:00"],
        ["--id", "Not A Slug"],
        ["--source-url", "not a url"],
        ["--source-url", "ftp://example.org/a"],
    ],
)
def test_bad_options_are_usage_errors(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["draft", str(SEED), *args])
    assert exited.value.code == 2
    assert "briefbot draft: error:" in capsys.readouterr().err


def test_the_source_url_names_the_source(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    url = "https://www.example.org/news/talks"
    assert main(["draft", str(article), "--source-url", url]) == EXIT_OK
    source = yaml.safe_load(capsys.readouterr().out)["source"]
    assert source == {"name": "example.org", "url": url}


def test_the_installed_command_runs_from_a_shell(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "draft", "-"],
        input="Talks\n\n“We agreed,” Austrian Chancellor Karl Nehammer said on Monday.\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    quote = yaml.safe_load(done.stdout)["quotes"][0]
    assert (quote["speaker"], quote["text"]) == ("Karl Nehammer", "We agreed")
