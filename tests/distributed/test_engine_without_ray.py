"""Without the `ray` extra, `--engine ray` is a usage error that says how to install it (and trialqa
itself imports and runs without Ray)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

runner = CliRunner()


@pytest.fixture
def no_ray(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "ray" or m.startswith("ray.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError


@pytest.mark.parametrize("command", ["extract", "check"])
def test_engine_ray_without_ray_says_how_to_install(
    no_ray: None, command: str, records_dir: Path, tmp_path: Path
) -> None:
    extra = ["-o", str(tmp_path / "rows.jsonl")] if command == "extract" else []
    result = runner.invoke(app, [command, str(records_dir / "ctgov-v2"), *extra, "--engine", "ray"])
    assert result.exit_code == 2, result.output
    assert "pip install 'trialqa[ray]'" in " ".join(result.output.replace("│", " ").split())
    assert not (tmp_path / "rows.jsonl").exists() or (tmp_path / "rows.jsonl").read_bytes() == b""
