"""The eval end to end on structured fixtures: runner, reports, CLI exit codes and the gate."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
from typer.testing import CliRunner

from cli import app
from extract.llm.client import EndpointConfig
from extract.report import REPORT_FILES, write_reports
from extract.score.fixtures import FixtureError, load_fixtures
from extract.score.runner import EvalOptions, run_eval
from tests.score.conftest import SCRIPT


def test_runner_scores_extraction_and_checker(fixtures_root: Path) -> None:
    run = run_eval(EvalOptions(fixtures=fixtures_root, sets=("defects",), endpoint=EndpointConfig(replay=True)))
    metrics = run.metrics.sets["defects"]
    assert metrics.fixtures == metrics.extracted == 2
    assert metrics.micro.f1 == 1.0  # structured mapping reproduces the gold
    rule = metrics.checker_rules["design.masking_vs_text"]
    assert (rule.tp, rule.fp, rule.fn, rule.tn) == (1, 0, 0, 1)
    assert run.metrics.metrics["defects.checker.design.masking_vs_text.recall"] == 1.0


def test_reports_are_written_deterministic_and_escaped(fixtures_root: Path, tmp_path: Path) -> None:
    options = EvalOptions(fixtures=fixtures_root, sets=("defects",), endpoint=EndpointConfig(replay=True))
    first = write_reports(run_eval(options), None, tmp_path / "a")
    second = write_reports(run_eval(options), None, tmp_path / "b")
    assert [p.name for p in first] == list(REPORT_FILES)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    html = (tmp_path / "a" / "report.html").read_text(encoding="utf-8")
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert json.loads((tmp_path / "a" / "metrics.json").read_text())["run"]["sets"] == ["defects"]


def test_cli_gate_fails_naming_the_metric_then_passes_after_update(fixtures_root: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    report = tmp_path / "report"
    baseline = fixtures_root.parent / "baseline.json"
    args = ["eval", "--fixtures", str(fixtures_root), "--set", "defects", "--replay", "--report-dir", str(report)]
    assert runner.invoke(app, [*args, "--update-baseline"]).exit_code == 0
    accepted = orjson.loads(baseline.read_bytes())
    assert accepted["metrics"]["defects.micro.f1"] == {"tolerance": 0.01, "value": 1.0}
    assert runner.invoke(app, args).exit_code == 0

    accepted["metrics"]["defects.micro.f1"]["value"] = 1.5  # a bar this run cannot reach
    baseline.write_bytes(orjson.dumps(accepted))
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "REGRESSED defects.micro.f1" in result.output
    junit = (report / "junit.xml").read_text(encoding="utf-8")
    assert 'name="defects.micro.f1"' in junit and "<failure" in junit
    assert runner.invoke(app, [*args, "--no-gate"]).exit_code == 0


def test_bad_gold_is_an_error_not_a_zero(fixtures_root: Path) -> None:
    gold = fixtures_root / "defects" / "NCT00000001-masking" / "gold.json"
    data = orjson.loads(gold.read_bytes())
    data["record"]["overall_status"] = "RECRUITNG"
    gold.write_bytes(orjson.dumps(data))
    try:
        load_fixtures(fixtures_root)
    except FixtureError as exc:
        assert "overall_status" in str(exc)
    else:
        raise AssertionError("a typo in gold must not load")
    result = CliRunner().invoke(
        app, ["eval", "--fixtures", str(fixtures_root), "--replay", "--report-dir", str(fixtures_root / "r")]
    )
    assert result.exit_code == 2
