"""Each rule's precision as measured by hand on real records (data in precision.json, written by
evals/check_sample/tally.py from the verdicts in docs/check_review_sample.tsv)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

_DATA = Path(__file__).with_name("precision.json")


@dataclass(frozen=True)
class Measured:
    """Judged findings of one rule on the frozen held-out sample: how many, how many true."""

    judged: int
    true: int

    @property
    def precision(self) -> float | None:
        return self.true / self.judged if self.judged else None

    def shown(self) -> str:
        if not self.judged:
            return "no findings on the sample"
        return f"{self.precision:.2f} ({self.true}/{self.judged})"


@functools.cache
def measurements() -> tuple[str, dict[str, Measured]]:
    """(what was measured, rule id -> measurement); empty when the data file is absent."""
    if not _DATA.is_file():
        return "", {}
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    rules = {rule_id: Measured(judged=m["judged"], true=m["true"]) for rule_id, m in data["rules"].items()}
    return data.get("sample", ""), rules


def measured(rule_id: str) -> str:
    """The rule's measured precision for display: '0.95 (38/40)', 'no findings on the sample' (every rule
    runs on the sample, so one absent from the data made none), or 'not measured' (no data file)."""
    sample, rules = measurements()
    found = rules.get(rule_id)
    if found is not None:
        return found.shown()
    return "no findings on the sample" if sample else "not measured"
