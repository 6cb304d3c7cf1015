"""A 1 GiB JSONL through `trialqa check`: streamed line by line, peak memory flat (under 300 MB).

The file is generated in a temporary folder: blocks of the 138 real records' extraction rows, error
rows, and one line over the 32 MiB per-record limit, repeated to 1 GiB. Every line is accounted for:
the real rows are checked, each error row and each oversized line is one error. About 20-40 s on
two cores, so it runs in the normal suite (scripts/test.sh).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

from tests.conftest import REPO

GIB = 1 << 30
LIMIT = 32 * 1024 * 1024
RSS_LIMIT_MB = 300


def _real_rows(records_dir: Path) -> list[bytes]:
    from extract.load import iter_sources
    from extract.pipeline import extract_structured

    sources = iter_sources([str(records_dir / "ctgov-v2"), str(records_dir / "ctgov-xml")])
    return [extract_structured(source).to_json_line() for source in sources]


def _error_row(index: int) -> bytes:
    row = {
        "source": {"id": f"ERR{index}", "kind": "ctgov_xml", "path": "gone.xml", "sha256": "0" * 64},
        "status": "error",
        "error": {"type": "NotAStudy", "message": "not a study " + "x" * 8000},
        "provenance": {},
    }
    return orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE)


def _write_gib(path: Path, real: list[bytes]) -> dict[str, int]:
    errors_per_block = 600
    oversized = b'{"pad": "' + b"y" * (LIMIT + 1024) + b'"}\n'
    counts = {"real": 0, "error": 0, "oversized": 0}
    with path.open("wb") as out:
        while out.tell() < GIB:
            out.writelines(real)
            counts["real"] += len(real)
            out.writelines(_error_row(i) for i in range(errors_per_block))
            counts["error"] += errors_per_block
            out.write(oversized)
            counts["oversized"] += 1
    return counts


def test_a_1_gib_jsonl_checks_in_flat_memory(tmp_path: Path, records_dir: Path) -> None:
    real = _real_rows(records_dir)
    ok_rows = sum(b'"status":"ok"' in row for row in real)
    big = tmp_path / "big.jsonl"
    try:
        counts = _write_gib(big, real)
        _check_in_flat_memory(tmp_path, big, counts, ok_rows)
    finally:
        big.unlink(missing_ok=True)  # pytest keeps recent tmp folders: do not leave a GiB behind


def _check_in_flat_memory(tmp_path: Path, big: Path, counts: dict[str, int], ok_rows: int) -> None:
    assert big.stat().st_size >= GIB
    check = [sys.executable, "-c", "import cli; cli.main()", "check", str(big), "-f", "jsonl", "--jobs", "2"]
    # a fresh parent whose RUSAGE_CHILDREN covers only this check (and its worker processes)
    measure = (
        "import resource, subprocess, sys; "
        f"done = subprocess.run({check!r}, stdout=subprocess.DEVNULL, stderr=open({str(tmp_path / 'err.txt')!r}, 'w')); "
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    result = subprocess.run([sys.executable, "-c", measure], capture_output=True, text=True, cwd=REPO, timeout=900)
    code, peak_kib = map(int, result.stdout.split())
    stderr = (tmp_path / "err.txt").read_text()
    summary = next(line for line in reversed(stderr.splitlines()) if line.startswith("records: "))
    records = counts["real"] + counts["error"] + counts["oversized"]
    blocks = counts["oversized"]
    assert code == 3, stderr[-2000:]  # finished, no crash; 3: some records are error rows
    assert summary.startswith(f"records: {records}  checked: {ok_rows * blocks}  "), summary
    assert f"errors: {records - ok_rows * blocks}" in summary
    assert stderr.count("InputTooLarge") == counts["oversized"]
    peak_mb = peak_kib * 1024 / 1e6
    print(f"1 GiB JSONL ({records:,} lines): peak RSS {peak_mb:.0f} MB (pytest -s shows this)")
    assert peak_mb < RSS_LIMIT_MB, f"peak RSS {peak_mb:.0f} MB"
