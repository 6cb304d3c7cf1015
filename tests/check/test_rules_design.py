"""Design rules: each fires on a minimal record and stays silent on its near miss."""

from __future__ import annotations

from typing import Any

from tests.check.conftest import merge, paths, record, run

ONE_ARM = {
    "arms": [{"label": "Drug X", "type": "EXPERIMENTAL", "intervention_names": ["Drug: Drug X"]}],
    "interventions": [{"type": "DRUG", "name": "Drug X", "arm_labels": ["Drug X"]}],
}


def test_single_group_with_two_arms_fires(two_arm: dict[str, Any]) -> None:
    rec = record(**merge(two_arm, {"design": {"intervention_model": "SINGLE_GROUP", "allocation": "NA"}}))
    findings = run("design.single_group_multiple_arms", rec)
    assert paths(findings) == [["design.intervention_model", "arms[0]", "arms[1]"]]
    assert (
        run("design.single_group_multiple_arms", record(**ONE_ARM, design={"intervention_model": "SINGLE_GROUP"})) == []
    )


def test_randomized_single_arm_fires_and_two_arms_stay_silent(two_arm: dict[str, Any]) -> None:
    one = record(**ONE_ARM, design={"allocation": "RANDOMIZED", "intervention_model": "PARALLEL"})
    assert [f.message for f in run("design.randomized_single_arm", one)] == [
        "allocation is RANDOMIZED but the record has a single arm"
    ]
    model = record(**merge(two_arm, {"design": {"intervention_model": "SINGLE_GROUP"}}))
    assert [f.message for f in run("design.randomized_single_arm", model)] == [
        "allocation is RANDOMIZED but the intervention model is SINGLE_GROUP"
    ]
    assert run("design.randomized_single_arm", record(**two_arm)) == []


def test_multi_arm_model_with_one_arm_fires() -> None:
    assert (
        len(run("design.multi_arm_model_with_one_arm", record(**ONE_ARM, design={"intervention_model": "CROSSOVER"})))
        == 1
    )
    assert (
        run("design.multi_arm_model_with_one_arm", record(**ONE_ARM, design={"intervention_model": "SINGLE_GROUP"}))
        == []
    )


def test_masking_against_title_fires(two_arm: dict[str, Any]) -> None:
    none = record(
        **merge(two_arm, {"design": {"masking": "NONE", "who_masked": []}}),
        official_title="A Randomized, Double-blind, Placebo-controlled Study of Drug X",
    )
    findings = run("design.masking_vs_text", none)
    assert [f.message for f in findings] == ["official title says 'Double-blind' but masking is NONE"]
    assert paths(findings) == [["official_title", "design.masking"]]
    open_label = record(**two_arm, brief_summary="This is an open-label, randomized study of Drug X.")
    assert [f.message for f in run("design.masking_vs_text", open_label)] == [
        "brief summary says 'open-label' but masking is DOUBLE with the participant masked"
    ]


def test_masking_that_agrees_or_text_about_other_studies_stays_silent(two_arm: dict[str, Any]) -> None:
    agrees = record(**two_arm, official_title="A Randomized, Double-blind Study of Drug X")
    extension = record(
        **merge(two_arm, {"design": {"masking": "NONE", "who_masked": []}}),
        official_title="A Double-blind Study Followed by an Open-label Extension",
    )
    background = record(
        **merge(two_arm, {"design": {"masking": "NONE", "who_masked": []}}),
        brief_summary="A previous double-blind trial showed benefit. This study will treat everyone.",
    )
    assessor = record(
        **merge(two_arm, {"design": {"masking": "SINGLE", "who_masked": ["OUTCOMES_ASSESSOR"]}}),
        official_title="An Open-label Trial With Blinded Outcome Assessment",
    )
    for rec in (agrees, extension, background, assessor):
        assert run("design.masking_vs_text", rec) == []


def test_masking_roles_count_fires_on_a_wrong_count_only() -> None:
    wrong = record(design={"masking": "DOUBLE", "who_masked": ["PARTICIPANT"]})
    assert paths(run("design.masking_roles_count", wrong)) == [["design.masking", "design.who_masked"]]
    right = record(design={"masking": "DOUBLE", "who_masked": ["PARTICIPANT", "INVESTIGATOR"]})
    level_only = record(design={"masking": "DOUBLE"})
    assert run("design.masking_roles_count", right) == []
    assert run("design.masking_roles_count", level_only) == []


def test_placebo_in_open_label_fires(two_arm: dict[str, Any]) -> None:
    rec = record(**merge(two_arm, {"design": {"masking": "NONE", "who_masked": []}}))
    findings = run("design.placebo_in_open_label", rec)
    assert paths(findings) == [["design.masking", "arms[1]", "interventions[1]"]]
    assert run("design.placebo_in_open_label", record(**two_arm)) == []
    olp = record(
        **merge(two_arm, {"design": {"masking": "NONE", "who_masked": []}}),
        official_title="Open-label Placebo for Chronic Low Back Pain",
    )
    assert run("design.placebo_in_open_label", olp) == []


def test_phase_in_title_against_phases_fires() -> None:
    rec = record(**ONE_ARM, phases=["PHASE2"], official_title="A Phase III Study of Drug X")
    assert [f.message for f in run("design.phase_vs_title", rec)] == [
        "official title says 'Phase III' but phases is [PHASE2]"
    ]
    na_drug = record(**ONE_ARM, phases=["NA"], official_title="A Phase 2 Trial of Drug X")
    assert len(run("design.phase_vs_title", na_drug)) == 1


def test_phase_that_fits_or_a_project_phase_stays_silent() -> None:
    subset = record(**ONE_ARM, phases=["PHASE1", "PHASE2"], official_title="A Phase Ib/II Study of Drug X")
    fewer = record(**ONE_ARM, phases=["PHASE1", "PHASE2"], official_title="A Phase II Study of Drug X")
    project = record(
        phases=["NA"],
        official_title="Time Restricted Eating - Phase 2 (FAR Phase 2)",
        interventions=[{"type": "BEHAVIORAL", "name": "Time restricted eating"}],
    )
    word = record(**ONE_ARM, phases=["PHASE3"], official_title="Drug X in the Acute Phase of Stroke")
    for rec in (subset, fewer, project, word):
        assert run("design.phase_vs_title", rec) == []


def test_allocation_against_title_fires() -> None:
    observational = record(study_type="OBSERVATIONAL", official_title="A Randomized Trial of Drug X")
    assert [f.message for f in run("design.allocation_vs_title", observational)] == [
        "official title says 'Randomized' but the study type is OBSERVATIONAL"
    ]
    single_arm = record(design={"allocation": "RANDOMIZED"}, official_title="A Single-arm Study of Drug X")
    assert [f.message for f in run("design.allocation_vs_title", single_arm)] == [
        "official title says 'Single-arm' but allocation is RANDOMIZED"
    ]
    non_randomized = record(design={"allocation": "NON_RANDOMIZED"}, brief_title="Randomized Study of Drug X")
    assert len(run("design.allocation_vs_title", non_randomized)) == 1


def test_allocation_that_agrees_or_a_title_about_another_trial_stays_silent() -> None:
    agrees = record(design={"allocation": "RANDOMIZED"}, official_title="A Randomized Trial of Drug X")
    nonrandom = record(design={"allocation": "NON_RANDOMIZED"}, official_title="A Non-randomized Study of Drug X")
    follow_up = record(
        study_type="OBSERVATIONAL", official_title="Long-term Follow-up of Patients From a Randomized Trial of Drug X"
    )
    for rec in (agrees, nonrandom, follow_up):
        assert run("design.allocation_vs_title", rec) == []
