"""List matching: optimal assignment, threshold, tie-breaks."""

from __future__ import annotations

from extract.score.matching import exact_similarity, match_lists
from extract.score.text import similarity


def test_optimal_assignment_beats_greedy_pairing() -> None:
    # Greedy on gold order would give gold[0] its best match (pred[0], 0.9) and leave gold[1]
    # with nothing above threshold; the optimal pairing matches both.
    sims = {("a", "x"): 0.9, ("a", "y"): 0.85, ("b", "x"): 0.86, ("b", "y"): 0.1}
    found = match_lists(["a", "b"], ["x", "y"], lambda g, p: sims[(g, p)], threshold=0.8)
    assert [(g, p) for g, p, _ in found.pairs] == [(0, 1), (1, 0)]
    assert found.missing == [] and found.invented == []


def test_pairs_below_threshold_are_missing_and_invented() -> None:
    found = match_lists(["Overall survival"], ["Quality of life"], similarity, threshold=0.9)
    assert found.pairs == []
    assert found.missing == [0]
    assert found.invented == [0]


def test_empty_sides() -> None:
    assert match_lists([], ["x"], exact_similarity, 1.0).invented == [0]
    assert match_lists(["x"], [], exact_similarity, 1.0).missing == [0]


def test_tie_break_pairs_duplicates_by_their_second_key() -> None:
    gold = [("uNTx/uCr", "week 13"), ("uNTx/uCr", "weeks 25 and 53")]
    pred = [("uNTx/uCr", "weeks 25 and 53"), ("uNTx/uCr", "week 13")]
    found = match_lists(
        gold, pred, lambda g, p: similarity(g[0], p[0]), 0.9, tie_break=lambda g, p: similarity(g[1], p[1])
    )
    assert [(g, p) for g, p, _ in found.pairs] == [(0, 1), (1, 0)]


def test_more_predictions_than_gold_leaves_the_extra_invented() -> None:
    found = match_lists(["PHASE2"], ["PHASE1", "PHASE2"], exact_similarity, 1.0)
    assert [(g, p) for g, p, _ in found.pairs] == [(0, 1)]
    assert found.invented == [0]
