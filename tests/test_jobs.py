"""`--jobs N`: worker processes for structured records, the same bytes out in the same order as one
process, and resume unchanged."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from extract.parallel import default_jobs, ordered_flat_map

runner = CliRunner()


def _triple(n: int) -> list[int]:
    return [n] * (n % 3)  # 0, 1 or 2 results per item: flattening must keep input order


def test_ordered_flat_map_keeps_input_order_across_processes() -> None:
    items = range(1000)
    expected = [r for n in items for r in _triple(n)]
    assert list(ordered_flat_map(_triple, iter(items), jobs=2, chunk_items=7)) == expected
    assert list(ordered_flat_map(_triple, iter(items), jobs=1)) == expected


def test_default_jobs_is_the_cores_this_process_may_use() -> None:
    import os

    assert default_jobs() == len(os.sched_getaffinity(0))


def _mixed_inputs(tmp_path: Path, records_dir: Path) -> Path:
    folder = tmp_path / "in"
    shutil.copytree(records_dir / "ctgov-v2", folder / "v2")
    shutil.copytree(records_dir / "ctgov-xml", folder / "xml")
    (folder / "v2" / "broken.json").write_bytes(b'{"protocolSection": ')
    (folder / "xml" / "empty.xml").write_bytes(b"")
    with zipfile.ZipFile(folder / "more.zip", "w") as zf:
        for path in sorted((records_dir / "ctgov-xml").glob("*.xml"))[:20]:
            zf.write(path, f"NCT0000xxxx/{path.name}")
    return folder


def test_extract_jobs_2_writes_the_bytes_jobs_1_writes(tmp_path: Path, records_dir: Path) -> None:
    folder = _mixed_inputs(tmp_path, records_dir)
    outputs, codes = {}, {}
    for jobs in ("1", "2"):
        out = tmp_path / f"rows-{jobs}.jsonl"
        result = runner.invoke(app, ["extract", str(folder), "-o", str(out), "--jobs", jobs])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        outputs[jobs], codes[jobs] = out.read_bytes(), result.exit_code
    assert outputs["1"] == outputs["2"] and codes["1"] == codes["2"]
    assert outputs["1"].count(b"\n") == 13 + 125 + 2 + 20  # rows out = records in


def test_check_jobs_2_finds_what_jobs_1_finds(tmp_path: Path, records_dir: Path) -> None:
    folder = _mixed_inputs(tmp_path, records_dir)
    one = runner.invoke(app, ["check", str(folder), "-f", "jsonl", "--jobs", "1"])
    two = runner.invoke(app, ["check", str(folder), "-f", "jsonl", "--jobs", "2"])
    assert one.exit_code == two.exit_code
    assert one.stdout == two.stdout and one.stdout.count("\n") > 30
    assert one.stderr == two.stderr


def test_resume_with_jobs_2_skips_done_rows_and_completes_the_file(tmp_path: Path, records_dir: Path) -> None:
    folder = _mixed_inputs(tmp_path, records_dir)
    whole = tmp_path / "whole.jsonl"
    first = runner.invoke(app, ["extract", str(folder), "-o", str(whole), "--jobs", "1"])
    lines = whole.read_bytes().splitlines(keepends=True)
    partial = tmp_path / "partial.jsonl"
    partial.write_bytes(b"".join(lines[:70]) + lines[70][:50])  # killed mid-row
    result = runner.invoke(app, ["extract", str(folder), "-o", str(partial), "--jobs", "2"])
    assert result.exit_code == first.exit_code, result.output  # the same rows, so the same verdict
    assert partial.read_bytes() == whole.read_bytes()
    assert "70 (" in result.stderr  # 70 rows resumed
