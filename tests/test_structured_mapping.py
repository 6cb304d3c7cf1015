"""v2 JSON and legacy XML map to records whose values match the source files.

Every expected value below was read by a person from the named file.
"""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from extract.model import TrialRecord
from extract.model.vocab import (
    AgencyClass,
    Allocation,
    ArmType,
    DateType,
    EnrollmentType,
    InterventionModel,
    InterventionType,
    Masking,
    OverallStatus,
    Phase,
    PrimaryPurpose,
    RecruitmentStatus,
    Sex,
    StudyType,
    WhoMasked,
)
from extract.structured import ctgov_v2, ctgov_xml


def _v2(records_dir: Path, nct: str) -> TrialRecord:
    return ctgov_v2.map_study(json.loads((records_dir / "ctgov-v2" / f"{nct}.json").read_text()))


def _xml(records_dir: Path, nct: str) -> TrialRecord:
    return ctgov_xml.map_study(etree.parse(str(records_dir / "ctgov-xml" / f"{nct}.xml")).getroot())


def test_v2_observational_record(records_dir: Path) -> None:
    r = _v2(records_dir, "NCT05594173")
    assert r.nct_id == "NCT05594173"
    assert r.brief_title == "Chewing and Oral Processing of Solid Food"
    assert r.official_title == "Chewing and Oral Processing of Solid Food in Healthy Swallowing"
    assert r.acronym == "NIH_HVX6"
    assert r.overall_status is OverallStatus.COMPLETED
    assert (r.start_date.date, r.start_date.type) == ("2019-09-13", DateType.ACTUAL)
    assert r.completion_date is not None and r.completion_date.date == "2020-12-20"
    assert r.last_update_date == "2022-11-21"
    assert r.study_type is StudyType.OBSERVATIONAL
    assert (r.enrollment.count, r.enrollment.type) == (20, EnrollmentType.ACTUAL)
    assert r.arms == []
    assert [(i.type, i.name) for i in r.interventions] == [(InterventionType.OTHER, "Food texture modification")]
    assert r.outcomes.primary[0].measure == "Number of Chewing Cycles Per Bolus"
    assert r.outcomes.primary[0].time_frame == "Baseline (single timepoint only)"
    e = r.eligibility
    assert (e.minimum_age.value, e.maximum_age.value) == (18, 60)
    assert e.sex is Sex.ALL and e.healthy_volunteers is True
    assert [i.text for i in e.inclusion] == ["Healthy adults under age 60"]
    assert len(e.exclusion) == 7
    assert e.exclusion[2].text == "Type 1 Diabetes"
    assert (r.sponsor.lead, r.sponsor.lead_class) == ("University Health Network, Toronto", AgencyClass.OTHER)
    assert r.sponsor.collaborators == ["National Institute on Deafness and Other Communication Disorders (NIDCD)"]
    assert [(loc.city, loc.state, loc.country) for loc in r.locations] == [("Toronto", "Ontario", "Canada")]


def test_v2_crossover_with_placebo_arm(records_dir: Path) -> None:
    r = _v2(records_dir, "NCT03418623")
    assert r.phases == [Phase.PHASE2]
    d = r.design
    assert (d.allocation, d.intervention_model, d.primary_purpose, d.masking) == (
        Allocation.RANDOMIZED,
        InterventionModel.CROSSOVER,
        PrimaryPurpose.BASIC_SCIENCE,
        Masking.QUADRUPLE,
    )
    assert d.who_masked == [
        WhoMasked.PARTICIPANT,
        WhoMasked.CARE_PROVIDER,
        WhoMasked.INVESTIGATOR,
        WhoMasked.OUTCOMES_ASSESSOR,
    ]
    assert [(a.label, a.type, a.intervention_names) for a in r.arms] == [
        ("GET73", ArmType.EXPERIMENTAL, ["Drug: GET73"]),
        ("Placebo", ArmType.PLACEBO_COMPARATOR, ["Other: Placebo"]),
    ]
    assert [(i.type, i.name, i.arm_labels) for i in r.interventions] == [
        (InterventionType.DRUG, "GET73", ["GET73"]),
        (InterventionType.OTHER, "Placebo", ["Placebo"]),
    ]
    assert (r.eligibility.minimum_age.text, r.eligibility.maximum_age.text) == ("21 Years", "40 Years")
    assert [i.text for i in r.eligibility.inclusion] == ["Male participants..."]


def test_v2_identification_only_record_is_still_a_record(records_dir: Path) -> None:
    r = _v2(records_dir, "NCT00465816")
    assert r.nct_id == "NCT00465816"
    assert r.overall_status is None and r.arms == [] and r.eligibility.inclusion == []


def test_xml_record_with_human_spellings(records_dir: Path) -> None:
    r = _xml(records_dir, "NCT00055497")
    assert r.nct_id == "NCT00055497"
    assert r.brief_title == "Remission in Subjects With Crohn's Disease, 1 Year Phase"
    assert r.acronym == "CLASSICII"
    assert r.overall_status is OverallStatus.COMPLETED
    # "August 2002" with no type attribute; "December 2008" type="Actual"
    assert (r.start_date.date, r.start_date.type) == ("2002-08", None)
    assert (r.completion_date.date, r.completion_date.type) == ("2008-12", DateType.ACTUAL)
    assert (r.primary_completion_date.date, r.primary_completion_date.type) == ("2005-01", DateType.ACTUAL)
    assert r.last_update_date == "2011-04-11"
    assert r.phases == [Phase.PHASE3]
    assert r.study_type is StudyType.INTERVENTIONAL
    assert (r.design.allocation, r.design.intervention_model) == (Allocation.RANDOMIZED, InterventionModel.PARALLEL)
    assert r.design.masking is Masking.QUADRUPLE and len(r.design.who_masked) == 4
    assert (r.enrollment.count, r.enrollment.type) == (276, EnrollmentType.ACTUAL)
    assert r.conditions == ["Crohn's Disease"]
    placebo = r.arms[0]
    assert (placebo.label, placebo.type) == ("Double-blind (DB) adalimumab placebo", ArmType.PLACEBO_COMPARATOR)
    assert placebo.description == "Double-blind nonactive matching subcutaneous injection"
    # legacy XML links arms through interventions; the arm's names are derived "Type: Name"
    assert placebo.intervention_names == ["Biological: Double-blind (DB) adalimumab placebo"]
    ow = r.interventions[1]
    assert (ow.type, ow.name, ow.other_names, ow.arm_labels) == (
        InterventionType.BIOLOGICAL,
        "DB adalimumab 40 mg eow",
        ["Humira®"],
        ["Double-blind adalimumab 40 mg every other week (eow)"],
    )
    assert r.outcomes.primary[0].time_frame == "Week 56"
    assert len(r.outcomes.secondary) == 9
    e = r.eligibility
    assert (e.minimum_age.text, e.maximum_age.text, e.sex, e.healthy_volunteers) == (
        "18 Years",
        "75 Years",
        Sex.ALL,
        False,
    )
    assert e.exclusion[0].text == "Diagnosis of ulcerative colitis"
    assert "\r" not in (e.criteria_text or "") and "\r" not in (r.brief_summary or "")
    assert (r.sponsor.lead, r.sponsor.lead_class) == ("Abbott", AgencyClass.INDUSTRY)
    assert len(r.locations) == 43


def test_xml_na_ages_and_phase(records_dir: Path) -> None:
    r = _xml(records_dir, "NCT00055081")
    assert r.phases == [Phase.NA]
    age = r.eligibility.minimum_age
    assert (age.value, age.unit.value, age.in_years()) == (18, "MONTHS", 1.5)
    assert r.eligibility.maximum_age is not None and r.eligibility.maximum_age.text == "16 Years"
    assert [i.text for i in r.eligibility.inclusion] == [
        "Enrollment in the parent study",
        "Homeless and living at a shelter with mother/maternal guardian at the time of study enrollment",
    ]


def test_xml_na_maximum_age_means_no_limit(records_dir: Path) -> None:
    # NCT00023673: <minimum_age>N/A</minimum_age>, <maximum_age>N/A</maximum_age>
    r = _xml(records_dir, "NCT00023673")
    assert r.eligibility.minimum_age is None and r.eligibility.maximum_age is None


def test_xml_location_status_is_v2_vocabulary(records_dir: Path) -> None:
    r = _xml(records_dir, "NCT00055497")
    assert all(loc.status in (None, *RecruitmentStatus) for loc in r.locations)


def test_all_real_records_map_and_validate(records_dir: Path) -> None:
    for path in sorted((records_dir / "ctgov-v2").glob("*.json")):
        record = ctgov_v2.map_study(json.loads(path.read_text()))
        # NCT02278341.json is a byte copy of NCT02552212.json: the id comes from content
        assert record.nct_id == ("NCT02552212" if path.stem == "NCT02278341" else path.stem)
    for path in sorted((records_dir / "ctgov-xml").glob("*.xml")):
        record = ctgov_xml.map_study(etree.parse(str(path)).getroot())
        # NCT00980226.xml carries <nct_id>NCT00081588</nct_id> (the other id is its nct_alias)
        assert record.nct_id == ("NCT00081588" if path.stem == "NCT00980226" else path.stem)
        TrialRecord.model_validate(record.model_dump(mode="json"))
