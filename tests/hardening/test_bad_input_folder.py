"""Every known bad input in one folder (bench/bad_inputs_bench.py builds it; a 1 MB page here
instead of 30 MB) runs through one `extract` and one `check`: rows in = rows out, no traceback,
and the endpoint's request count equals the attempts the rows report."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType

import orjson
import pytest

from tests.conftest import REPO
from tests.llm.fake_openai import EverySecondFails, FakeOpenAI, copying_answers


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bad_inputs_bench", REPO / "bench" / "bad_inputs_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_bad_input_folder_runs_to_completion(tmp_path: Path, records_dir: Path) -> None:
    bench = _bench()
    folder = tmp_path / "inputs"
    records_in = bench.build(folder, 1, "prose")
    drop_dac = os.geteuid() == 0 and shutil.which("setpriv") is not None
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_BASE_URL"}
    out = tmp_path / "out.jsonl"
    fake = FakeOpenAI().start()
    fake.responder = EverySecondFails(copying_answers, stall_s=3.0)
    model = ["--base-url", fake.base_url, "--model", "fake-model", "--mode", "tools", "--strategy", "sectioned"]
    try:
        extract = bench.run(
            "extract",
            ["extract", str(folder), "-o", str(out), *model, "--timeout", "2", "--cache-dir", str(tmp_path / "c")],
            env,
            drop_dac,
        )
    finally:
        fake.stop()
    check = bench.run("check", ["check", str(folder), "--format", "jsonl"], env, drop_dac)
    (folder / "locked").chmod(0o755)
    for result in (extract, check):
        assert not result.traceback, result.stderr.decode()[-3000:]
        assert result.code == 3, result.stderr.decode()[-3000:]  # 3: some records are error rows (not a crash)
    rows = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert len(rows) == records_in
    assert bench.checked_records(check.stderr) == records_in
    assert sum(r["provenance"].get("attempts", 0) for r in rows) == len(fake.chat_requests) > 0
    types = {r["error"]["type"] for r in rows if r["status"] == "error"}
    assert {"SymlinkLoop", "UnreadableInput", "UnsafeXML", "BinaryInput", "InputTooLarge"} <= types
    if drop_dac or os.geteuid() != 0:
        locked = [r for r in rows if r["source"]["path"].endswith("locked")]
        assert [r["error"]["type"] for r in locked] == ["UnreadableInput"]


if sys.platform != "linux":  # symlinks, chmod and setpriv as the bench uses them
    pytestmark = pytest.mark.skip(reason="needs Linux")
