"""Commands load what they use: `trialqa check` of a million records starts in about half a second,
not two (instructor + openai import in ~1.5 s), and loading the command line itself (every command,
`--help`) loads no command's stage code: not the page stack, not the checker, not an HTTP client.
That serial start is also what `--jobs N` cannot share out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_the_command_line_loads_without_the_model_client() -> None:
    loaded = _modules_after("import cli")
    assert "openai" not in loaded and "instructor" not in loaded


def test_the_command_line_loads_no_stage_a_command_may_not_need() -> None:
    loaded = _modules_after("import cli")
    stages = {"extract.pipeline", "extract.check", "extract.page.strategy", "extract.distributed.ray_engine"}
    libraries = {"httpx", "jinja2"}
    assert not loaded & (stages | libraries)


def test_checking_structured_records_never_loads_the_model_client() -> None:
    records = REPO.parent / "shared" / "records" / "ctgov-v2"
    code = (
        "from typer.testing import CliRunner\nimport cli\n"
        f"result = CliRunner().invoke(cli.app, ['check', {str(records)!r}, '-f', 'jsonl', '--jobs', '1'])\n"
        "assert result.exit_code == 0, result.output"
    )
    if not records.is_dir():
        code = "import cli"
    loaded = _modules_after(code)
    assert "openai" not in loaded and "instructor" not in loaded
