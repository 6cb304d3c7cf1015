"""Legacy ClinicalTrials.gov `<clinical_study>` XML -> TrialRecord, deterministically.

The XML spells values for people ("Active, not recruiting", "Phase 1/Phase 2", "Anticipated");
`extract.normalize` turns them into v2 vocabulary and refuses what it does not know.
Legacy XML links arms and interventions once (intervention -> arm_group_label); each arm's
`intervention_names` is derived from that link as "Type: Name", the way CT.gov's own v2
conversion does, so the two cross-references agree by construction for this input kind.
"""

from __future__ import annotations

import functools
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
    UnmappedLog,
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
from extract.structured.legacy_design import design_fields

EXTRACTOR = "structured.ctgov_xml"


@functools.cache
def _select(path: str) -> etree.XPath:
    """`path` ("facility/address/city") compiled once: the elements `node.findall(path)` finds, in the
    same order, at about a third of the cost (a study's ~90 lookups were a fifth of its mapping)."""
    return etree.XPath(path)


def _element_text(element: etree._Element) -> str:
    """All the text inside `element` (`"".join(element.itertext())`), read directly from a leaf."""
    return (element.text or "") if len(element) == 0 else "".join(element.itertext())


def _text(node: etree._Element, path: str) -> str | None:
    found = _select(path)(node)
    return _element_text(found[0]) if found else None


def _texts(node: etree._Element, path: str) -> list[str]:
    return [line for e in _select(path)(node) if (line := clean_line(_element_text(e)))]


# The same date under the names CT.gov's XML gave it over time (newest first): <lastchanged_date> and
# <end_date> are the pre-2017 names of <last_update_posted> and <completion_date>.
_DATE_TAGS = {
    "last_update_posted": ("last_update_posted", "lastchanged_date", "last_update_submitted"),
    "completion_date": ("completion_date", "end_date"),
}


def _first(root: etree._Element, tag: str) -> etree._Element | None:
    for name in _DATE_TAGS.get(tag, (tag,)):
        node = root.find(name)
        if node is not None and (node.text or "").strip():
            return node
    return None


def _date(root: etree._Element, tag: str, log: UnmappedLog) -> dict[str, Any] | None:
    node = _first(root, tag)
    if node is None:
        return None
    date = log.keep(node.tag, node.text, lambda v: to_partial_date(v, node.tag))
    if date is None:
        return None
    return {
        "date": date,
        "type": log.keep(f"{node.tag}@type", node.get("type"), lambda v: to_enum(DateType, v, f"{node.tag}@type")),
    }


def _last_update(root: etree._Element, log: UnmappedLog) -> str | None:
    node = _first(root, "last_update_posted")
    return None if node is None else log.keep(node.tag, node.text, lambda v: to_partial_date(v, node.tag))


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
    """One `<clinical_study>` element -> validated record (values it cannot map are left empty)."""
    return map_study_logged(root)[0]


def map_study_logged(root: etree._Element) -> tuple[TrialRecord, list[dict[str, str]]]:
    """One `<clinical_study>` element -> (validated record, the values left unmapped).

    An unknown spelling empties that one field and is listed (path, value, reason) for
    `provenance.unmapped`; the record goes on.
    """
    log = UnmappedLog()

    def enum(enum_type: Any, path: str, value: str | None) -> Any:
        return log.keep(path, value, lambda v: to_enum(enum_type, v, path))

    design = _design(root)
    masking, who_masked = log.keep("design.masking", design.get("masking"), to_masking) or (None, [])
    criteria_text = clean_block(_text(root, "eligibility/criteria/textblock"))
    enrollment_node = root.find("enrollment")

    interventions = []
    for node in root.findall("intervention"):
        itype = enum(InterventionType, "interventions.type", _text(node, "intervention_type"))
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
                "type": enum(ArmType, "arms.type", _text(node, "arm_group_type")),
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
        "overall_status": enum(OverallStatus, "overall_status", _text(root, "overall_status")),
        "why_stopped": clean_line(_text(root, "why_stopped")),
        "last_update_date": _last_update(root, log),
        "start_date": _date(root, "start_date", log),
        "primary_completion_date": _date(root, "primary_completion_date", log),
        "completion_date": _date(root, "completion_date", log),
        "study_type": enum(StudyType, "study_type", _text(root, "study_type")),
        "phases": log.keep("phases", _text(root, "phase"), to_phases) or [],
        "design": {
            "allocation": enum(Allocation, "design.allocation", design.get("allocation")),
            "intervention_model": enum(
                InterventionModel, "design.intervention_model", design.get("intervention_model")
            ),
            "primary_purpose": enum(PrimaryPurpose, "design.primary_purpose", design.get("primary_purpose")),
            "masking": masking,
            "who_masked": who_masked,
        },
        "enrollment": (
            {
                "count": int(enrollment_node.text) if (enrollment_node.text or "").strip().isdigit() else None,
                "type": enum(EnrollmentType, "enrollment@type", _enrollment_type(enrollment_node.get("type"))),
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
            "sex": enum(Sex, "eligibility.sex", _text(root, "eligibility/gender")),
            "healthy_volunteers": log.keep(
                "eligibility.healthy_volunteers",
                _text(root, "eligibility/healthy_volunteers"),
                lambda v: to_bool(v, "eligibility.healthy_volunteers"),
            ),
            "criteria_text": criteria_text,
        },
        "sponsor": {
            "lead": clean_line(_text(root, "sponsors/lead_sponsor/agency")),
            "lead_class": enum(AgencyClass, "sponsor.lead_class", _text(root, "sponsors/lead_sponsor/agency_class")),
            "collaborators": _texts(root, "sponsors/collaborator/agency"),
        },
        "locations": [
            {
                "facility": clean_line(_text(loc, "facility/name")),
                "city": clean_line(_text(loc, "facility/address/city")),
                "state": clean_line(_text(loc, "facility/address/state")),
                "country": clean_line(_text(loc, "facility/address/country")),
                "status": enum(RecruitmentStatus, "locations.status", _text(loc, "status")),
            }
            for loc in root.findall("location")
        ],
    }
    return TrialRecord.model_validate(data), log.entries


def _design(root: etree._Element) -> dict[str, str | None]:
    """The design fields from <study_design_info> (2017+) or the older one-line <study_design>."""
    info = root.find("study_design_info")
    if info is not None:
        return {key: _text(info, key) for key in ("allocation", "intervention_model", "primary_purpose", "masking")}
    return design_fields(_text(root, "study_design"))


def _enrollment_type(value: str | None) -> str | None:
    return {"Anticipated": "ESTIMATED", "Estimated": "ESTIMATED"}.get(value or "", value)


def _type_title(itype: InterventionType | None) -> str:
    """DIETARY_SUPPLEMENT -> 'Dietary Supplement', as CT.gov writes the "Type: Name" prefix."""
    return itype.value.replace("_", " ").title() if itype else "Other"
