"""The record model: the single source of truth for what a trial record is."""

from extract.model.record import (
    Age,
    Arm,
    CriteriaHeader,
    CriterionItem,
    Design,
    Eligibility,
    Enrollment,
    Intervention,
    Location,
    Outcome,
    Outcomes,
    Span,
    Sponsor,
    StudyDate,
    TrialRecord,
    parse_age,
)

__all__ = [
    "Age",
    "Arm",
    "CriteriaHeader",
    "CriterionItem",
    "Design",
    "Eligibility",
    "Enrollment",
    "Intervention",
    "Location",
    "Outcome",
    "Outcomes",
    "Span",
    "Sponsor",
    "StudyDate",
    "TrialRecord",
    "parse_age",
]
