"""Counts -> precision, recall, F1; macro means."""

from __future__ import annotations

import pytest

from extract.score.metrics import CheckCounts, Counts, mean, total


def test_wrong_is_a_false_positive_and_a_false_negative() -> None:
    c = Counts(tp=6, wrong=2, missing=1, invented=1)
    assert c.support == 9
    assert c.precision == pytest.approx(6 / 9, abs=1e-4)
    assert c.recall == pytest.approx(6 / 9, abs=1e-4)
    assert c.f1 == pytest.approx(12 / (12 + 3 + 3), abs=1e-4)


def test_missing_lowers_recall_only_and_invented_precision_only() -> None:
    assert Counts(tp=3, missing=1).precision == 1.0
    assert Counts(tp=3, missing=1).recall == 0.75
    assert Counts(tp=3, invented=1).recall == 1.0
    assert Counts(tp=3, invented=1).precision == 0.75


def test_undefined_ratios_are_none_not_zero() -> None:
    assert Counts().f1 is None
    assert Counts(missing=2).precision is None
    assert Counts(missing=2).f1 == 0.0
    assert Counts(invented=1).recall is None


def test_f1_is_the_harmonic_mean_when_both_are_defined() -> None:
    c = Counts(tp=5, wrong=1, missing=3, invented=0)
    p, r = 5 / 6, 5 / 9
    assert c.f1 == pytest.approx(2 * p * r / (p + r), abs=1e-4)


def test_total_and_mean() -> None:
    assert total([Counts(tp=1), Counts(missing=2), Counts(invented=1)]) == Counts(tp=1, missing=2, invented=1)
    assert mean([1.0, None, 0.5]) == 0.75
    assert mean([None]) is None


def test_check_counts() -> None:
    c = CheckCounts(tp=3, fp=1, fn=2, tn=5)
    assert c.precision == 0.75 and c.recall == 0.6
    assert (c + CheckCounts(tn=1)).tn == 6
