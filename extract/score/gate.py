"""The regression gate: accepted metrics with a tolerance each, and the comparison that names regressions.

evals/baseline.json:

    {"format": 1,
     "metrics": {"hand.field.brief_title.f1": {"value": 0.8, "tolerance": 0.01}, ...}}

A metric regresses when its current value < value - tolerance. A baseline metric of a set that
was evaluated but that the run no longer produces counts as a regression too (it went undefined).
Metrics of sets not evaluated in this run are neither compared nor changed by an update.
"""

from __future__ import annotations

from pathlib import Path

import orjson
from pydantic import BaseModel, ConfigDict, Field

BASELINE_FORMAT = 1
DEFAULT_TOLERANCE = 0.01
RECORD_TOLERANCE = 0.05  # one record moves in bigger steps than a set total


def default_tolerance(name: str) -> float:
    return RECORD_TOLERANCE if ".record." in name else DEFAULT_TOLERANCE


class Accepted(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: float
    tolerance: float = Field(ge=0)


class Baseline(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: int = BASELINE_FORMAT
    metrics: dict[str, Accepted] = Field(default_factory=dict)


class Regression(BaseModel):
    model_config = ConfigDict(extra="forbid")

    metric: str
    baseline: float
    tolerance: float
    current: float | None  # None: the run no longer produces it

    def describe(self) -> str:
        now = "undefined" if self.current is None else f"{self.current:.4f}"
        return f"{self.metric}: {now} < {self.baseline:.4f} - {self.tolerance:.4f}"


class GateResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    compared: int
    regressions: list[Regression]
    improvements: list[str]  # metrics above baseline + tolerance (worth accepting)
    new: list[str]  # metrics the baseline does not have yet

    @property
    def passed(self) -> bool:
        return not self.regressions


def load_baseline(path: Path) -> Baseline | None:
    if not path.is_file():
        return None
    return Baseline.model_validate(orjson.loads(path.read_bytes()))


def _set_of(metric: str) -> str:
    return metric.split(".", 1)[0]


def compare(baseline: Baseline, current: dict[str, float], evaluated_sets: set[str]) -> GateResult:
    regressions, improvements, compared = [], [], 0
    for name, accepted in sorted(baseline.metrics.items()):
        if _set_of(name) not in evaluated_sets:
            continue
        compared += 1
        value = current.get(name)
        if value is None or value < accepted.value - accepted.tolerance - 1e-9:
            regressions.append(
                Regression(metric=name, baseline=accepted.value, tolerance=accepted.tolerance, current=value)
            )
        elif value > accepted.value + accepted.tolerance + 1e-9:
            improvements.append(name)
    new = sorted(name for name in current if name not in baseline.metrics)
    return GateResult(compared=compared, regressions=regressions, improvements=improvements, new=new)


def updated(baseline: Baseline | None, current: dict[str, float], evaluated_sets: set[str]) -> Baseline:
    """Accept the current figures for the evaluated sets; keep tolerances already set; keep other sets."""
    old = baseline.metrics if baseline is not None else {}
    metrics = {name: acc for name, acc in old.items() if _set_of(name) not in evaluated_sets}
    for name, value in current.items():
        tolerance = old[name].tolerance if name in old else default_tolerance(name)
        metrics[name] = Accepted(value=value, tolerance=tolerance)
    return Baseline(metrics=dict(sorted(metrics.items())))


def write_baseline(path: Path, baseline: Baseline) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        orjson.dumps(baseline.model_dump(mode="json"), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    )
