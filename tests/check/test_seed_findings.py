"""The five seed pages' findings, worked out by reading the pages, asserted on hand-built records.

Each seed's expected findings are the complete list: a rule that fires and is not listed here is
as much a failure as a listed one that stays silent. The must-not lists name the near misses each
page holds (wording a cruder rule would trip on), so the intent stays visible.
"""

from __future__ import annotations

import pytest

from extract.check import Finding, check_record
from tests.check.seed_records import (
    ARM_EXPERIMENTAL_07271602,
    ARM_PLACEBO_07271602,
    PAGES,
    SEEDS,
    nct03792542,
    nct06935409,
    nct07271602,
)

pytestmark = pytest.mark.skipif(not PAGES.is_dir(), reason="../shared/records/pages is not beside the repository")

# (rule, the first evidence's path) for every finding each page must raise.
EXPECTED: dict[str, list[tuple[str, str]]] = {
    "NCT07271602": [
        ("arms.placebo_arm_gets_active_drug", "arms[1]"),
        ("design.placebo_in_open_label", "design.masking"),
        ("eligibility.inclusion_item_in_exclusion", "eligibility.exclusion[0]"),
        ("eligibility.inclusion_item_in_exclusion", "eligibility.exclusion[1]"),
        ("eligibility.numbering", "eligibility.exclusion[0]"),
    ],
    "NCT06935409": [
        ("eligibility.dangling_sublist", "eligibility.inclusion[6]"),
        ("eligibility.dangling_sublist", "eligibility.exclusion[8]"),
    ],
    "NCT03792542": [
        ("dates.text_vs_fields", "detailed_description"),
        ("dates.text_vs_fields", "detailed_description"),
        ("outcomes.randomization_in_single_arm", "outcomes.secondary[0].time_frame"),
    ],
    # Consistent records: double-blind title with QUADRUPLE masking, 120 mg / 13 doses everywhere,
    # ages 18-80 in text and fields (NCT04550949); a ClinConnect page whose announced lists are all given.
    "NCT04550949": [],
    "NCT06406205": [],
}

MUST_NOT: dict[str, list[str]] = {
    # "Phase 2 Randomized" title = PHASE2 / RANDOMIZED; "18-75 years" = 18-75; Quad shot "14-14.8 Gy", "2 fractions
    # per day" in the summary vs "14.8 Gy in 4 fractions" in the intervention.
    "NCT07271602": [
        "design.phase_vs_title",
        "design.allocation_vs_title",
        "eligibility.age_mismatch",
        "interventions.dose_mismatch",
        "design.masking_vs_text",
    ],
    # "... may be enrolled", "... are permitted" inside exclusion items; open-label text with masking NONE; the
    # numbered 1-5 sub-list under "Prior or ongoing therapies as follows:"; "over 12 years old (≥ 12 years)".
    "NCT06935409": [
        "eligibility.inclusion_item_in_exclusion",
        "design.masking_vs_text",
        "eligibility.numbering",
        "eligibility.age_mismatch",
        "interventions.dose_mismatch",
    ],
    # "Appropriate and willing for cytotoxic chemotherapy." and "unable to swallow..." are real exclusions
    # (the study is for patients who refuse chemotherapy); "a One-arm ... Trial" with no allocation.
    "NCT03792542": [
        "eligibility.inclusion_item_in_exclusion",
        "design.allocation_vs_title",
        "eligibility.age_mismatch",
        "eligibility.dangling_sublist",
    ],
    # "... could be included", "... were not allowed to be included" inside exclusion items.
    "NCT04550949": ["eligibility.inclusion_item_in_exclusion", "design.masking_vs_text", "interventions.dose_mismatch"],
    # "9. No vaccines ... are allowed", "... are not excluded"; items 4, 6, 7 announce lists that follow.
    "NCT06406205": ["eligibility.inclusion_item_in_exclusion", "eligibility.dangling_sublist", "eligibility.numbering"],
}


def _findings(nct_id: str) -> tuple[list[Finding], str]:
    record, text = SEEDS[nct_id]()
    return check_record(record, source_text=text), text


@pytest.mark.parametrize("nct_id", sorted(SEEDS))
def test_seed_raises_exactly_its_expected_findings(nct_id: str) -> None:
    findings, _ = _findings(nct_id)
    got = sorted((f.rule, f.evidence[0].path) for f in findings)
    assert got == sorted(EXPECTED[nct_id])
    assert all(f.nct_id == nct_id for f in findings)


@pytest.mark.parametrize("nct_id", sorted(SEEDS))
def test_seed_near_misses_stay_silent(nct_id: str) -> None:
    findings, _ = _findings(nct_id)
    fired = {f.rule for f in findings}
    assert fired.isdisjoint(MUST_NOT[nct_id])


@pytest.mark.parametrize("nct_id", sorted(SEEDS))
def test_criterion_evidence_spans_index_the_page_text(nct_id: str) -> None:
    findings, text = _findings(nct_id)
    for finding in findings:
        for evidence in finding.evidence:
            if evidence.path.startswith("eligibility.") and evidence.span is not None:
                shown = " ".join(text[evidence.span.start : evidence.span.end].split())
                assert evidence.text.endswith(shown)


def test_nct07271602_items_9_and_10_are_entry_requirements_under_the_exclusion_header() -> None:
    record, text = nct07271602()
    findings = [f for f in check_record(record, text) if f.rule == "eligibility.inclusion_item_in_exclusion"]
    labels = [record.eligibility.exclusion[int(f.evidence[0].path.split("[")[1].rstrip("]"))].label for f in findings]
    assert labels == ["9.", "10."]
    assert text[findings[0].evidence[0].span.start :].startswith("Patients have signed the informed consent form")
    assert text[findings[1].evidence[0].span.start :].startswith("Female subjects of childbearing potential must agree")
    assert all(f.severity == "error" for f in findings)


def test_nct07271602_numbering_names_the_continuation_the_gap_and_the_restart() -> None:
    record, text = nct07271602()
    (finding,) = [f for f in check_record(record, text) if f.rule == "eligibility.numbering"]
    assert finding.message == (
        "exclusion list numbering opens at 9 although the inclusion list ends at 7 (continues its numbering; "
        "8 missing); restarts at 1 after 10"
    )
    assert [e.text.split()[0] for e in finding.evidence] == ["9.", "1."]


def test_nct07271602_placebo_arm_receives_the_experimental_arms_drugs() -> None:
    record, text = nct07271602()
    (finding,) = [f for f in check_record(record, text) if f.rule == "arms.placebo_arm_gets_active_drug"]
    assert finding.evidence[0].text == f"{ARM_PLACEBO_07271602} (PLACEBO_COMPARATOR)"
    assert finding.evidence[-1].text == f"{ARM_EXPERIMENTAL_07271602} (EXPERIMENTAL)"
    assert "Chemotherapy, Immune Checkpoint Inhibitors and no placebo" in finding.message
    span = finding.evidence[0].span
    assert span is not None and text[span.start : span.end] == "Chemotherapy, QL1706"
    (open_label,) = [f for f in check_record(record, text) if f.rule == "design.placebo_in_open_label"]
    assert [e.text for e in open_label.evidence] == ["NONE", f"{ARM_PLACEBO_07271602} (PLACEBO_COMPARATOR)"]


def test_nct06935409_two_announced_lists_never_given() -> None:
    record, text = nct06935409()
    findings = [f for f in check_record(record, text) if f.rule == "eligibility.dangling_sublist"]
    assert len(findings) == 2
    assert (
        findings[0]
        .evidence[0]
        .text.endswith("meet one of the following criteria to prove there is no risk of pregnancy:")
    )
    assert findings[1].evidence[0].text.endswith("which meets any of the following laboratory limits:")
    assert [f.message for f in findings] == [
        "inclusion item announces a list but the next item is not part of it",
        "exclusion item announces a list but the next item is not part of it",
    ]


def test_nct03792542_from_randomization_and_the_two_end_dates() -> None:
    record, text = nct03792542()
    findings = check_record(record, text)
    (randomization,) = [f for f in findings if f.rule == "outcomes.randomization_in_single_arm"]
    assert randomization.evidence[0].text == "From randomization until death (up to 24 months)"
    span = randomization.evidence[0].span
    assert span is not None and text[span.start : span.end] == randomization.evidence[0].text
    narrative = [f.message for f in findings if f.rule == "dates.text_vs_fields"]
    assert narrative == [
        "the narrative gives two end dates for the study: December 2019 and December 2020",
        "the narrative dates the study end December 2019 but the record says primary completion 2020-12 / "
        "completion 2020-12",
    ]


def test_checking_is_byte_for_byte_deterministic() -> None:
    import orjson

    for build in SEEDS.values():
        record, text = build()
        first = [orjson.dumps(f.to_json()) for f in check_record(record, text)]
        again = [orjson.dumps(f.to_json()) for f in check_record(record.model_copy(deep=True), text)]
        assert first == again
