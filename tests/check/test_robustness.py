"""Rules never raise on odd but valid records, and give the same findings every time."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import orjson
import pytest

from extract.check import check_record
from extract.load import iter_sources
from extract.model import TrialRecord
from extract.pipeline import extract_structured
from tests.check.conftest import eligible, record

RECORDS = Path(__file__).resolve().parents[3] / "shared" / "records"

# Letters whose lower case is longer than themselves ("İ" -> "i̇"), markup, controls, long runs.
ODD_TEXTS = [
    "İSTANBUL Double-Blind study started in January 2019 and ended İn December 2019.",
    "[bold]Placebo[/bold] <script>alert(1)</script> 10 mg; 20 mg.",
    "x" * 5000 + " randomized " + "ÿ" * 10,
    "",
    "1. 2. 3.",
    ": : :",
]


def _mutants(base: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for _ in range(4):
        data = orjson.loads(orjson.dumps(base))
        text = rng.choice(ODD_TEXTS)
        for key in ("brief_summary", "detailed_description", "official_title", "brief_title"):
            if rng.random() < 0.5:
                data[key] = text or None
        for arm in data.get("arms", []):
            arm["type"] = rng.choice(["PLACEBO_COMPARATOR", "SHAM_COMPARATOR", "NO_INTERVENTION", "EXPERIMENTAL"])
            arm["description"] = rng.choice(ODD_TEXTS) or None
        data["design"]["masking"] = rng.choice(["NONE", "DOUBLE", None])
        eligibility = data["eligibility"]
        eligibility["inclusion"], eligibility["exclusion"] = eligibility["exclusion"], eligibility["inclusion"]
        out.append(data)
    return out


@pytest.mark.skipif(not RECORDS.is_dir(), reason="../shared/records is not beside the repository")
def test_mutated_real_records_never_crash_and_stay_deterministic() -> None:
    rng = random.Random(20240601)
    checked = 0
    for source in iter_sources([str(RECORDS / "ctgov-v2"), str(RECORDS / "ctgov-xml")]):
        row = extract_structured(source)
        assert row.record is not None
        for data in _mutants(row.record.model_dump(mode="json"), rng):
            mutant = TrialRecord.model_validate(data)
            first = [orjson.dumps(f.to_json()) for f in check_record(mutant)]
            assert first == [orjson.dumps(f.to_json()) for f in check_record(mutant)]
            checked += 1
    assert checked == 138 * 4


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_odd_text_everywhere_does_not_crash(text: str) -> None:
    rec = record(
        brief_summary=text or None,
        detailed_description=text or None,
        official_title=text or None,
        arms=[{"label": "A", "type": "PLACEBO_COMPARATOR", "description": text or None}],
        interventions=[{"name": "Placebo 10 mg", "description": text or None, "arm_labels": ["A"]}],
        outcomes={"primary": [{"measure": text or "m", "time_frame": text or None, "description": text or None}]},
    )
    check_record(rec)
    check_record(eligible(f"Inclusion Criteria:\n- {text or 'x'}\nExclusion Criteria:\n- {text or 'y'}"))


def test_a_rule_that_raises_makes_one_error_row_and_the_batch_goes_on(tmp_path: Path) -> None:
    import dataclasses

    from extract.check import RULES, Severity
    from extract.check.runner import iter_checked

    def broken(ctx: Any) -> Any:
        if ctx.record.nct_id == "NCT00000002":
            raise IndexError("list index out of range")
        return iter(())

    rules = [(dataclasses.replace(RULES["eligibility.dangling_sublist"], function=broken), Severity.WARNING)]
    for number in (1, 2, 3):
        (tmp_path / f"NCT0000000{number}.json").write_bytes(
            orjson.dumps(
                {
                    "protocolSection": {
                        "identificationModule": {"nctId": f"NCT0000000{number}", "briefTitle": "A study"},
                        "statusModule": {"overallStatus": "RECRUITING"},
                    }
                }
            )
        )
    results = list(iter_checked([str(tmp_path)], rules))
    assert [(r.record_id, r.status) for r in results] == [
        ("NCT00000001", "checked"),
        ("NCT00000002", "error"),
        ("NCT00000003", "checked"),
    ]
    assert "RuleFailed: rule eligibility.dangling_sublist failed on this record (IndexError" in results[1].problem
