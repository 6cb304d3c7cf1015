"""List fields: pair gold items with predicted items by optimal assignment.

The similarity matrix (gold x predicted) is solved with scipy's `linear_sum_assignment`
(maximising total similarity); an assigned pair counts as a match only when its similarity
reaches the threshold. Unmatched gold items are missing, unmatched predictions invented.
A tie-break score (e.g. the time frame of two outcomes that share a measure) can steer the
assignment without deciding acceptance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from scipy.optimize import linear_sum_assignment

T = TypeVar("T")

TIE_BREAK_WEIGHT = 1e-3


@dataclass(frozen=True)
class Match:
    pairs: list[tuple[int, int, float]]  # (gold index, predicted index, similarity), in gold order
    missing: list[int]  # gold indices with no match
    invented: list[int]  # predicted indices with no match


def match_lists(
    gold: Sequence[T],
    predicted: Sequence[T],
    similarity: Callable[[T, T], float],
    threshold: float,
    tie_break: Callable[[T, T], float] | None = None,
) -> Match:
    """Optimal one-to-one pairing of `gold` and `predicted` items whose similarity >= threshold."""
    if not gold or not predicted:
        return Match(pairs=[], missing=list(range(len(gold))), invented=list(range(len(predicted))))
    sims = np.array([[similarity(g, p) for p in predicted] for g in gold], dtype=float)
    score = sims.copy()
    if tie_break is not None:
        score += TIE_BREAK_WEIGHT * np.array([[tie_break(g, p) for p in predicted] for g in gold], dtype=float)
    # Pairs under the threshold must not be preferred over leaving items unmatched: zero them.
    score[sims < threshold] = 0.0
    rows, cols = linear_sum_assignment(score, maximize=True)
    pairs = sorted(
        (int(r), int(c), round(float(sims[r, c]), 4))
        for r, c in zip(rows, cols, strict=True)
        if sims[r, c] >= threshold
    )
    matched_gold = {r for r, _, _ in pairs}
    matched_pred = {c for _, c, _ in pairs}
    return Match(
        pairs=pairs,
        missing=[i for i in range(len(gold)) if i not in matched_gold],
        invented=[j for j in range(len(predicted)) if j not in matched_pred],
    )


def exact_similarity(a: Any, b: Any) -> float:
    return 1.0 if a == b else 0.0
