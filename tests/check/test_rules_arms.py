"""Arm rules: each fires on a minimal record and stays silent on its near miss."""

from __future__ import annotations

from typing import Any

import pytest

from extract.check import Finding
from tests.check.conftest import merge, paths, record, run

PLACEBO = "arms.placebo_arm_gets_active_drug"


def test_placebo_comparator_without_placebo_fires_and_names_the_shared_drugs(two_arm: dict[str, Any]) -> None:
    rec = record(
        **merge(
            two_arm,
            {
                "arms": [
                    {
                        "label": "Radiation + Chemo + QL",
                        "type": "EXPERIMENTAL",
                        "intervention_names": ["Radiation: Quad shot", "Drug: Chemotherapy", "Drug: QL1706"],
                    },
                    {
                        "label": "Chemo + QL",
                        "type": "PLACEBO_COMPARATOR",
                        "intervention_names": ["Drug: Chemotherapy", "Drug: QL1706"],
                    },
                ],
                "interventions": [
                    {"type": "RADIATION", "name": "Quad shot"},
                    {"type": "DRUG", "name": "Chemotherapy"},
                    {"type": "DRUG", "name": "QL1706"},
                ],
            },
        )
    )
    findings = run(PLACEBO, rec)
    assert len(findings) == 1
    assert findings[0].message == (
        "PLACEBO_COMPARATOR arm receives Chemotherapy, QL1706 and no placebo, sham, vehicle or dummy; "
        "experimental arm 'Radiation + Chemo + QL' also receives Chemotherapy, QL1706"
    )
    assert paths(findings) == [["arms[1]", "interventions[1]", "interventions[2]", "arms[0]"]]


def test_placebo_arm_that_also_gets_every_experimental_drug_fires(two_arm: dict[str, Any]) -> None:
    rec = record(
        **merge(
            two_arm,
            {
                "arms": [
                    {"label": "Drug X", "type": "EXPERIMENTAL", "intervention_names": ["Drug: Drug X"]},
                    {
                        "label": "Placebo",
                        "type": "PLACEBO_COMPARATOR",
                        "intervention_names": ["Drug: Placebo", "Drug: Drug X"],
                    },
                ],
            },
        )
    )
    findings = run(PLACEBO, rec)
    assert [f.message for f in findings] == [
        "PLACEBO_COMPARATOR arm receives every active intervention of experimental arm 'Drug X' (Drug X) besides its placebo"
    ]


def test_placebo_arms_as_designed_stay_silent(two_arm: dict[str, Any]) -> None:
    add_on = merge(
        two_arm,
        {
            "arms": [
                {"label": "X + chemo", "type": "EXPERIMENTAL", "intervention_names": ["Drug: Drug X", "Drug: Chemo"]},
                {
                    "label": "Placebo + chemo",
                    "type": "PLACEBO_COMPARATOR",
                    "intervention_names": ["Drug: Placebo", "Drug: Chemo"],
                },
            ],
            "interventions": [
                {"type": "DRUG", "name": "Drug X"},
                {"type": "DRUG", "name": "Placebo"},
                {"type": "DRUG", "name": "Chemo"},
            ],
        },
    )
    crossover = merge(
        two_arm,
        {
            "design": {"intervention_model": "CROSSOVER"},
            "arms": [
                {
                    "label": "X then placebo",
                    "type": "EXPERIMENTAL",
                    "intervention_names": ["Drug: Drug X", "Drug: Placebo"],
                },
                {
                    "label": "Placebo then X",
                    "type": "PLACEBO_COMPARATOR",
                    "intervention_names": ["Drug: Placebo", "Drug: Drug X"],
                },
            ],
        },
    )
    saline = merge(
        two_arm,
        {
            "interventions": [
                {"type": "DRUG", "name": "Drug X", "arm_labels": ["Drug X"]},
                {"type": "DRUG", "name": "Normal saline", "arm_labels": ["Placebo"]},
            ],
            "arms": [{"label": "Drug X", "type": "EXPERIMENTAL"}, {"label": "Control", "type": "PLACEBO_COMPARATOR"}],
        },
    )
    for fields in (two_arm, add_on, crossover, saline):
        assert run(PLACEBO, record(**fields)) == []


def test_sham_comparator_without_a_sham_fires_and_with_one_stays_silent() -> None:
    arms = {
        "arms": [
            {"label": "Stimulation", "type": "EXPERIMENTAL", "intervention_names": ["Device: TMS"]},
            {
                "label": "Control",
                "type": "SHAM_COMPARATOR",
                "description": "Breathing exercises at home",
                "intervention_names": ["Other: Breathing exercises"],
            },
        ],
        "interventions": [{"type": "DEVICE", "name": "TMS"}, {"type": "OTHER", "name": "Breathing exercises"}],
    }
    findings = run("arms.sham_without_sham", record(**arms))
    assert paths(findings) == [["arms[1]", "interventions[1]"]]
    sham = merge(arms, {"arms": [arms["arms"][0], {**arms["arms"][1], "description": "Coil tilted away: sham TMS"}]})
    assert run("arms.sham_without_sham", record(**sham)) == []


def test_no_intervention_arm_with_an_intervention_fires(two_arm: dict[str, Any]) -> None:
    usual = {"label": "Usual care", "type": "NO_INTERVENTION"}
    silent = merge(two_arm, {"arms": [*two_arm["arms"], usual]})
    loud = merge(two_arm, {"arms": [*two_arm["arms"], {**usual, "intervention_names": ["Drug: Drug X"]}]})
    assert run("arms.no_intervention_arm_has_interventions", record(**silent)) == []
    findings = run("arms.no_intervention_arm_has_interventions", record(**loud))
    assert [f.message for f in findings] == ["NO_INTERVENTION arm is linked to Drug X"]
    assert paths(findings) == [["arms[2]", "interventions[0]"]]


def test_arm_without_intervention_fires_unless_it_is_a_no_intervention_arm(two_arm: dict[str, Any]) -> None:
    empty = merge(two_arm, {"arms": [*two_arm["arms"], {"label": "Cohort B", "type": "EXPERIMENTAL"}]})
    assert paths(run("arms.arm_without_intervention", record(**empty))) == [["arms[2]"]]
    none_arm = merge(two_arm, {"arms": [*two_arm["arms"], {"label": "Usual care", "type": "NO_INTERVENTION"}]})
    assert run("arms.arm_without_intervention", record(**none_arm)) == []


def test_references_to_missing_arms_or_interventions_fire(two_arm: dict[str, Any]) -> None:
    broken = merge(
        two_arm,
        {
            "arms": [
                {"label": "Drug X", "type": "EXPERIMENTAL", "intervention_names": ["Drug: Drug Z"]},
                two_arm["arms"][1],
            ],
            "interventions": [
                {"type": "DRUG", "name": "Drug X", "arm_labels": ["Drug X arm"]},
                two_arm["interventions"][1],
            ],
        },
    )
    findings = run("arms.unknown_intervention_reference", record(**broken))
    assert [f.message for f in findings] == [
        "arm names intervention 'Drug: Drug Z', which is not among the interventions",
        "intervention names arm 'Drug X arm', which is not among the arms",
    ]
    assert paths(findings) == [["arms[0].intervention_names[0]"], ["interventions[0].arm_labels[0]"]]
    # case, spacing and the "Type: " prefix are not differences
    loose = merge(
        two_arm, {"arms": [{**two_arm["arms"][0], "intervention_names": ["DRUG:  drug x"]}, two_arm["arms"][1]]}
    )
    assert run("arms.unknown_intervention_reference", record(**loose)) == []


def test_intervention_no_arm_receives_fires(two_arm: dict[str, Any]) -> None:
    extra = merge(
        two_arm, {"interventions": [*two_arm["interventions"], {"type": "DRUG", "name": "Rescue medication"}]}
    )
    assert paths(run("arms.intervention_without_arm", record(**extra))) == [["interventions[2]"]]
    assert run("arms.intervention_without_arm", record(**two_arm)) == []


@pytest.mark.parametrize(
    "description",
    [
        "Capsules with no active component, identical in appearance",
        "The same infusion procedure without the active agent",
        "Inhalation of 0% N2O in oxygen",
        "Sterile water injection",
        "NaCl 0.9% infusion",
    ],
)
def test_inactive_control_without_the_word_placebo_is_a_placebo(description: str) -> None:
    arms = [
        {"label": "Drug X", "type": "EXPERIMENTAL", "intervention_names": ["Drug: Drug X"]},
        {
            "label": "Control",
            "type": "PLACEBO_COMPARATOR",
            "description": description,
            "intervention_names": ["Drug: Control"],
        },
    ]
    interventions = [
        {"type": "DRUG", "name": "Drug X", "arm_labels": ["Drug X"]},
        {"type": "DRUG", "name": "Control", "description": description, "arm_labels": ["Control"]},
    ]
    rec = record(arms=arms, interventions=interventions)
    assert run("arms.placebo_arm_gets_active_drug", rec) == []
    sham = [{**arms[0]}, {**arms[1], "type": "SHAM_COMPARATOR"}]
    assert run("arms.sham_without_sham", record(arms=sham, interventions=interventions)) == []


def test_a_dose_ending_in_zero_is_not_a_zero_dose() -> None:
    arms = [
        {"label": "Drug X", "type": "EXPERIMENTAL", "intervention_names": ["Drug: Drug X"]},
        {"label": "Control", "type": "PLACEBO_COMPARATOR", "intervention_names": ["Drug: Drug Y"]},
    ]
    interventions = [
        {"type": "DRUG", "name": "Drug X", "arm_labels": ["Drug X"]},
        {"type": "DRUG", "name": "Drug Y", "description": "nab-paclitaxel 260 mg/m2", "arm_labels": ["Control"]},
    ]
    assert len(run("arms.placebo_arm_gets_active_drug", record(arms=arms, interventions=interventions))) == 1


# --- arms.lacks_what_it_lists --------------------------------------------------------------------


def _lacking(label: str, given: list[str]) -> list[Finding]:
    interventions = [{"type": "DRUG", "name": name, "arm_labels": [label]} for name in given]
    arms = [{"label": label, "type": "ACTIVE_COMPARATOR", "intervention_names": [f"Drug: {n}" for n in given]}]
    return run("arms.lacks_what_it_lists", record(arms=arms, interventions=interventions))


def test_arm_without_x_that_receives_x_fires() -> None:
    findings = _lacking("Chemotherapy without bevacizumab", ["Chemotherapy", "Bevacizumab"])
    assert paths(findings) == [["arms[0]", "interventions[1]"]]


@pytest.mark.parametrize(
    ("label", "given"),
    [
        ("Chemotherapy with or without bevacizumab", ["Chemotherapy", "Bevacizumab"]),
        ("Chemotherapy without bevacizumab", ["Chemotherapy", "Bevacizumab placebo"]),
        ("Chemotherapy without bevacizumab", ["Chemotherapy"]),
    ],
)
def test_options_placebos_and_true_absences_stay_silent(label: str, given: list[str]) -> None:
    assert _lacking(label, given) == []
