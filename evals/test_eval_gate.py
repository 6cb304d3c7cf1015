"""The replayed eval over every set: every fixture extracted from the committed cache, the four
reports written, and no metric below the accepted baseline minus its tolerance."""

from __future__ import annotations

from pathlib import Path

from conftest import BASELINE

from extract.report import REPORT_FILES, write_reports
from extract.score.gate import compare, load_baseline


def test_every_fixture_replays_from_the_committed_cache(eval_run) -> None:  # type: ignore[no-untyped-def]
    failed = [(r.key, r.error) for r in eval_run.results if r.status != "ok"]
    assert failed == []
    assert eval_run.llm_calls == eval_run.cache_hits


def test_the_gate_passes_against_the_baseline(eval_run) -> None:  # type: ignore[no-untyped-def]
    baseline = load_baseline(BASELINE)
    assert baseline is not None, "evals/baseline.json is missing: trialqa eval --replay --update-baseline"
    result = compare(baseline, eval_run.metrics.metrics, set(eval_run.metrics.sets))
    assert [r.describe() for r in result.regressions] == []


def test_the_four_reports_are_written(eval_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths = write_reports(eval_run, None, tmp_path)
    assert [p.name for p in paths] == list(REPORT_FILES)
    assert all(p.stat().st_size > 0 for p in paths)


def test_rendered_pages_are_reported_apart_from_the_hand_set(eval_run) -> None:  # type: ignore[no-untyped-def]
    sets = eval_run.metrics.sets
    assert sets["rendered"].rendered and not sets["hand"].rendered
    assert "hand.micro.f1" in eval_run.metrics.metrics and "rendered.micro.f1" in eval_run.metrics.metrics
