"""Walking input folders: a symlink loop, a symlinked folder and an unreadable folder each end in
rows (or are read), never in a crash or in silence, for `extract` and `check` alike."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from cli import app
from extract.load import iter_sources
from tests.conftest import REPO

runner = CliRunner()


@pytest.fixture()
def tree(tmp_path: Path, records_dir: Path) -> Path:
    """inputs/ with two studies, a folder symlinked in from elsewhere, and symlink loops."""
    inputs = tmp_path / "inputs"
    (inputs / "sub").mkdir(parents=True)
    shutil.copy(records_dir / "ctgov-v2" / "NCT05594173.json", inputs / "a.json")
    shutil.copy(records_dir / "ctgov-xml" / "NCT00055497.xml", inputs / "sub" / "b.xml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(records_dir / "ctgov-xml" / "NCT00001177.xml", elsewhere / "c.xml")
    (inputs / "linked").symlink_to(elsewhere, target_is_directory=True)  # a symlinked folder: read
    (inputs / "sub" / "up").symlink_to("..", target_is_directory=True)  # a folder loop
    (inputs / "loop1").symlink_to("loop2")  # a file-symlink loop (readlink chain that never ends)
    (inputs / "loop2").symlink_to("loop1")
    return inputs


def _extract_rows(inputs: Path, out: Path) -> list[dict]:
    result = runner.invoke(app, ["extract", str(inputs), "-o", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return [orjson.loads(line) for line in out.read_bytes().splitlines()]


def test_symlink_loops_become_rows_and_the_batch_finishes(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    rows = _extract_rows(tree, out)
    by_path = {Path(r["source"]["path"]).relative_to(tree).as_posix(): r for r in rows}
    assert sorted(by_path) == ["a.json", "linked/c.xml", "loop1", "loop2", "sub/b.xml", "sub/up"]
    ok = {p: by_path[p]["record"]["nct_id"] for p in by_path if by_path[p]["status"] == "ok"}
    assert ok == {"a.json": "NCT05594173", "sub/b.xml": "NCT00055497", "linked/c.xml": "NCT00001177"}
    assert by_path["sub/up"]["error"]["type"] == "SymlinkLoop"
    assert {by_path[p]["error"]["type"] for p in ("loop1", "loop2")} == {"UnreadableInput"}
    assert "symbolic links" in by_path["loop1"]["error"]["message"]  # ELOOP's own words
    # a re-run resumes: the same rows, none added, and it too finishes
    assert _extract_rows(tree, out) == rows


def test_check_walks_the_same_folder_to_the_end(tree: Path) -> None:
    result = runner.invoke(app, ["check", str(tree), "--format", "jsonl"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "SymlinkLoop" in result.stderr and "sub/up" in result.stderr


def test_a_folder_linked_twice_is_read_once(tmp_path: Path, records_dir: Path) -> None:
    inputs = tmp_path / "inputs"
    (inputs / "real").mkdir(parents=True)
    shutil.copy(records_dir / "ctgov-xml" / "NCT00055497.xml", inputs / "real" / "b.xml")
    (inputs / "zz_again").symlink_to(inputs / "real", target_is_directory=True)
    sources = list(iter_sources([str(inputs)], max_bytes=10**7))
    assert [(Path(s.path).relative_to(inputs).as_posix(), s.error.type_name if s.error else None) for s in sources] == [
        ("real/b.xml", None),
        ("zz_again", "SymlinkLoop"),
    ]


# --- an unreadable folder --------------------------------------------------------------------------

_WALK = "import json, sys; from extract.load import iter_sources; print(json.dumps([[s.path, s.error.type_name if s.error else None, str(s.error or '')] for s in iter_sources(sys.argv[1:], max_bytes=10**7)]))"


DROP_DAC = [
    "setpriv",
    "--bounding-set=-dac_override,-dac_read_search",
    "--inh-caps=-dac_override,-dac_read_search",
    "--",
]


def test_an_unreadable_folder_is_an_error_row_not_silence(tmp_path: Path, records_dir: Path) -> None:
    inputs = tmp_path / "inputs"
    (inputs / "locked").mkdir(parents=True)
    shutil.copy(records_dir / "ctgov-xml" / "NCT00055497.xml", inputs / "b.xml")
    shutil.copy(records_dir / "ctgov-xml" / "NCT00001177.xml", inputs / "locked" / "c.xml")
    (inputs / "locked").chmod(0o000)
    command = [sys.executable, "-c", _WALK, str(inputs)]
    if os.geteuid() == 0:
        # root reads a chmod-000 folder anyway (CAP_DAC_OVERRIDE): walk without that capability
        if shutil.which("setpriv") is None:
            pytest.skip("running as root and setpriv (util-linux) is missing: cannot drop CAP_DAC_OVERRIDE")
        command = DROP_DAC + command
    try:
        result = subprocess.run(command, cwd=REPO, capture_output=True, timeout=60)
    finally:
        (inputs / "locked").chmod(0o755)
    if os.geteuid() == 0 and result.returncode != 0 and b"setpriv" in result.stderr:
        pytest.skip(f"cannot drop root's file-permission override here: {result.stderr[-300:]!r}")
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    walked = json.loads(result.stdout)
    if any(path.endswith("c.xml") for path, _, _ in walked):
        pytest.skip("the walker could still read a chmod-000 folder (capabilities were not dropped)")
    assert [(Path(p).relative_to(inputs).as_posix(), t) for p, t, _ in walked] == [
        ("b.xml", None),
        ("locked", "UnreadableInput"),
    ]
    assert "cannot list folder" in walked[1][2] and "Permission denied" in walked[1][2]


def test_a_fifo_in_a_folder_is_an_error_row_not_a_hang(tmp_path: Path, records_dir: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    shutil.copy(records_dir / "ctgov-xml" / "NCT00055497.xml", inputs / "b.xml")
    os.mkfifo(inputs / "pipe.txt")  # opening it for reading waits for a writer that never comes
    try:
        result = subprocess.run([sys.executable, "-c", _WALK, str(inputs)], cwd=REPO, capture_output=True, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("the walk blocked on a FIFO")
    walked = json.loads(result.stdout)
    assert [(Path(p).name, t) for p, t, _ in walked] == [("b.xml", None), ("pipe.txt", "UnreadableInput")]
    assert "not a regular file" in walked[1][2]
