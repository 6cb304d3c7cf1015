"""Baseline comparison and update."""

from __future__ import annotations

from pathlib import Path

from extract.score.gate import Accepted, Baseline, compare, load_baseline, updated, write_baseline


def baseline(**metrics: tuple[float, float]) -> Baseline:
    return Baseline(metrics={k.replace("__", "."): Accepted(value=v, tolerance=t) for k, (v, t) in metrics.items()})


def test_a_drop_beyond_tolerance_is_named() -> None:
    base = baseline(hand__field__brief_title__f1=(0.8, 0.02), hand__micro__f1=(0.9, 0.01))
    result = compare(base, {"hand.field.brief_title.f1": 0.77, "hand.micro.f1": 0.895}, {"hand"})
    assert not result.passed
    assert [r.metric for r in result.regressions] == ["hand.field.brief_title.f1"]
    assert "hand.field.brief_title.f1: 0.7700 < 0.8000 - 0.0200" in result.regressions[0].describe()


def test_exactly_at_the_tolerance_passes() -> None:
    assert compare(baseline(hand__micro__f1=(0.9, 0.05)), {"hand.micro.f1": 0.85}, {"hand"}).passed


def test_a_metric_that_went_undefined_is_a_regression() -> None:
    result = compare(baseline(hand__grounding__share=(1.0, 0.01)), {}, {"hand"})
    assert result.regressions[0].current is None


def test_sets_not_run_are_not_compared() -> None:
    result = compare(baseline(rendered__micro__f1=(0.9, 0.01)), {"hand.micro.f1": 0.1}, {"hand"})
    assert result.passed and result.compared == 0 and result.new == ["hand.micro.f1"]


def test_improvements_are_reported() -> None:
    assert compare(baseline(hand__micro__f1=(0.5, 0.01)), {"hand.micro.f1": 0.6}, {"hand"}).improvements == [
        "hand.micro.f1"
    ]


def test_update_accepts_the_run_keeps_tolerances_and_other_sets(tmp_path: Path) -> None:
    base = baseline(hand__micro__f1=(0.5, 0.07), hand__gone__f1=(0.5, 0.01), rendered__micro__f1=(0.4, 0.01))
    new = updated(base, {"hand.micro.f1": 0.6, "hand.record.X.f1": 0.9}, {"hand"})
    assert new.metrics["hand.micro.f1"] == Accepted(value=0.6, tolerance=0.07)
    assert new.metrics["hand.record.X.f1"].tolerance == 0.05  # record metrics move in bigger steps
    assert "hand.gone.f1" not in new.metrics
    assert new.metrics["rendered.micro.f1"].value == 0.4
    path = tmp_path / "baseline.json"
    write_baseline(path, new)
    assert load_baseline(path) == new
    assert load_baseline(tmp_path / "absent.json") is None
