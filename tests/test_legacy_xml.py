"""ClinicalTrials.gov's historical XML spellings load; an unknown value empties one field, never the record.

Spellings come from CT.gov's own XML over its schema versions: pre-2017 masking "Double Blind
(Subject, Caregiver, ...)", gender "Both", the one-line <study_design>, <lastchanged_date>.
"""

from __future__ import annotations

import zipfile
from enum import StrEnum

import pytest
from lxml import etree

from extract.load.detect import records_from_bytes
from extract.model.vocab import (
    Allocation,
    ArmType,
    InterventionModel,
    InterventionType,
    Masking,
    OverallStatus,
    Phase,
    PrimaryPurpose,
    Sex,
    WhoMasked,
)
from extract.normalize import to_enum, to_masking, to_phases
from extract.pipeline import extract_structured
from extract.rows import ExtractionRow
from extract.structured import ctgov_v2, ctgov_xml
from extract.structured.legacy_design import design_fields
from tests.conftest import RECORDS

P, C, INV, OA = WhoMasked.PARTICIPANT, WhoMasked.CARE_PROVIDER, WhoMasked.INVESTIGATOR, WhoMasked.OUTCOMES_ASSESSOR


@pytest.mark.parametrize(
    ("text", "level", "roles"),
    [
        ("Double Blind", Masking.DOUBLE, []),
        ("Double-Blind", Masking.DOUBLE, []),
        ("Single Blind", Masking.SINGLE, []),
        ("Triple Blind", Masking.TRIPLE, []),
        ("No masking", Masking.NONE, []),
        ("Open Label", Masking.NONE, []),
        ("None (Open Label)", Masking.NONE, []),
        ("Single Blind (Subject)", Masking.SINGLE, [P]),
        ("Single Blind (Outcomes Assessor)", Masking.SINGLE, [OA]),
        ("Double Blind (Subject, Investigator)", Masking.DOUBLE, [P, INV]),
        ("Double Blind (Subject, Caregiver)", Masking.DOUBLE, [P, C]),
        # "Double Blind" meant "blinded"; CT.gov's own conversion made this QUADRUPLE
        ("Double Blind (Subject, Caregiver, Investigator, Outcomes Assessor)", Masking.QUADRUPLE, [P, C, INV, OA]),
        ("Double Blind (Subject, Caregiver, Investigator)", Masking.TRIPLE, [P, C, INV]),
        ("Quadruple (Participant, Care Provider, Investigator, Outcomes Assessor)", Masking.QUADRUPLE, [P, C, INV, OA]),
    ],
)
def test_historical_masking_spellings(text: str, level: Masking, roles: list[WhoMasked]) -> None:
    assert to_masking(text) == (level, roles)


@pytest.mark.parametrize(
    ("enum", "text", "expected"),
    [
        (Sex, "Both", Sex.ALL),
        (Sex, "All", Sex.ALL),
        (PrimaryPurpose, "Educational/Counseling/Training", PrimaryPurpose.ECT),
        (PrimaryPurpose, "Supportive Care", PrimaryPurpose.SUPPORTIVE_CARE),
        (InterventionType, "Biological/Vaccine", InterventionType.BIOLOGICAL),
        (InterventionType, "Procedure/Surgery", InterventionType.PROCEDURE),
        (InterventionType, "Gene Transfer", InterventionType.GENETIC),
        (OverallStatus, "Unknown status", OverallStatus.UNKNOWN),
        (OverallStatus, "Available for expanded access", OverallStatus.AVAILABLE),
        (Allocation, "Non-Randomized", Allocation.NON_RANDOMIZED),
        (InterventionModel, "Single Group Assignment", InterventionModel.SINGLE_GROUP),
        (WhoMasked, "Caregiver", WhoMasked.CARE_PROVIDER),
        (WhoMasked, "Subject", WhoMasked.PARTICIPANT),
        (ArmType, "Placebo Comparator", ArmType.PLACEBO_COMPARATOR),
    ],
)
def test_historical_value_spellings(enum: type[StrEnum], text: str, expected: StrEnum) -> None:
    assert to_enum(enum, text, "field") is expected


def test_phase_0_is_early_phase_1() -> None:
    assert to_phases("Phase 0") == [Phase.EARLY_PHASE1]
    assert to_phases("Phase I/Phase II") == [Phase.PHASE1, Phase.PHASE2]


def test_legacy_study_design_line_bare_values() -> None:
    line = "Treatment, Randomized, Double Blind (Subject, Investigator), Placebo Control, Parallel Assignment, Safety/Efficacy Study"
    assert design_fields(line) == {
        "allocation": "Randomized",
        "intervention_model": "Parallel Assignment",
        "primary_purpose": "Treatment",
        "masking": "Double Blind (Subject, Investigator)",
    }


def test_legacy_study_design_line_keyed() -> None:
    line = (
        "Allocation: Non-Randomized, Endpoint Classification: Safety Study, Intervention Model: Single Group "
        "Assignment, Masking: Open Label, Primary Purpose: Educational/Counseling/Training"
    )
    assert design_fields(line) == {
        "allocation": "Non-Randomized",
        "intervention_model": "Single Group Assignment",
        "primary_purpose": "Educational/Counseling/Training",
        "masking": "Open Label",
    }
    # observational keys describe nothing the record holds
    assert set(design_fields("Observational Model: Cohort, Time Perspective: Prospective").values()) == {None}


LEGACY_2009 = b"""<?xml version="1.0" encoding="UTF-8"?>
<clinical_study>
<id_info><nct_id>NCT00928707</nct_id></id_info>
<brief_title>Phase II Study of GIVINOSTAT in Polycythemia Vera</brief_title>
<overall_status>Recruiting</overall_status>
<start_date>June 2009</start_date>
<end_date>December 2010</end_date>
<primary_completion_date type="Anticipated">June 2010</primary_completion_date>
<phase>Phase 2</phase>
<study_type>Interventional</study_type>
<study_design>Treatment, Randomized, Double Blind (Subject, Caregiver, Investigator), Placebo Control,
 Parallel Assignment, Safety/Efficacy Study</study_design>
<enrollment type="Anticipated">44</enrollment>
<eligibility>
<criteria><textblock>Inclusion Criteria:
- Age 18 years or older
Exclusion Criteria:
- Pregnancy</textblock></criteria>
<gender>Both</gender>
<minimum_age>18 Years</minimum_age>
<maximum_age>80 Years</maximum_age>
<healthy_volunteers>No</healthy_volunteers>
</eligibility>
<verification_date>June 2009</verification_date>
<lastchanged_date>June 26, 2009</lastchanged_date>
<firstreceived_date>June 25, 2009</firstreceived_date>
</clinical_study>
"""


def _row(data: bytes) -> ExtractionRow:
    (source,) = list(records_from_bytes(data, "legacy.xml", max_bytes=1 << 20))
    return extract_structured(source)


def test_pre_2011_record_loads_with_its_old_element_names() -> None:
    row = _row(LEGACY_2009)
    assert row.status == "ok", row.error
    r = row.record
    assert r.last_update_date == "2009-06-26"  # <lastchanged_date>
    assert r.completion_date is not None and r.completion_date.date == "2010-12"  # <end_date>
    assert r.eligibility.sex is Sex.ALL  # "Both"
    d = r.design
    assert (d.allocation, d.intervention_model, d.primary_purpose) == (
        Allocation.RANDOMIZED,
        InterventionModel.PARALLEL,
        PrimaryPurpose.TREATMENT,
    )
    assert (d.masking, d.who_masked) == (Masking.TRIPLE, [P, C, INV])
    assert "unmapped" not in row.provenance


def test_newer_last_update_element_wins_over_the_old_one() -> None:
    data = LEGACY_2009.replace(
        b"<lastchanged_date>",
        b'<last_update_posted type="Estimate">March 3, 2012</last_update_posted><lastchanged_date>',
    )
    assert _row(data).record.last_update_date == "2012-03-03"


def test_unknown_value_empties_one_field_and_is_listed() -> None:
    data = LEGACY_2009.replace(b"<gender>Both</gender>", b"<gender>Hermaphrodite</gender>").replace(
        b"<overall_status>Recruiting", b"<overall_status>Paused for the summer"
    )
    row = _row(data)
    assert row.status == "ok", row.error
    assert row.record.eligibility.sex is None and row.record.overall_status is None
    assert row.record.design.allocation is Allocation.RANDOMIZED  # the rest is kept
    assert [(u["path"], u["value"]) for u in row.provenance["unmapped"]] == [
        ("overall_status", "Paused for the summer"),
        ("eligibility.sex", "Hermaphrodite"),
    ]


def test_unknown_masking_role_and_date_do_not_drop_the_record() -> None:
    data = LEGACY_2009.replace(b"Double Blind (Subject, Caregiver, Investigator)", b"Double Blind (Statistician)")
    data = data.replace(b"<start_date>June 2009", b"<start_date>Summer 2009")
    row = _row(data)
    assert row.status == "ok", row.error
    assert row.record.design.masking is None and row.record.start_date is None
    assert {u["path"] for u in row.provenance["unmapped"]} == {"design.masking", "start_date"}


def test_v2_value_outside_the_vocabulary_empties_that_field() -> None:
    study = {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT01234567", "briefTitle": "A study"},
            "statusModule": {"overallStatus": "RECRUITING"},
            "designModule": {
                "studyType": "INTERVENTIONAL",
                "phases": ["PHASE2", "PHASE9"],
                "designInfo": {"maskingInfo": {"masking": "DOUBLE", "whoMasked": ["PARTICIPANT", "JUDGE"]}},
            },
            "eligibilityModule": {"sex": "BOTH"},
        }
    }
    record, unmapped = ctgov_v2.map_study_logged(study)
    assert record.phases == [Phase.PHASE2] and record.design.who_masked == [P]
    assert record.eligibility.sex is None and record.design.masking is Masking.DOUBLE
    assert sorted(u["value"] for u in unmapped) == ["BOTH", "JUDGE", "PHASE9"]


CORPUS = RECORDS / "corpus" / "ctgov-xml-corpus.zip"


@pytest.mark.skipif(not CORPUS.is_file(), reason="the shared corpus is not beside the repository")
def test_every_corpus_study_loads() -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    failed: list[str] = []
    count = 0
    with zipfile.ZipFile(CORPUS) as archive:
        for name in archive.namelist():
            if not name.endswith(".xml"):
                continue
            count += 1
            try:
                ctgov_xml.map_study(etree.fromstring(archive.read(name), parser))
            except Exception as exc:
                failed.append(f"{name}: {exc}")
    assert (count, failed) == (6778, [])


def test_a_field_is_all_the_text_of_its_first_element_whatever_it_holds() -> None:
    study = etree.fromstring(
        b"<clinical_study>"
        b"<brief_title>Aspirin <!-- a note --> in <i>mild</i> stroke<?pi x?></brief_title>"
        b"<official_title><![CDATA[Low-dose <aspirin> & stroke]]></official_title>"
        b"<condition>Stroke</condition><condition></condition><condition>Headache <b>mild</b></condition>"
        b"<location><facility><name>Site A</name></facility><facility><name>Site B</name>"
        b"<address><city>Lyon</city></address></facility></location>"
        b"</clinical_study>"
    )
    assert ctgov_xml._text(study, "brief_title") == "Aspirin  in mild stroke"  # comment and PI hold no text
    assert ctgov_xml._text(study, "official_title") == "Low-dose <aspirin> & stroke"
    assert ctgov_xml._text(study, "acronym") is None  # absent, not empty
    assert ctgov_xml._texts(study, "condition") == ["Stroke", "Headache mild"]
    assert ctgov_xml._text(study, "location/facility/name") == "Site A"  # the first, in document order
    assert ctgov_xml._text(study, "location/facility/address/city") == "Lyon"  # the first facility that has one
