"""The output file: a resume never joins two rows, and two runs never write one file at once."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import orjson
from typer.testing import CliRunner

from cli import app
from extract.output_lock import exclusive_output, lock_path
from tests.conftest import REPO

runner = CliRunner()


def _inputs(tmp_path: Path, records_dir: Path, names: list[str]) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(records_dir / "ctgov-xml" / f"{name}.xml", folder / f"{name}.xml")
    return folder


def _ids(out: Path) -> list[str]:
    return [orjson.loads(line)["source"]["id"] for line in out.read_bytes().splitlines()]


def test_resume_after_a_complete_last_row_without_its_newline_keeps_rows_apart(
    tmp_path: Path, records_dir: Path
) -> None:
    folder = _inputs(tmp_path, records_dir, ["NCT00001177", "NCT00023673"])
    out = tmp_path / "out.jsonl"
    assert runner.invoke(app, ["extract", str(folder), "-o", str(out)]).exit_code == 0
    out.write_bytes(out.read_bytes().rstrip(b"\n"))  # the last row is whole, only its newline is missing
    _inputs(tmp_path, records_dir, ["NCT00055081"])  # a new record for the resume to append
    assert runner.invoke(app, ["extract", str(folder), "-o", str(out)]).exit_code == 0
    assert sorted(_ids(out)) == ["NCT00001177", "NCT00023673", "NCT00055081"]  # every line one row


def test_a_second_run_on_the_same_output_is_refused_and_writes_nothing(tmp_path: Path, records_dir: Path) -> None:
    folder = _inputs(tmp_path, records_dir, ["NCT00001177", "NCT00023673"])
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"")
    with exclusive_output(out):  # another run, still writing
        refused = runner.invoke(app, ["extract", str(folder), "-o", str(out)])
    assert refused.exit_code == 2
    assert "another trialqa run" in refused.stderr
    assert out.read_bytes() == b""
    assert runner.invoke(app, ["extract", str(folder), "-o", str(out)]).exit_code == 0  # released: runs
    assert sorted(_ids(out)) == ["NCT00001177", "NCT00023673"]


def test_the_lock_is_held_across_processes_and_released_when_the_holder_dies(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from extract.output_lock import exclusive_output\n"
            "with exclusive_output(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)",
            str(out),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        refused = runner.invoke(app, ["extract", "-", "-o", str(out)], input="")
        assert refused.exit_code == 2 and f"pid {holder.pid}" in refused.stderr
    finally:
        holder.kill()
        holder.wait()
    deadline = time.monotonic() + 10
    while True:  # a killed holder leaves the lock file but not the lock
        result = runner.invoke(app, ["extract", "-", "-o", str(out)], input="")
        if "another trialqa run" not in result.stderr or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert "another trialqa run" not in result.stderr and result.exit_code != 2, result.output
    assert lock_path(out).name == ".out.jsonl.lock"
