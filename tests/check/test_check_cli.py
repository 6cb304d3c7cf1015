"""`trialqa check` and `trialqa rules`: formats, selection, configuration, exit codes, bad inputs."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from cli import app
from extract.check import RULES, CheckConfig, active_rules
from extract.check.runner import _row_source_text, check_source
from extract.load import iter_sources
from extract.load.detect import sha256
from extract.pipeline import extract_structured
from tests.check.conftest import BASE, merge
from tests.check.seed_records import PAGES

RECORDS = Path(__file__).resolve().parents[3] / "shared" / "records"
STRUCTURED = [str(RECORDS / "ctgov-v2"), str(RECORDS / "ctgov-xml")]
needs_records = pytest.mark.skipif(not RECORDS.is_dir(), reason="../shared/records is not beside the repository")
runner = CliRunner()


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, list(args), env=env)


def lines(output: str) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in output.splitlines() if line.startswith("{")]


def row(
    record: dict[str, Any] | None = None,
    *,
    status: str = "ok",
    error: dict[str, str] | None = None,
    source: dict[str, str] | None = None,
    span_base: str = "eligibility.criteria_text",
) -> dict[str, Any]:
    """An extraction row as `trialqa extract` writes it."""
    return {
        "source": source or {"id": "NCT00000001", "kind": "ctgov_v2", "path": "x.json", "sha256": "0" * 64},
        "status": status,
        "record": record,
        "error": error,
        "provenance": {"extractor": "test", "span_base": span_base},
    }


def write_rows(path: Path, rows: list[dict[str, Any]]) -> str:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return str(path)


# A record with one error (dates out of order) and one warning (no time frame).
FLAWED = merge(
    BASE,
    {
        "start_date": {"date": "2021-06", "type": "ACTUAL"},
        "primary_completion_date": {"date": "2021-01", "type": "ACTUAL"},
        "outcomes": {"primary": [{"measure": "Overall survival"}]},
        "eligibility": {
            "criteria_text": "Inclusion Criteria:\n- Adults\nExclusion Criteria:\n- Pregnancy",
            "inclusion": [{"text": "Adults"}],
            "exclusion": [{"text": "Pregnancy"}],
        },
    },
)


# --- formats -----------------------------------------------------------------------------------


@needs_records
def test_jsonl_over_the_real_records_is_clean_and_byte_identical_across_runs() -> None:
    first = invoke("check", *STRUCTURED, "--format", "jsonl")
    second = invoke("check", *STRUCTURED, "--format", "jsonl")
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout
    findings = lines(first.stdout)
    assert findings, "the real records hold findings"
    for finding in findings:
        assert list(finding) == ["nct_id", "rule", "severity", "message", "evidence"]
        assert finding["rule"] in RULES
        assert all(list(e) == ["path", "text", "span"] for e in finding["evidence"])
    assert "records: 138  checked: 138" in first.stderr
    assert "errors: 0" in first.stderr


@needs_records
def test_extraction_jsonl_gives_the_same_findings_as_its_sources(tmp_path: Path) -> None:
    rows_file = tmp_path / "rows.jsonl"
    with rows_file.open("wb") as out:
        for source in iter_sources([str(RECORDS / "ctgov-v2")]):
            out.write(extract_structured(source).to_json_line())
    from_rows = invoke("check", str(rows_file), "--format", "jsonl")
    from_sources = invoke("check", str(RECORDS / "ctgov-v2"), "--format", "jsonl")
    assert from_rows.exit_code == 0
    assert from_rows.stdout == from_sources.stdout


def test_csv_has_one_row_per_evidence_and_defuses_formulas(tmp_path: Path) -> None:
    record = merge(FLAWED, {"outcomes": {"primary": [{"measure": '=HYPERLINK("http://x")'}]}})
    result = invoke(
        "check",
        write_rows(tmp_path / "r.jsonl", [row(record)]),
        "--format",
        "csv",
        "--rules",
        "outcomes.missing_time_frame",
    )
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(table[0]) == [
        "nct_id",
        "rule",
        "severity",
        "message",
        "evidence_index",
        "path",
        "text",
        "span_start",
        "span_end",
    ]
    assert [(r["rule"], r["path"]) for r in table] == [("outcomes.missing_time_frame", "outcomes.primary[0].measure")]
    assert table[0]["text"] == '\'=HYPERLINK("http://x")'


def test_table_shows_record_markup_literally(tmp_path: Path) -> None:
    measure = "[bold red]Overall survival[/bold red] <script>alert(1)</script>"
    record = merge(FLAWED, {"outcomes": {"primary": [{"measure": measure}]}})
    result = invoke(
        "check",
        write_rows(tmp_path / "r.jsonl", [row(record)]),
        "--format",
        "table",
        "--rules",
        "outcomes.missing_time_frame",
        env={"COLUMNS": "400"},
    )
    assert result.exit_code == 0
    assert measure in result.stdout
    assert "NCT00000001" in result.stdout


# --- selection, severity, exit codes -------------------------------------------------------------


def test_rules_and_skip_select_by_id_or_prefix(tmp_path: Path) -> None:
    data = write_rows(tmp_path / "r.jsonl", [row(FLAWED)])
    assert {f["rule"] for f in lines(invoke("check", data).stdout)} == {"dates.order", "outcomes.missing_time_frame"}
    assert {f["rule"] for f in lines(invoke("check", data, "--rules", "dates").stdout)} == {"dates.order"}
    assert {f["rule"] for f in lines(invoke("check", data, "--skip", "dates.order,eligibility").stdout)} == {
        "outcomes.missing_time_frame"
    }


def test_unknown_rule_or_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    data = write_rows(tmp_path / "r.jsonl", [row(FLAWED)])
    bad_rule = invoke("check", data, "--rules", "dates.nope")
    assert bad_rule.exit_code == 2
    assert "'dates.nope' is not a rule id or prefix" in bad_rule.stderr
    assert invoke("check", str(tmp_path / "missing.jsonl")).exit_code == 2
    assert invoke("check", data, "--skip", "design.mask").exit_code == 2  # a prefix stops at a dot


def test_fail_on_sets_the_exit_code(tmp_path: Path) -> None:
    data = write_rows(tmp_path / "r.jsonl", [row(FLAWED)])
    assert invoke("check", data).exit_code == 0
    assert invoke("check", data, "--fail-on", "error").exit_code == 1
    assert invoke("check", data, "--fail-on", "error", "--skip", "dates.order").exit_code == 0
    assert invoke("check", data, "--fail-on", "warning", "--skip", "dates.order").exit_code == 1


# --- configuration -------------------------------------------------------------------------------


def test_pyproject_table_disables_rules_and_changes_severities(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = write_rows(tmp_path / "r.jsonl", [row(FLAWED)])
    (tmp_path / "pyproject.toml").write_text(
        '[tool.trialqa.check]\ndisable = ["dates"]\nseverity = { "outcomes.missing_time_frame" = "error" }\n'
    )
    nested = tmp_path / "sub" / "dir"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)  # the nearest pyproject.toml upwards
    result = invoke("check", data, "--fail-on", "error")
    assert [(f["rule"], f["severity"]) for f in lines(result.stdout)] == [("outcomes.missing_time_frame", "error")]
    assert result.exit_code == 1


def test_config_file_and_its_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data = write_rows(tmp_path / "r.jsonl", [row(FLAWED)])
    good = tmp_path / "check.toml"
    good.write_text('select = ["outcomes"]\nseverity = { "outcomes.missing_time_frame" = "info" }\n')
    assert [(f["rule"], f["severity"]) for f in lines(invoke("check", data, "--config", str(good)).stdout)] == [
        ("outcomes.missing_time_frame", "info")
    ]
    for bad in (
        'disable = ["outcome.vague"]\n',
        'colour = "red"\n',
        'severity = { "dates.order" = "fatal" }\n',
        "disable = [\n",
    ):
        path = tmp_path / "bad.toml"
        path.write_text(bad)
        result = invoke("check", data, "--config", str(path))
        assert result.exit_code == 2, bad
        assert "bad.toml" in result.stderr


# --- bad and unusual inputs ----------------------------------------------------------------------


def test_error_rows_invalid_records_and_bad_files_are_reported_not_fatal(tmp_path: Path) -> None:
    rows = [
        row(status="error", error={"type": "InvalidXML", "message": "XML does not parse"}),
        row(merge(BASE, {"phases": ["Phase 2"]})),
        row(FLAWED),
    ]
    data = write_rows(tmp_path / "rows.jsonl", rows)
    (tmp_path / "junk.json").write_bytes(b"{not json")
    result = invoke("check", data, str(tmp_path / "junk.json"))
    assert result.exit_code == 3  # every input reported, and the exit status says some were not checked
    assert "3 of 4 records could not be checked" in result.stderr
    assert invoke("check", data, str(tmp_path / "junk.json"), "--keep-going").exit_code == 0
    assert "error: NCT00000001" in result.stderr and "InvalidXML: XML does not parse" in result.stderr
    assert "RecordInvalid: phases[0]" in result.stderr
    assert "InvalidJSON" in result.stderr
    assert "records: 4  checked: 1" in result.stderr and "errors: 3" in result.stderr
    assert {f["rule"] for f in lines(result.stdout)} == {"dates.order", "outcomes.missing_time_frame"}


@pytest.mark.skipif(not PAGES.is_dir(), reason="seed pages are not beside the repository")
def test_pages_are_checked_through_the_pipeline_or_skipped_never_fatal() -> None:
    result = invoke("check", str(PAGES / "NCT07271602.txt"))
    assert result.exit_code == (0 if "checked: 1" in result.stderr else 3)
    assert "records: 1" in result.stderr
    # checked from recorded model answers, or an error row (e.g. none recorded) reported on stderr
    assert "checked: 1" in result.stderr or "errors: 1" in result.stderr


@pytest.mark.skipif(not PAGES.is_dir(), reason="seed pages are not beside the repository")
def test_a_page_without_a_page_extractor_is_skipped_with_the_reason() -> None:
    """The checker library knows no model: a caller that passes no page extractor gets pages skipped."""
    source = next(iter_sources([str(PAGES / "NCT07271602.txt")]))
    checked = check_source(source, active_rules(CheckConfig()))
    assert checked.status == "skipped"
    assert checked.problem is not None and "page extractor" in checked.problem


@pytest.mark.skipif(not PAGES.is_dir(), reason="seed pages are not beside the repository")
def test_a_page_rows_source_text_is_its_file_only_while_unchanged(tmp_path: Path) -> None:
    page = PAGES / "NCT07271602.txt"
    data = page.read_bytes()
    info = {"id": "NCT07271602", "kind": "page_text", "path": str(page), "sha256": sha256(data)}
    assert _row_source_text(info, 10_000_000) == data.decode("utf-8")
    assert _row_source_text({**info, "sha256": "f" * 64}, 10_000_000) is None
    assert _row_source_text({**info, "path": str(tmp_path / "gone.txt")}, 10_000_000) is None
    html = tmp_path / "page.html"
    html.write_bytes(b"<html><body><p>NCT07271602 [bold]x</p><script>bad()</script></body></html>")
    text = _row_source_text({**info, "path": str(html), "sha256": sha256(html.read_bytes())}, 10_000_000)
    assert text is not None and "NCT07271602 [bold]x" in text and "bad()" not in text


# --- trialqa rules -------------------------------------------------------------------------------


def test_rules_lists_every_rule_with_its_documentation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    listed = lines(invoke("rules", "--format", "jsonl").stdout)
    assert [r["id"] for r in listed] == sorted(RULES)
    assert all(r["severity"] in ("error", "warning", "info") and r["catches"] and r["example"] for r in listed)
    (tmp_path / "pyproject.toml").write_text('[tool.trialqa.check]\ndisable = ["design"]\n')
    design = lines(invoke("rules", "design", "--format", "jsonl").stdout)
    assert design and all(r["id"].startswith("design.") and r["enabled"] is False for r in design)
    table = invoke("rules", "--format", "table", env={"COLUMNS": "300"})
    assert "eligibility.inclusion_item_in_exclusion" in table.stdout


def test_rules_show_the_precision_measured_on_the_held_out_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data = orjson.loads((Path(__file__).parents[2] / "extract" / "check" / "precision.json").read_bytes())
    listed = {r["id"]: r["precision"] for r in lines(invoke("rules", "--format", "jsonl").stdout)}
    for rule_id, measured in data["rules"].items():
        judged, true = measured["judged"], measured["true"]
        assert listed[rule_id] == f"{true / judged:.2f} ({true}/{judged})"
    unmeasured = sorted(set(RULES) - set(data["rules"]))
    assert unmeasured and all(listed[r] == "no findings on the sample" for r in unmeasured)
    table = invoke("rules", "--format", "table", env={"COLUMNS": "300"})
    assert "judged by hand on the frozen held-out sample" in table.stdout


def test_progress_counts_records_and_findings_on_a_terminal_only() -> None:
    from rich.console import Console

    from extract.commands.console import check_progress

    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=120, highlight=False)
    with check_progress(terminal, show=True) as progress:
        assert progress is not None
        progress(1, 2)
        progress(1, 0)
        terminal.print("error: NCT0 (a.json): InvalidJSON", markup=False)  # a line printed meanwhile
        progress(3, 1)
    shown = screen.getvalue()
    assert "5 records, 3 findings" in shown
    assert "error: NCT0 (a.json): InvalidJSON" in shown
    with check_progress(terminal, show=False) as progress:
        assert progress is None


@needs_records
def test_no_progress_reaches_piped_output() -> None:
    result = invoke("check", *STRUCTURED, "-f", "jsonl", "--jobs", "1")
    assert result.exit_code == 0
    assert "records," not in result.output  # CliRunner is no terminal: findings and the summary only
    assert all(line.startswith("{") or line.startswith("records:") for line in result.output.splitlines())
