"""Checker findings against a fixture's must-raise / must-not-raise lists.

- Each must-raise entry is paired with at most one finding of its rule whose evidence touches
  its path (any evidence path equal to it or inside it: "arms[1]" matches "arms[1].type"); no
  path: any finding of the rule. Paired: tp; unpaired: fn.
- Each must-not-raise rule that fires is one fp, however many findings it makes.
- Every other finding is unjudged: listed in the report, not counted (real records hold real
  defects nobody labelled).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from extract.score.fixtures import FindingsGold
from extract.score.metrics import CheckCounts

Outcome = Literal["tp", "fn", "fp", "tn", "unjudged"]


class FindingOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: str
    outcome: Outcome
    path: str | None = None  # the gold path (tp / fn) or the finding's first evidence path
    message: str | None = None  # the finding's message (tp / fp / unjudged)


class CheckScore(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: dict[str, CheckCounts] = Field(default_factory=dict)
    outcomes: list[FindingOutcome] = Field(default_factory=list)

    def add(self, rule: str, outcome: Outcome, path: str | None, message: str | None) -> None:
        self.outcomes.append(FindingOutcome(rule=rule, outcome=outcome, path=path, message=message))
        if outcome != "unjudged":
            counts = self.rules.setdefault(rule, CheckCounts())
            setattr(counts, outcome, getattr(counts, outcome) + 1)


def touches(evidence_path: str, gold_path: str) -> bool:
    return evidence_path == gold_path or evidence_path.startswith((f"{gold_path}.", f"{gold_path}["))


def _paths(finding: Any) -> list[str]:
    return [e.path for e in finding.evidence]


def score_findings(gold: FindingsGold, findings: Iterable[Any]) -> CheckScore:
    """`findings`: extract.check Finding objects (rule, message, evidence[].path)."""
    score = CheckScore()
    pool = list(findings)
    used: set[int] = set()
    # Entries with a path first, so a pathless entry cannot take the finding a pathed one needs.
    entries = sorted(gold.must_raise, key=lambda e: e.path is None)
    for entry in entries:
        chosen = next(
            (
                i
                for i, f in enumerate(pool)
                if i not in used
                and f.rule == entry.rule
                and (entry.path is None or any(touches(p, entry.path) for p in _paths(f)))
            ),
            None,
        )
        if chosen is None:
            score.add(entry.rule, "fn", entry.path, None)
        else:
            used.add(chosen)
            score.add(entry.rule, "tp", entry.path, pool[chosen].message)
    forbidden = set(gold.must_not_raise)
    fired_forbidden: set[str] = set()
    for i, finding in enumerate(pool):
        if i in used:
            continue
        first = _paths(finding)[0] if finding.evidence else None
        if finding.rule in forbidden:
            if finding.rule not in fired_forbidden:
                fired_forbidden.add(finding.rule)
                score.add(finding.rule, "fp", first, finding.message)
            continue
        score.add(finding.rule, "unjudged", first, finding.message)
    for rule in sorted(forbidden - fired_forbidden):
        score.rules.setdefault(rule, CheckCounts()).tn += 1  # judged and silent: a true negative
    return score
