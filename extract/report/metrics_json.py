"""metrics.json: the run's figures (EvalMetrics), sorted keys, no timestamps."""

from __future__ import annotations

from pathlib import Path

import orjson

from extract.score.runner import EvalRun


def metrics_bytes(run: EvalRun) -> bytes:
    data = run.metrics.model_dump(mode="json")
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def write_metrics(run: EvalRun, path: Path) -> Path:
    path.write_bytes(metrics_bytes(run))
    return path
