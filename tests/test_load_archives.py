"""Inputs as registries publish them: zip archives read in place, gzip streams, JSONL of any size.

The byte limit applies to one record (a file, a zip member, a JSONL line): the record over it is one
error row and every other record still loads.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from cli import app
from extract.load import iter_sources
from extract.load.units import stdin_units

runner = CliRunner()


def _v2(records_dir: Path) -> list[Path]:
    return sorted((records_dir / "ctgov-v2").glob("*.json"))


def _xml(records_dir: Path) -> list[Path]:
    return sorted((records_dir / "ctgov-xml").glob("*.xml"))


def _nct(path: Path) -> str:
    return orjson.loads(path.read_bytes())["protocolSection"]["identificationModule"]["nctId"]


def _study_line(path: Path) -> bytes:
    """A v2 study file as one JSONL line."""
    return orjson.dumps(orjson.loads(path.read_bytes())) + b"\n"


def test_zip_members_load_in_archive_order_without_extracting(tmp_path: Path, records_dir: Path) -> None:
    xml_a, xml_b = _xml(records_dir)[:2]
    v2 = _v2(records_dir)[0]
    archive = tmp_path / "bulk.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("NCT0000xxxx/", b"")  # a folder entry
        zf.write(xml_b, f"NCT0000xxxx/{xml_b.name}")
        zf.writestr("NCT0000xxxx/broken.json", b'{"protocolSection": ')
        zf.write(v2, f"v2/{v2.name}")
        zf.writestr("__MACOSX/._junk", b"\x00\x05")
        zf.writestr("v2/.hidden.json", b"{}")
        zf.write(xml_a, f"z/{xml_a.name}")
    before = set(tmp_path.iterdir())
    sources = list(iter_sources([str(archive)]))
    assert set(tmp_path.iterdir()) == before  # nothing unpacked
    assert [s.path for s in sources] == [
        f"{archive}!/NCT0000xxxx/{xml_b.name}",
        f"{archive}!/NCT0000xxxx/broken.json",
        f"{archive}!/v2/{v2.name}",
        f"{archive}!/z/{xml_a.name}",
    ]
    assert [s.kind for s in sources] == ["ctgov_xml", "unknown", "ctgov_v2", "ctgov_xml"]
    assert sources[0].id == xml_b.stem and sources[2].id == _nct(v2)
    assert sources[1].error is not None and sources[1].error.type_name == "InvalidJSON"


def test_zip_bomb_and_oversized_members_are_refused_one_by_one(tmp_path: Path, records_dir: Path) -> None:
    good = _xml(records_dir)[0]
    archive = tmp_path / "hostile.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.xml", b"<" + b" " * (50 * 2**20) + b">")  # 50 MiB of spaces: ~1000x compression
        zf.writestr("big.xml", b"<clinical_study>" + b"x" * 300_000 + b"</clinical_study>")
        zf.write(good, good.name)
    sources = list(iter_sources([str(archive)], max_bytes=200_000))
    assert [(s.path.rsplit("!/", 1)[1], s.error.type_name if s.error else None) for s in sources] == [
        ("bomb.xml", "UnsafeArchive"),
        ("big.xml", "InputTooLarge"),
        (good.name, None),
    ]
    assert "zip bomb" in str(sources[0].error)


def test_corrupt_zip_is_one_error_row_and_the_batch_goes_on(tmp_path: Path, records_dir: Path) -> None:
    good = _xml(records_dir)[0]
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(good, good.name)
    archive.write_bytes(archive.read_bytes()[:-30])  # central directory cut short
    (tmp_path / "b.xml").write_bytes(good.read_bytes())
    sources = list(iter_sources([str(tmp_path)]))
    assert [s.error.type_name if s.error else s.kind for s in sources] == ["BadArchive", "ctgov_xml"]


def test_zip_member_with_bad_crc_is_an_error_row(tmp_path: Path, records_dir: Path) -> None:
    xml_a, xml_b = _xml(records_dir)[:2]
    archive = tmp_path / "crc.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.write(xml_a, "a.xml")
        zf.write(xml_b, "b.xml")
    data = bytearray(archive.read_bytes())
    at = data.find(b"<clinical_study")  # first member's data, stored uncompressed
    data[at + 200] ^= 0x20
    archive.write_bytes(bytes(data))
    sources = list(iter_sources([str(archive)]))
    assert [s.error.type_name if s.error else s.kind for s in sources] == ["BadArchive", "ctgov_xml"]


def test_gzipped_jsonl_loads_every_line(tmp_path: Path, records_dir: Path) -> None:
    studies = _v2(records_dir)
    path = tmp_path / "studies.jsonl.gz"
    path.write_bytes(gzip.compress(b"".join(_study_line(p) for p in studies)))
    sources = list(iter_sources([str(path)]))
    assert [s.id for s in sources] == [_nct(p) for p in studies]
    assert {s.kind for s in sources} == {"ctgov_v2"}


def test_truncated_gzip_keeps_what_was_read_and_reports_the_rest(tmp_path: Path, records_dir: Path) -> None:
    lines = b"".join(_study_line(p) for p in _v2(records_dir))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(gzip.compress(lines)[:-200])
    sources = list(iter_sources([str(path)], max_bytes=200_000))  # over the limit: streamed line by line
    assert sources[-1].error is not None and sources[-1].error.type_name == "BadArchive"
    assert all(s.error is None for s in sources[:-1]) and len(sources) > 1


def test_jsonl_over_the_limit_streams_and_the_limit_is_per_line(tmp_path: Path, records_dir: Path) -> None:
    studies = _v2(records_dir)
    too_long = (
        b'{"protocolSection": {"identificationModule": {"nctId": "NCT99999999"}}, "pad": "' + b"x" * 200_000 + b'"}\n'
    )
    lines = [_study_line(p) for p in studies[:3]] + [b"\n", too_long] + [_study_line(p) for p in studies[3:6]]
    path = tmp_path / "run.jsonl"
    path.write_bytes(b"".join(lines))
    limit = max(len(line) for line in lines if line is not too_long) + 10
    assert path.stat().st_size > limit
    sources = list(iter_sources([str(path)], max_bytes=limit))
    assert len(sources) == 7  # one per non-blank line
    assert [s.id for s in sources[:3] + sources[4:]] == [_nct(p) for p in studies[:6]]
    refused = sources[3]
    assert refused.error is not None and refused.error.type_name == "InputTooLarge"
    assert refused.id == f"{path}#3" and "line 4" in str(refused.error)
    assert refused.sha256 == hashlib.sha256(too_long[:-1]).hexdigest()


def test_same_records_whether_a_jsonl_file_is_read_whole_or_streamed(tmp_path: Path, records_dir: Path) -> None:
    lines = [_study_line(p) for p in _v2(records_dir)] + [b"not json\n", b"{}\n", b'{"protocolSection": {}}']
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"".join(lines))
    whole = list(iter_sources([str(path)], max_bytes=10**8))
    streamed = list(iter_sources([str(path)], max_bytes=max(map(len, lines)) + 1))
    key = [(s.id, s.kind, s.sha256, s.error and str(s.error)) for s in whole]
    assert key == [(s.id, s.kind, s.sha256, s.error and str(s.error)) for s in streamed]
    assert len(whole) == len(lines)


def test_a_big_file_that_is_not_jsonl_is_one_error_row(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    path.write_bytes(b"<clinical_study>" + b"y" * 5000 + b"</clinical_study>")
    (source,) = list(iter_sources([str(path)], max_bytes=1000))
    assert source.error is not None and source.error.type_name == "InputTooLarge"


def test_stdin_jsonl_over_the_limit_streams(records_dir: Path) -> None:
    lines = b"".join(_study_line(p) for p in _v2(records_dir))
    stdin = io.BufferedReader(io.BytesIO(gzip.compress(lines)))
    units = list(stdin_units(stdin, max_bytes=200_000))
    records = [r for unit in units for r in unit.records(200_000)]
    assert [r.id for r in records] == [_nct(p) for p in _v2(records_dir)]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_check_of_a_zip_finds_what_check_of_the_folder_finds(tmp_path: Path, records_dir: Path, jobs: str) -> None:
    folder = records_dir / "ctgov-xml"
    archive = tmp_path / "xml.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in _xml(records_dir):
            zf.write(path, f"ctgov-xml/{path.name}")
    from_folder = runner.invoke(app, ["check", str(folder), "-f", "jsonl", "--jobs", "1"])
    from_zip = runner.invoke(app, ["check", str(archive), "-f", "jsonl", "--jobs", jobs])
    assert from_folder.exit_code == 0 and from_zip.exit_code == 0
    assert from_zip.stdout == from_folder.stdout and from_zip.stdout.count("\n") > 20


def test_workers_do_not_share_the_parents_open_archive(tmp_path: Path, records_dir: Path) -> None:
    """An archive opened here (one job) and then read by forked workers: each worker must open its
    own, since an inherited ZipFile shares its file offset with this process's."""
    archive = tmp_path / "xml.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in _xml(records_dir):
            zf.write(path, f"ctgov-xml/{path.name}")
    one = runner.invoke(app, ["check", str(archive), "-f", "jsonl", "--jobs", "1"])
    two = runner.invoke(app, ["check", str(archive), "-f", "jsonl", "--jobs", "2"])
    assert "errors: 0" in one.stderr
    assert (two.stdout, two.stderr) == (one.stdout, one.stderr)
