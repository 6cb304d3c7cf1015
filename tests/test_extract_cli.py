"""`trialqa extract`: one row per input record, bad inputs become error rows, the batch goes on."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from cli import app
from extract.rows import ExtractionRow

runner = CliRunner()

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<clinical_study><brief_title>&lol9;</brief_title></clinical_study>
"""

# The DTD sits after a 70 KB comment: the unsafe-XML check must not depend on where it is declared.
LATE_ENTITY_XML = (
    b'<?xml version="1.0"?>\n<!-- ' + b"padding " * 9000 + b"-->\n"
    b'<!DOCTYPE clinical_study [\n <!ENTITY who SYSTEM "file:///etc/hostname">\n]>\n'
    b"<clinical_study><id_info><nct_id>NCT00000001</nct_id></id_info><brief_title>&who;</brief_title></clinical_study>\n"
)
# A page that is text for its first 8 KiB and has a NUL byte later on.
LATE_NUL_PAGE = b"Study title: A late NUL\n" + b"Inclusion Criteria: adults aged 18 or over\n" * 400 + b"tail\x00text\n"

BAD_INPUTS: dict[str, tuple[bytes, str, str]] = {
    # name: (bytes, error.type, a phrase the message must hold)
    "empty": (b"", "EmptyInput", "empty"),
    "binary": (bytes(range(256)) * 4, "BinaryInput", "binary"),
    # no NUL, but text has no escape or bell bytes (tabs, newlines and form feeds would not count)
    "control_bytes": (b"Study title: terminal dump\n" + b"\x1b[0m\x07\t\x0c" * 40, "BinaryInput", "control"),
    "invalid_json": (b'{"protocolSection": {"identificationModule": {"nctId": "NCT1"}},, }', "InvalidJSON", "line 1"),
    "truncated_json": (b'{"protocolSection": {"identificationModule": {"nctId": "NCT0', "InvalidJSON", "truncated"),
    "json_not_a_study": (b'{"name": "not a trial", "items": [1, 2]}', "NotAStudy", "protocolSection"),
    "xml_not_a_study": (b"<?xml version='1.0'?><catalog><book/></catalog>", "NotAStudy", "<catalog>"),
    "xml_entity_bomb": (BILLION_LAUGHS, "UnsafeXML", "entit"),
    "xml_entity_after_64k": (LATE_ENTITY_XML, "UnsafeXML", "entit"),
    "page_nul_after_8k": (LATE_NUL_PAGE, "BinaryInput", "NUL"),
    "not_utf8": ("Inclusion Criteria: âge ≥ 18 ans".encode("latin-1", errors="replace"), "NotUtf8", "UTF-8"),
}
SUFFIX = {
    "xml_entity_after_64k": ".xml",
    "page_nul_after_8k": ".txt",
    "invalid_json": ".json",
    "truncated_json": ".json",
    "json_not_a_study": ".json",
}


def _rows(path: Path) -> list[ExtractionRow]:
    return [ExtractionRow.model_validate(orjson.loads(line)) for line in path.read_bytes().splitlines()]


@pytest.fixture()
def good_pair(tmp_path: Path, records_dir: Path) -> tuple[Path, Path]:
    first = tmp_path / "a_first.json"
    last = tmp_path / "z_last.xml"
    shutil.copy(records_dir / "ctgov-v2" / "NCT05594173.json", first)
    shutil.copy(records_dir / "ctgov-xml" / "NCT00055497.xml", last)
    return first, last


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
def test_bad_input_is_an_error_row_between_good_rows(kind: str, tmp_path: Path, good_pair: tuple[Path, Path]) -> None:
    data, error_type, phrase = BAD_INPUTS[kind]
    (tmp_path / f"m_{kind}{SUFFIX.get(kind, '.txt' if kind == 'not_utf8' else '.dat')}").write_bytes(data)
    out = tmp_path.parent / f"{tmp_path.name}-out.jsonl"
    result = runner.invoke(app, ["extract", str(tmp_path), "-o", str(out)])
    assert result.exit_code == 3, result.output  # some records are error rows
    rows = _rows(out)
    assert len(rows) == 3
    assert [r.status for r in rows] == ["ok", "error", "ok"]
    assert rows[0].record is not None and rows[0].record.nct_id == "NCT05594173"
    assert rows[2].record is not None and rows[2].record.nct_id == "NCT00055497"
    bad = rows[1]
    assert bad.error is not None and bad.record is None
    assert bad.error.type == error_type
    assert phrase.lower() in bad.error.message.lower()
    assert len(bad.source.sha256) == 64


def test_output_inside_an_input_folder_is_not_read_back(tmp_path: Path, good_pair: tuple[Path, Path]) -> None:
    out = tmp_path / "out.jsonl"
    runner.invoke(app, ["extract", str(tmp_path), "-o", str(out)])
    assert [r.status for r in _rows(out)] == ["ok", "ok"]


def test_entity_bomb_is_refused_quickly(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_bytes(BILLION_LAUGHS.replace(b"&lol9;", b"&lol9;" * 50))
    result = runner.invoke(app, ["extract", str(bomb), "-o", "-"])
    row = ExtractionRow.model_validate(orjson.loads(result.stdout.strip()))
    assert row.error is not None and row.error.type == "UnsafeXML"


def test_exit_code_says_when_rows_failed(tmp_path: Path, good_pair: tuple[Path, Path]) -> None:
    out = tmp_path.parent / f"{tmp_path.name}-o.jsonl"
    assert runner.invoke(app, ["extract", str(tmp_path), "-o", str(out)]).exit_code == 0  # two good records
    (tmp_path / "m_empty.json").write_bytes(b"")
    failed = runner.invoke(app, ["extract", str(tmp_path), "-o", str(out)])
    assert failed.exit_code == 3 and "1 of the rows are error rows" in failed.output
    # a resumed run still reports the error row it kept from before
    assert runner.invoke(app, ["extract", str(tmp_path), "-o", str(out)]).exit_code == 3
    assert runner.invoke(app, ["extract", str(tmp_path), "-o", str(out), "--keep-going"]).exit_code == 0


def test_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", str(tmp_path / "nope"), "-o", "-"])
    assert result.exit_code == 2


def test_api_page_list_and_jsonl_each_yield_one_row_per_study(tmp_path: Path, records_dir: Path) -> None:
    studies = [
        orjson.loads((records_dir / "ctgov-v2" / f"{n}.json").read_bytes()) for n in ("NCT05594173", "NCT03418623")
    ]
    (tmp_path / "page.json").write_bytes(orjson.dumps({"studies": studies, "nextPageToken": "abc"}))
    (tmp_path / "list.json").write_bytes(orjson.dumps(studies))
    # JSONL with a bad line in the middle: the bad line is its own error row
    (tmp_path / "lines.jsonl").write_bytes(orjson.dumps(studies[0]) + b"\n{broken\n" + orjson.dumps(studies[1]) + b"\n")
    out = tmp_path / "o.jsonl"
    runner.invoke(
        app,
        [
            "extract",
            str(tmp_path / "page.json"),
            str(tmp_path / "list.json"),
            str(tmp_path / "lines.jsonl"),
            "-o",
            str(out),
        ],
    )
    rows = _rows(out)
    assert [r.source.id for r in rows] == [
        "NCT05594173",
        "NCT03418623",
        "NCT05594173",
        "NCT03418623",
        "NCT05594173",
        f"{tmp_path / 'lines.jsonl'}#1",
        "NCT03418623",
    ]
    assert [r.status for r in rows] == ["ok", "ok", "ok", "ok", "ok", "error", "ok"]
    assert rows[5].error is not None and rows[5].error.type == "InvalidJSON"
    # each study inside one file gets the hash of its own bytes, not the file's
    assert rows[0].source.sha256 != rows[1].source.sha256


def test_stdin_input(records_dir: Path) -> None:
    data = (records_dir / "ctgov-xml" / "NCT00055497.xml").read_bytes()
    result = runner.invoke(app, ["extract", "-", "-o", "-"], input=data)
    row = ExtractionRow.model_validate(orjson.loads(result.stdout.strip()))
    assert (row.status, row.source.id, row.source.kind, row.source.path) == (
        "ok",
        "NCT00055497",
        "ctgov_xml",
        "<stdin>",
    )


def test_kind_comes_from_content_not_extension(tmp_path: Path, records_dir: Path) -> None:
    disguised = tmp_path / "study.txt"
    shutil.copy(records_dir / "ctgov-xml" / "NCT00055497.xml", disguised)
    result = runner.invoke(app, ["extract", str(disguised), "-o", "-"])
    row = ExtractionRow.model_validate(orjson.loads(result.stdout.strip()))
    assert (row.status, row.source.kind) == ("ok", "ctgov_xml")


def test_html_page_is_reduced_to_visible_text(tmp_path: Path) -> None:
    from extract.load.detect import records_from_bytes

    html = (
        b"<!DOCTYPE html><html><head><title>t</title><script>alert('x')</script></head><body>"
        b"<h1>A Study of X</h1><p>NCT ID: NCT01234567</p><ul><li>Adults</li><li>Consent</li></ul>"
        b"<div style='display:none'>hidden</div></body></html>"
    )
    (source,) = list(records_from_bytes(html, "page.html", max_bytes=10**6))
    assert (source.kind, source.id) == ("page_html", "NCT01234567")
    assert source.text is not None
    assert "A Study of X" in source.text and "* Adults" in source.text
    assert "alert" not in source.text and "hidden" not in source.text


def test_real_records_all_ok(tmp_path: Path, records_dir: Path) -> None:
    out = tmp_path / "x.jsonl"
    result = runner.invoke(
        app, ["extract", str(records_dir / "ctgov-v2"), str(records_dir / "ctgov-xml"), "-o", str(out)]
    )
    assert result.exit_code == 0
    rows = _rows(out)
    assert len(rows) == 138
    assert all(r.status == "ok" for r in rows)
