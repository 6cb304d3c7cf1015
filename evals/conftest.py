"""`pytest evals/`: the fixtures follow evals/FIXTURES.md, their gold is on their pages, and the
replayed eval passes the regression gate. Runs without a model (answers come from evals/llm-cache)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

EVALS = Path(__file__).resolve().parent
REPO = EVALS.parent
FIXTURES = EVALS / "fixtures"
CACHE = EVALS / "llm-cache"
BASELINE = EVALS / "baseline.json"
RECORDS = REPO.parent / "shared" / "records"

sys.path.insert(0, str(EVALS))  # gold_strings, render, plant


@pytest.fixture(scope="session")
def eval_run():  # type: ignore[no-untyped-def]
    from extract.llm.client import EndpointConfig
    from extract.score.runner import EvalOptions, run_eval

    return run_eval(EvalOptions(fixtures=FIXTURES, endpoint=EndpointConfig(replay=True, cache_dir=CACHE)))


@pytest.fixture(scope="session")
def records_dir() -> Path:
    if not RECORDS.is_dir():
        pytest.skip("../shared/records is not beside the repository")
    return RECORDS
