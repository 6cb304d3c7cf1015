"""Shared views of the figures for every report: number formatting, weakest fields, set labels."""

from __future__ import annotations

from dataclasses import dataclass

from extract.score.aggregate import SetMetrics
from extract.score.fields import FIELD_GROUP
from extract.score.metrics import Counts

SET_LABELS = {
    "hand": "hand-labelled seed pages",
    "rendered": "RENDERED pages (real structured records printed in registry layouts)",
    "defects": "planted defects (real structured records, one defect each, and controls)",
    "curated": "curated (review-queue exports)",
}


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


@dataclass(frozen=True)
class Weak:
    field: str
    group: str
    counts: Counts


def weakest_fields(metrics: SetMetrics, n: int = 8, min_support: int = 2) -> list[Weak]:
    """Fields below F1 1.0 with the lowest F1, among those with at least `min_support` gold values."""
    rows = [
        Weak(name, FIELD_GROUP.get(name, "other"), c)
        for name, c in metrics.fields.items()
        if c.support >= min_support and c.f1 is not None and c.f1 < 1.0
    ]
    return sorted(rows, key=lambda w: (w.counts.f1 or 0.0, -w.counts.support, w.field))[:n]
