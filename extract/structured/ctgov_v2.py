"""ClinicalTrials.gov API v2 study JSON -> TrialRecord, field by field, no model involved.

v2 already speaks the record's vocabulary, so this is mostly renaming; values pass through
the record model's validators, which reject anything outside the vocabulary.
"""

from __future__ import annotations

from typing import Any

from extract.model import TrialRecord
from extract.normalize import clean_block, clean_line
from extract.structured.common import eligibility_lists, validate_dropping_unknown_enums

EXTRACTOR = "structured.ctgov_v2"


def _get(node: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _list(node: Any) -> list[Any]:
    return node if isinstance(node, list) else []


def _date(struct: Any) -> dict[str, Any] | None:
    if not isinstance(struct, dict) or not struct.get("date"):
        return None
    return {"date": struct["date"], "type": struct.get("type")}


def _outcomes(items: Any) -> list[dict[str, Any]]:
    return [
        {
            "measure": clean_line(o.get("measure")) or "",
            "time_frame": clean_line(o.get("timeFrame")),
            "description": clean_block(o.get("description")),
        }
        for o in _list(items)
        if isinstance(o, dict)
    ]


def map_study(study: dict[str, Any]) -> TrialRecord:
    """One v2 study object (with protocolSection) -> validated record."""
    return map_study_logged(study)[0]


def map_study_logged(study: dict[str, Any]) -> tuple[TrialRecord, list[dict[str, str]]]:
    """One v2 study object -> (validated record, the enum values outside the vocabulary, each field emptied)."""
    p = study.get("protocolSection") or {}
    ident = _get(p, "identificationModule") or {}
    status = _get(p, "statusModule") or {}
    design = _get(p, "designModule") or {}
    design_info = design.get("designInfo") or {}
    masking_info = design_info.get("maskingInfo") or {}
    arms_mod = _get(p, "armsInterventionsModule") or {}
    elig = _get(p, "eligibilityModule") or {}
    sponsors = _get(p, "sponsorCollaboratorsModule") or {}
    criteria_text = clean_block(elig.get("eligibilityCriteria"))
    enrollment = design.get("enrollmentInfo")

    data: dict[str, Any] = {
        "nct_id": ident.get("nctId"),
        "brief_title": clean_line(ident.get("briefTitle")),
        "official_title": clean_line(ident.get("officialTitle")),
        "acronym": clean_line(ident.get("acronym")),
        "overall_status": status.get("overallStatus"),
        "why_stopped": clean_line(status.get("whyStopped")),
        "last_update_date": _get(status, "lastUpdatePostDateStruct", "date"),
        "start_date": _date(status.get("startDateStruct")),
        "primary_completion_date": _date(status.get("primaryCompletionDateStruct")),
        "completion_date": _date(status.get("completionDateStruct")),
        "study_type": design.get("studyType"),
        "phases": _list(design.get("phases")),
        "design": {
            "allocation": design_info.get("allocation"),
            "intervention_model": design_info.get("interventionModel"),
            "primary_purpose": design_info.get("primaryPurpose"),
            "masking": masking_info.get("masking"),
            "who_masked": _list(masking_info.get("whoMasked")),
        },
        "enrollment": (
            {"count": enrollment.get("count"), "type": enrollment.get("type")} if isinstance(enrollment, dict) else None
        ),
        "conditions": [clean_line(c) for c in _list(_get(p, "conditionsModule", "conditions")) if clean_line(c)],
        "keywords": [clean_line(k) for k in _list(_get(p, "conditionsModule", "keywords")) if clean_line(k)],
        "brief_summary": clean_block(_get(p, "descriptionModule", "briefSummary")),
        "detailed_description": clean_block(_get(p, "descriptionModule", "detailedDescription")),
        "arms": [
            {
                "label": clean_line(a.get("label")) or "",
                "type": a.get("type"),
                "description": clean_block(a.get("description")),
                "intervention_names": [clean_line(n) for n in _list(a.get("interventionNames")) if clean_line(n)],
            }
            for a in _list(arms_mod.get("armGroups"))
            if isinstance(a, dict)
        ],
        "interventions": [
            {
                "type": i.get("type"),
                "name": clean_line(i.get("name")) or "",
                "description": clean_block(i.get("description")),
                "other_names": [clean_line(n) for n in _list(i.get("otherNames")) if clean_line(n)],
                "arm_labels": [clean_line(n) for n in _list(i.get("armGroupLabels")) if clean_line(n)],
            }
            for i in _list(arms_mod.get("interventions"))
            if isinstance(i, dict)
        ],
        "outcomes": {
            "primary": _outcomes(_get(p, "outcomesModule", "primaryOutcomes")),
            "secondary": _outcomes(_get(p, "outcomesModule", "secondaryOutcomes")),
            "other": _outcomes(_get(p, "outcomesModule", "otherOutcomes")),
        },
        "eligibility": {
            **eligibility_lists(criteria_text),
            "minimum_age": elig.get("minimumAge"),
            "maximum_age": elig.get("maximumAge"),
            "sex": elig.get("sex"),
            "healthy_volunteers": elig.get("healthyVolunteers"),
            "criteria_text": criteria_text,
        },
        "sponsor": {
            "lead": clean_line(_get(sponsors, "leadSponsor", "name")),
            "lead_class": _get(sponsors, "leadSponsor", "class"),
            "collaborators": [
                clean_line(c.get("name"))
                for c in _list(sponsors.get("collaborators"))
                if isinstance(c, dict) and c.get("name")
            ],
        },
        "locations": [
            {
                "facility": clean_line(loc.get("facility")),
                "city": clean_line(loc.get("city")),
                "state": clean_line(loc.get("state")),
                "country": clean_line(loc.get("country")),
                "status": loc.get("status"),
            }
            for loc in _list(_get(p, "contactsLocationsModule", "locations"))
            if isinstance(loc, dict)
        ],
    }
    return validate_dropping_unknown_enums(data)
