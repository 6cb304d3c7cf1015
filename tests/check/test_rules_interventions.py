"""interventions.dose_mismatch fires on a minimal record and stays silent on its near misses."""

from __future__ import annotations

from typing import Any

from tests.check.conftest import paths, record, run


def _one_drug(intervention: str, arm: str, **extra: Any) -> dict[str, Any]:
    return {
        "arms": [
            {"label": "QL1206", "type": "EXPERIMENTAL", "description": arm, "intervention_names": ["Drug: QL1206"]}
        ],
        "interventions": [{"type": "DRUG", "name": "QL1206", "description": intervention, "arm_labels": ["QL1206"]}],
        **extra,
    }


def test_different_dose_in_the_arm_fires() -> None:
    rec = record(**_one_drug("120 mg subcutaneously every 4 weeks", "QL1206 12 mg every 4 weeks"))
    findings = run("interventions.dose_mismatch", rec)
    assert [f.message for f in findings] == ["intervention 'QL1206' is described with 120 mg but its arms says 12 mg"]
    assert paths(findings) == [["interventions[0].description", "arms[0].description"]]


def test_different_number_of_doses_in_the_summary_fires() -> None:
    rec = record(
        **_one_drug(
            "120 mg every 4 weeks for a maximum of 13 consecutive doses",
            "",
            brief_summary="Patients receive QL1206 for up to 12 doses. Follow-up lasts a year.",
        )
    )
    findings = run("interventions.dose_mismatch", rec)
    assert [f.message for f in findings] == [
        "intervention 'QL1206' is described with 13 doses but its brief summary says 12 doses"
    ]
    assert findings[0].evidence[1].text == "Patients receive QL1206 for up to 12 doses."


def test_same_doses_overlapping_ranges_rates_and_other_drugs_stay_silent() -> None:
    same = _one_drug(
        "120 mg (1.7ml) every 4 weeks, 13 consecutive doses", "QL1206 injection(120mg), 13 cumulative doses"
    )
    spelled = _one_drug("12.0 mg/kg once every 3 weeks", "QL1206 at 12 mg/kg Q3W")
    ranges = _one_drug(
        "14.8 Gy in 4 fractions, 3 cycles",
        "",
        brief_summary="QL1206 gives 2 fractions per day, a total dose of 14-14.8 Gy.",
    )
    increments = _one_drug("20 ml of 0.5% bupivacaine", "The QL1206 was injected in 5 ml increments")
    other_drug = _one_drug(
        "QL1206 120 mg",
        "",
        interventions=[
            {"type": "DRUG", "name": "QL1206", "description": "QL1206 120 mg", "arm_labels": ["QL1206"]},
            {"type": "DRUG", "name": "Carboplatin", "description": "AUC 5", "arm_labels": ["QL1206"]},
        ],
        brief_summary="QL1206 with Carboplatin 300 mg.",
    )
    for fields in (same, spelled, ranges, increments, other_drug):
        assert run("interventions.dose_mismatch", record(**fields)) == [], fields


def test_a_dose_of_another_intervention_called_by_its_short_name_is_not_a_mismatch() -> None:
    arm_text = (
        "Ethyol 740 mg/m2 will be administered intravenously over 10 minutes. 10 minutes after completion of the "
        "Ethyol infusion, Irinotecan 250 mg/m2 will be given over 90 minutes IV."
    )
    rec = record(
        arms=[
            {
                "label": "Ethyol plus Irinotecan",
                "type": "EXPERIMENTAL",
                "description": arm_text,
                "intervention_names": ["Drug: amifostine trihydrate", "Drug: irinotecan hydrochloride"],
            }
        ],
        interventions=[
            {
                "type": "DRUG",
                "name": "amifostine trihydrate",
                "other_names": ["Ethyol"],
                "description": "Ethyol 740 mg/m2 will be administered intravenously over 10 minutes.",
                "arm_labels": ["Ethyol plus Irinotecan"],
            },
            {
                "type": "DRUG",
                "name": "irinotecan hydrochloride",
                "description": "Irinotecan 250 mg/m2 will be given over 90 minutes IV.",
                "arm_labels": ["Ethyol plus Irinotecan"],
            },
        ],
    )
    assert run("interventions.dose_mismatch", rec) == []
