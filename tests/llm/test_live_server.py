"""The real embedded model server (the `[local]` extra), killed in the middle of `trialqa extract`.

Runs where llama-cpp-python and the model parts are installed (CI installs them); skipped elsewhere,
saying why. The same command a user runs, as a child process: no stand-ins, no monkeypatching.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from extract.errors import ModelSetupError
from extract.llm import local_model
from extract.llm.server import llama_cpp_installed
from tests.conftest import REPO


def _model_installed() -> bool:
    try:
        local_model.locate_parts()
    except ModelSetupError:
        return False
    return llama_cpp_installed()


pytestmark = pytest.mark.skipif(
    not _model_installed(), reason="the [local] extra (model server and parts) is not installed"
)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found += [int(child) for child in children]
    return found


def _model_server_of(pid: int) -> int | None:
    for child in _children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"llama_cpp.server" in cmdline:
            return child
    return None


def _rows(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def test_a_model_server_killed_mid_batch_is_named_stops_requests_and_is_resumed(
    records_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "seeds.jsonl"
    command = [
        sys.executable, "-m", "cli", "extract", str(records_dir / "pages"),
        "-o", str(out), "--cache-dir", str(tmp_path / "responses"),
    ]  # fmt: skip
    stderr_path = tmp_path / "stderr.txt"
    with stderr_path.open("wb") as stderr:
        run = subprocess.Popen(command, cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            deadline = time.monotonic() + 600
            while not (out.exists() and out.read_bytes().count(b"\n") >= 1):
                assert run.poll() is None, stderr_path.read_text()
                assert time.monotonic() < deadline, "no row within 10 minutes"
                time.sleep(0.2)
            server = _model_server_of(run.pid)
            assert server is not None, "no llama_cpp.server child of trialqa"
            os.kill(server, signal.SIGKILL)
            killed_at = time.monotonic()
            code = run.wait(timeout=120)
            after_kill = time.monotonic() - killed_at
        finally:
            if run.poll() is None:
                run.kill()
    said = stderr_path.read_text(encoding="utf-8", errors="replace")
    rows = _rows(out)

    assert code == 4, said  # the model server died: not "all ok", not "some records were bad"
    assert "embedded model server killed by SIGKILL" in said and "llama-server-" in said and ".log" in said
    assert "run the same command again to resume" in said
    assert len(rows) == 5  # rows out = records in
    died = [row for row in rows if row["status"] == "error"]
    assert died and all(row["error"]["type"] == "ModelServerDied" for row in died)
    assert all("no further requests were sent" in row["error"]["message"] for row in died)
    # No request waits on a dead server: five tries with backoff would take 15 s per record.
    assert after_kill < 10, f"{after_kill:.1f} s from the kill to the end of the run"

    again = subprocess.run(command, cwd=REPO, stdin=subprocess.DEVNULL, capture_output=True, timeout=900)
    assert again.returncode == 0, again.stderr.decode(errors="replace")
    rows = _rows(out)
    assert len(rows) == 5 and all(row["status"] == "ok" for row in rows)
