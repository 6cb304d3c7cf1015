"""A tiny fixtures tree built in a temp folder: structured inputs only, so no model is needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

SCRIPT = "<script>alert('x')</script>"


def study(nct_id: str, *, masking: str, title: str, criteria: str) -> dict[str, Any]:
    """A minimal CT.gov v2 study."""
    return {
        "protocolSection": {
            "identificationModule": {"nctId": nct_id, "briefTitle": title},
            "statusModule": {"overallStatus": "RECRUITING"},
            "designModule": {
                "studyType": "INTERVENTIONAL",
                "phases": ["PHASE2"],
                "designInfo": {
                    "allocation": "RANDOMIZED",
                    "interventionModel": "PARALLEL",
                    "maskingInfo": {"masking": masking},
                },
            },
            "eligibilityModule": {"eligibilityCriteria": criteria, "sex": "ALL"},
        }
    }


def write_fixture(root: Path, name: str, data: dict[str, Any], gold: dict[str, Any]) -> None:
    folder = root / "defects" / name
    folder.mkdir(parents=True)
    (folder / "source.json").write_bytes(orjson.dumps(data))
    (folder / "gold.json").write_bytes(orjson.dumps(gold))


CRITERIA = f"Inclusion Criteria:\n\n* Adults {SCRIPT}\n\nExclusion Criteria:\n\n* Pregnancy"


def gold_record(nct_id: str, masking: str, title: str) -> dict[str, Any]:
    return {
        "nct_id": nct_id,
        "brief_title": title,
        "overall_status": "RECRUITING",
        "study_type": "INTERVENTIONAL",
        "phases": ["PHASE2"],
        "design": {"allocation": "RANDOMIZED", "intervention_model": "PARALLEL", "masking": masking},
        "eligibility": {
            "inclusion": [{"text": f"Adults {SCRIPT}", "label": "*", "level": 0}],
            "exclusion": [{"text": "Pregnancy", "label": "*", "level": 0}],
            "headers": [
                {"kind": "inclusion", "text": "Inclusion Criteria:"},
                {"kind": "exclusion", "text": "Exclusion Criteria:"},
            ],
            "sex": "ALL",
            "criteria_text": CRITERIA,
        },
    }


@pytest.fixture
def fixtures_root(tmp_path: Path) -> Path:
    """evals-like tree: fixtures/defects/{planted, control}; the planted one has masking NONE under a double-blind title."""
    root = tmp_path / "evals" / "fixtures"
    title = "A Double-Blind Study of Drug X"
    source = {"file": "source.json", "origin": "test"}
    write_fixture(
        root,
        "NCT00000001-masking",
        study("NCT00000001", masking="NONE", title=title, criteria=CRITERIA),
        {
            "id": "NCT00000001",
            "set": "defects",
            "source": source,
            "record": gold_record("NCT00000001", "NONE", title),
            "findings": {
                "must_raise": [{"rule": "design.masking_vs_text", "path": "design.masking"}],
                "must_not_raise": [],
            },
        },
    )
    write_fixture(
        root,
        "NCT00000001-masking-control",
        study("NCT00000001", masking="DOUBLE", title=title, criteria=CRITERIA),
        {
            "id": "NCT00000001",
            "set": "defects",
            "source": source,
            "record": gold_record("NCT00000001", "DOUBLE", title),
            "findings": {"must_raise": [], "must_not_raise": ["design.masking_vs_text"]},
        },
    )
    return root
