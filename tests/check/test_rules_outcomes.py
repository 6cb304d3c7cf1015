"""Outcome rules: each fires on a minimal record and stays silent on its near miss."""

from __future__ import annotations

from typing import Any

import pytest

from tests.check.conftest import paths, record, run

ONE_ARM: dict[str, Any] = {
    "design": {"intervention_model": "SINGLE_GROUP", "allocation": "NA"},
    "arms": [{"label": "Drug X", "type": "EXPERIMENTAL"}],
}


def _outcomes(**groups: list[dict[str, Any]]) -> dict[str, Any]:
    return {"outcomes": groups}


def test_from_randomization_in_a_single_arm_study_fires() -> None:
    rec = record(
        **ONE_ARM,
        **_outcomes(
            secondary=[
                {"measure": "Overall survival", "time_frame": "From randomization until death (up to 24 months)"},
            ]
        ),
    )
    findings = run("outcomes.randomization_in_single_arm", rec)
    assert [f.message for f in findings] == [
        "outcome 'Overall survival' time frame says 'randomization' in a single-arm study"
    ]
    assert paths(findings) == [["outcomes.secondary[0].time_frame"]]


def test_between_arm_wording_in_a_single_arm_study_fires() -> None:
    rec = record(
        **ONE_ARM,
        **_outcomes(
            primary=[
                {"measure": "Response", "time_frame": "12 weeks", "description": "Difference between the two arms"},
            ]
        ),
    )
    assert paths(run("outcomes.randomization_in_single_arm", rec)) == [["outcomes.primary[0].description"]]


def test_randomization_wording_in_a_randomized_study_or_non_randomized_wording_stays_silent() -> None:
    randomized = record(
        design={"allocation": "RANDOMIZED", "intervention_model": "PARALLEL"},
        **_outcomes(primary=[{"measure": "OS", "time_frame": "From randomization to death"}]),
    )
    non_randomized_word = record(
        **ONE_ARM,
        **_outcomes(
            primary=[
                {
                    "measure": "OS",
                    "time_frame": "From first dose to death",
                    "description": "In this non-randomized cohort",
                },
            ]
        ),
    )
    assert run("outcomes.randomization_in_single_arm", randomized) == []
    assert run("outcomes.randomization_in_single_arm", non_randomized_word) == []


def test_missing_time_frame_fires_only_without_one() -> None:
    rec = record(
        **_outcomes(
            primary=[{"measure": "HbA1c change", "time_frame": "24 weeks"}], other=[{"measure": "Weight change"}]
        )
    )
    findings = run("outcomes.missing_time_frame", rec)
    assert [f.message for f in findings] == ["outcome 'Weight change' has no time frame"]
    assert paths(findings) == [["outcomes.other[0].measure"]]


def test_vague_measure_fires_on_a_bare_domain_word_only() -> None:
    rec = record(
        **_outcomes(
            primary=[{"measure": "Safety", "time_frame": "1 year"}],
            secondary=[
                {"measure": "Safety and Tolerability.", "time_frame": "1 year"},
                {
                    "measure": "Number of participants with grade 3 or higher adverse events (safety)",
                    "time_frame": "1 year",
                },
                {"measure": "Quality of Life score (EORTC QLQ-C30)", "time_frame": "1 year"},
            ],
        )
    )
    findings = run("outcomes.vague_measure", rec)
    assert paths(findings) == [["outcomes.primary[0].measure"], ["outcomes.secondary[0].measure"]]


@pytest.mark.parametrize(
    "description",
    [
        "Quality of life will be assessed by the EORTC QLQ-C30 questionnaire",
        "Number of participants with grade 3 or higher adverse events (CTCAE v4.0)",
        "Death from any cause",
        "Using the Modified Systemic Assessment for Treatment Emergent Effects",
    ],
)
def test_vague_measure_specified_in_its_description_stays_silent(description: str) -> None:
    rec = record(
        outcomes={"primary": [{"measure": "Quality of life", "time_frame": "1 year", "description": description}]}
    )
    assert run("outcomes.vague_measure", rec) == []


def test_vague_measure_with_a_vague_description_fires() -> None:
    rec = record(
        outcomes={
            "primary": [
                {"measure": "Safety", "time_frame": "1 month", "description": "Determine the safety of the injection."}
            ]
        }
    )
    assert len(run("outcomes.vague_measure", rec)) == 1


# --- outcomes.untimed_time_frame -----------------------------------------------------------------


@pytest.mark.parametrize("frame", ["Through study completion", "End of study", "throughout the study", "Ongoing"])
def test_time_frame_without_time_fires(frame: str) -> None:
    rec = record(outcomes={"primary": [{"measure": "HbA1c change", "time_frame": frame}]})
    assert paths(run("outcomes.untimed_time_frame", rec)) == [
        ["outcomes.primary[0].time_frame", "outcomes.primary[0].measure"]
    ]


@pytest.mark.parametrize(
    "frame", ["Through study completion, an average of 1 year", "End of study (week 24)", "Baseline and week 12"]
)
def test_time_frame_with_a_time_stays_silent(frame: str) -> None:
    rec = record(outcomes={"primary": [{"measure": "HbA1c change", "time_frame": frame}]})
    assert run("outcomes.untimed_time_frame", rec) == []
