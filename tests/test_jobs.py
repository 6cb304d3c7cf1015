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


def _member_texts(archive_path: str) -> list[str]:
    """In a worker: the members of the archive, read through the worker's `_open_zip`."""
    import os

    from extract.load import archives

    stat = os.stat(archive_path)
    archive = archives._open_zip(archive_path, stat.st_mtime_ns, stat.st_size, os.getpid())
    return [archive.read(name).decode() for name in archive.namelist()]


def _worker_reads(archive_path: str) -> list[tuple[int, list[str]]]:
    import os

    return [(os.getpid(), _member_texts(archive_path))]


def test_a_worker_reuses_the_parents_zip_listing_with_a_file_of_its_own(tmp_path: Path) -> None:
    import os

    from extract.load import archives

    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for n in range(50):
            out.writestr(f"NCT{n:08d}.txt", f"member {n} " * 40)
    stat = os.stat(path)
    parent = archives._open_zip(str(path), stat.st_mtime_ns, stat.st_size, os.getpid())
    # another process (as a forked worker sees it): the parsed listing is shared, the file handle is not
    child = archives._open_zip(str(path), stat.st_mtime_ns, stat.st_size, os.getpid() + 1)
    assert child is not parent and child.fp is not parent.fp
    assert child.filelist is parent.filelist
    assert [child.read(n) for n in child.namelist()] == [parent.read(n) for n in parent.namelist()]
    # real workers, reading members in turns with the parent: every member intact
    expected = [f"member {n} " * 40 for n in range(50)]
    results = list(ordered_flat_map(_worker_reads, iter([str(path)] * 8), jobs=2, chunk_items=1))
    assert {pid for pid, _ in results} - {os.getpid()}
    assert all(texts == expected for _, texts in results)
    # a file replaced since it was listed is parsed anew, not read through the old listing
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("other.txt", "new")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    newer = os.stat(path)
    fresh = archives._open_zip(str(path), newer.st_mtime_ns, newer.st_size, os.getpid() + 2)
    assert fresh.namelist() == ["other.txt"]


def _frozen(_: int) -> list[int]:
    import gc

    return [gc.get_freeze_count()]


def test_workers_keep_the_inherited_heap_out_of_the_collector() -> None:
    """A forked worker's inherited objects (the imports) are frozen: its collections do not walk them
    (nor copy their pages by writing their headers). The main process's collector is left as it was."""
    import gc

    before = gc.get_freeze_count()
    counts = list(ordered_flat_map(_frozen, iter(range(4)), jobs=2, chunk_items=1))
    assert len(counts) == 4 and all(count > 10_000 for count in counts)
    assert gc.get_freeze_count() == before
