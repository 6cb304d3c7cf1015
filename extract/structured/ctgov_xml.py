"""Legacy ClinicalTrials.gov `<clinical_study>` XML -> TrialRecord, deterministically.

The XML spells values for people ("Active, not recruiting", "Phase 1/Phase 2", "Anticipated");
`extract.normalize` turns them into v2 vocabulary and refuses what it does not know.
Legacy XML links arms and interventions once (intervention -> arm_group_label); each arm's
`intervention_names` is derived from that link as "Type: Name", the way CT.gov's own v2
conversion does, so the two cross-references agree by construction for this input kind.
"""

from __future__ import annotations

from typing import Any

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
    OverallStatus,
    PrimaryPurpose,
    RecruitmentStatus,
    Sex,
    StudyType,
)
from extract.normalize import (
    clean_block,
    clean_line,
    is_not_given,
    to_bool,
    to_enum,
    to_masking,
    to_partial_date,
    to_phases,
)
from extract.structured.common import eligibility_lists

EXTRACTOR = "structured.ctgov_xml"


def _text(node: etree._Element, path: str) -> str | None:
    found = node.find(path)
    if found is None:
        return None
    return "".join(found.itertext())


def _texts(node: etree._Element, path: str) -> list[str]:
    return [line for e in node.findall(path) if (line := clean_line("".join(e.itertext())))]


def _date(root: etree._Element, tag: str) -> dict[str, Any] | None:
    node = root.find(tag)
    if node is None or not (node.text or "").strip():
        return None
    return {
        "date": to_partial_date(node.text, tag),
        "type": to_enum(DateType, node.get("type"), f"{tag}@type"),
    }


def _age(text: str | None) -> str | None:
    return None if is_not_given(text) else clean_line(text)


def _outcomes(root: etree._Element, tag: str) -> list[dict[str, Any]]:
    return [
        {
            "measure": clean_line(_text(o, "measure")) or "",
            "time_frame": clean_line(_text(o, "time_frame")),
            "description": clean_block(_text(o, "description")),
        }
        for o in root.findall(tag)
    ]


def map_study(root: etree._Element) -> TrialRecord:
    """One `<clinical_study>` element -> validated record."""
    design = root.find("study_design_info")
    design = design if design is not None else etree.Element("study_design_info")
    masking, who_masked = to_masking(_text(design, "masking"))
    criteria_text = clean_block(_text(root, "eligibility/criteria/textblock"))
    enrollment_node = root.find("enrollment")

    interventions = []
    for node in root.findall("intervention"):
        itype = to_enum(InterventionType, _text(node, "intervention_type"), "interventions.type")
        interventions.append(
            {
                "type": itype,
                "name": clean_line(_text(node, "intervention_name")) or "",
                "description": clean_block(_text(node, "description")),
                "other_names": _texts(node, "other_name"),
                "arm_labels": _texts(node, "arm_group_label"),
            }
        )

    arms = []
    for node in root.findall("arm_group"):
        label = clean_line(_text(node, "arm_group_label")) or ""
        arms.append(
            {
                "label": label,
                "type": to_enum(ArmType, _text(node, "arm_group_type"), "arms.type"),
                "description": clean_block(_text(node, "description")),
                "intervention_names": [
                    f"{_type_title(i['type'])}: {i['name']}" for i in interventions if label in i["arm_labels"]
                ],
            }
        )

    data: dict[str, Any] = {
        "nct_id": clean_line(_text(root, "id_info/nct_id")),
        "brief_title": clean_line(_text(root, "brief_title")),
        "official_title": clean_line(_text(root, "official_title")),
        "acronym": clean_line(_text(root, "acronym")),
        "overall_status": to_enum(OverallStatus, _text(root, "overall_status"), "overall_status"),
        "why_stopped": clean_line(_text(root, "why_stopped")),
        "last_update_date": to_partial_date(_text(root, "last_update_posted"), "last_update_posted"),
        "start_date": _date(root, "start_date"),
        "primary_completion_date": _date(root, "primary_completion_date"),
        "completion_date": _date(root, "completion_date"),
        "study_type": to_enum(StudyType, _text(root, "study_type"), "study_type"),
        "phases": to_phases(_text(root, "phase")),
        "design": {
            "allocation": to_enum(Allocation, _text(design, "allocation"), "design.allocation"),
            "intervention_model": to_enum(
                InterventionModel, _text(design, "intervention_model"), "design.intervention_model"
            ),
            "primary_purpose": to_enum(PrimaryPurpose, _text(design, "primary_purpose"), "design.primary_purpose"),
            "masking": masking,
            "who_masked": who_masked,
        },
        "enrollment": (
            {
                "count": int(enrollment_node.text) if (enrollment_node.text or "").strip().isdigit() else None,
                "type": to_enum(EnrollmentType, _enrollment_type(enrollment_node.get("type")), "enrollment@type"),
            }
            if enrollment_node is not None
            else None
        ),
        "conditions": _texts(root, "condition"),
        "keywords": _texts(root, "keyword"),
        "brief_summary": clean_block(_text(root, "brief_summary/textblock")),
        "detailed_description": clean_block(_text(root, "detailed_description/textblock")),
        "arms": arms,
        "interventions": interventions,
        "outcomes": {
            "primary": _outcomes(root, "primary_outcome"),
            "secondary": _outcomes(root, "secondary_outcome"),
            "other": _outcomes(root, "other_outcome"),
        },
        "eligibility": {
            **eligibility_lists(criteria_text),
            "minimum_age": _age(_text(root, "eligibility/minimum_age")),
            "maximum_age": _age(_text(root, "eligibility/maximum_age")),
            "sex": to_enum(Sex, _text(root, "eligibility/gender"), "eligibility.sex"),
            "healthy_volunteers": to_bool(
                _text(root, "eligibility/healthy_volunteers"), "eligibility.healthy_volunteers"
            ),
            "criteria_text": criteria_text,
        },
        "sponsor": {
            "lead": clean_line(_text(root, "sponsors/lead_sponsor/agency")),
            "lead_class": to_enum(AgencyClass, _text(root, "sponsors/lead_sponsor/agency_class"), "sponsor.lead_class"),
            "collaborators": _texts(root, "sponsors/collaborator/agency"),
        },
        "locations": [
            {
                "facility": clean_line(_text(loc, "facility/name")),
                "city": clean_line(_text(loc, "facility/address/city")),
                "state": clean_line(_text(loc, "facility/address/state")),
                "country": clean_line(_text(loc, "facility/address/country")),
                "status": to_enum(RecruitmentStatus, _text(loc, "status"), "locations.status"),
            }
            for loc in root.findall("location")
        ],
    }
    return TrialRecord.model_validate(data)


def _enrollment_type(value: str | None) -> str | None:
    return {"Anticipated": "ESTIMATED", "Estimated": "ESTIMATED"}.get(value or "", value)


def _type_title(itype: InterventionType | None) -> str:
    """DIETARY_SUPPLEMENT -> 'Dietary Supplement', as CT.gov writes the "Type: Name" prefix."""
    return itype.value.replace("_", " ").title() if itype else "Other"
