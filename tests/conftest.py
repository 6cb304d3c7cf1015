"""Shared test helpers: where the real records live."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
RECORDS = SHARED / "records"


@pytest.fixture(scope="session")
def records_dir() -> Path:
    if not RECORDS.is_dir():
        pytest.skip("../shared/records is not beside the repository")
    return RECORDS


def page_text(nct_id: str) -> str:
    return (RECORDS / "pages" / f"{nct_id}.txt").read_text(encoding="utf-8")
