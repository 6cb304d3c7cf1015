"""The API key can come from a file or the environment, so it need not sit on the command line
(where `ps` and shell history show it), and --help says so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from extract.llm.client import EndpointConfig

runner = CliRunner()


def _plain(text: str) -> str:
    """--help text without colour codes and box drawing, words joined across wrapped lines."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


@pytest.mark.parametrize("command", ["extract", "eval"])
def test_help_steers_away_from_a_key_on_the_command_line(command: str) -> None:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    shown = _plain(result.output)
    assert "--api-key-file" in shown
    assert "$OPENAI_API_KEY" in shown
    assert "`ps`" in shown


def test_key_file_supplies_the_key(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("sk-from-file-123\n", encoding="utf-8")
    config = EndpointConfig.from_options(base_url="http://h/v1", api_key_file=key_file, environ={})
    assert config.api_key == "sk-from-file-123"


def test_flag_beats_key_file_and_key_file_beats_environment(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("sk-file", encoding="utf-8")
    env = {"OPENAI_API_KEY": "sk-env"}
    assert EndpointConfig.from_options(api_key="sk-flag", api_key_file=key_file, environ=env).api_key == "sk-flag"
    assert EndpointConfig.from_options(api_key_file=key_file, environ=env).api_key == "sk-file"
    assert EndpointConfig.from_options(environ=env).api_key == "sk-env"


def test_a_missing_or_malformed_key_file_is_a_usage_error_that_does_not_echo_the_file(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["extract", "-", "--api-key-file", str(tmp_path / "nope")], input="")
    assert missing.exit_code == 2
    assert "cannot read" in _plain(missing.output)
    two_lines = tmp_path / "two"
    two_lines.write_text("sk-secret-one\nsk-secret-two\n", encoding="utf-8")
    bad = runner.invoke(app, ["extract", "-", "--api-key-file", str(two_lines)], input="")
    assert bad.exit_code == 2
    assert "sk-secret" not in bad.output
