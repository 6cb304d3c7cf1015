"""The whole strategy: one instructor call per page, for capable remote models.

The model returns a flat answer schema; code maps it onto the record model, then grounding
checks every text value against the page (values the model invented or reworded are removed
and listed). Criteria come back as strings and are matched to the page to get their spans.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from extract.errors import MappingError
from extract.model import parse_age
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
    StudyType,
    WhoMasked,
)
from extract.normalize import to_partial_date
from extract.page import questions
from extract.page.draft import Ledger, PageDraft
from extract.page.questions import Asker

STRATEGY = "whole"


class WholeArm(BaseModel):
    label: str
    type: ArmType | None = None
    interventions: list[str] = Field(default_factory=list)


class WholeIntervention(BaseModel):
    name: str
    type: InterventionType | None = None


class WholeOutcome(BaseModel):
    measure: str
    time_frame: str | None = None


class WholeRecord(BaseModel):
    nct_id: str | None = None
    brief_title: str | None = None
    official_title: str | None = None
    overall_status: OverallStatus | None = None
    phases: list[Phase] = Field(default_factory=list)
    study_type: StudyType | None = None
    allocation: Allocation | None = None
    intervention_model: InterventionModel | None = None
    masking: Masking | None = None
    who_masked: list[WhoMasked] = Field(default_factory=list)
    primary_purpose: PrimaryPurpose | None = None
    enrollment_count: int | None = Field(default=None, ge=0)
    start_date: str | None = None
    completion_date: str | None = None
    conditions: list[str] = Field(default_factory=list)
    arms: list[WholeArm] = Field(default_factory=list)
    interventions: list[WholeIntervention] = Field(default_factory=list)
    primary_outcomes: list[WholeOutcome] = Field(default_factory=list)
    secondary_outcomes: list[WholeOutcome] = Field(default_factory=list)
    inclusion: list[str] = Field(default_factory=list)
    exclusion: list[str] = Field(default_factory=list)
    minimum_age: str | None = None
    maximum_age: str | None = None
    sex: Sex | None = None
    healthy_volunteers: bool | None = None
    lead_sponsor: str | None = None


async def extract_page(text: str, llm: Asker, ledger: Ledger | None = None) -> PageDraft:
    """Page text -> draft record, with one question; its cost goes into `ledger`, answered or not."""
    draft = PageDraft(data={}, ledger=ledger if ledger is not None else Ledger())
    answer = await questions.ask(llm, draft.ledger, "whole_record", WholeRecord, 3072, page=text)
    types = {i.name: i.type for i in answer.interventions}

    def names(arm: WholeArm) -> list[str]:
        return [
            f"{(types.get(n) or InterventionType.OTHER).value.replace('_', ' ').title()}: {n}"
            for n in arm.interventions
        ]

    data: dict[str, Any] = {
        "nct_id": answer.nct_id,
        "brief_title": answer.brief_title,
        "official_title": answer.official_title,
        "overall_status": answer.overall_status,
        "phases": list(dict.fromkeys(answer.phases)),
        "study_type": answer.study_type,
        "design": {
            "allocation": answer.allocation,
            "intervention_model": answer.intervention_model,
            "masking": answer.masking,
            "who_masked": list(dict.fromkeys(answer.who_masked)),
            "primary_purpose": answer.primary_purpose,
        },
        "enrollment": {"count": answer.enrollment_count} if answer.enrollment_count is not None else None,
        "conditions": answer.conditions,
        "arms": [{"label": a.label, "type": a.type, "intervention_names": names(a)} for a in answer.arms],
        "interventions": [
            {"name": i.name, "type": i.type, "arm_labels": [a.label for a in answer.arms if i.name in a.interventions]}
            for i in answer.interventions
        ],
        "outcomes": {
            "primary": [o.model_dump() for o in answer.primary_outcomes],
            "secondary": [o.model_dump() for o in answer.secondary_outcomes],
        },
        "eligibility": {
            "inclusion": [{"text": " ".join(t.split())} for t in answer.inclusion if t.strip()],
            "exclusion": [{"text": " ".join(t.split())} for t in answer.exclusion if t.strip()],
            "minimum_age": answer.minimum_age,
            "maximum_age": answer.maximum_age,
            "sex": answer.sex,
            "healthy_volunteers": answer.healthy_volunteers,
        },
        "sponsor": {"lead": answer.lead_sponsor},
    }
    for key, value in (("start_date", answer.start_date), ("completion_date", answer.completion_date)):
        if value:
            try:
                data[key] = {"date": to_partial_date(value, key)}
            except MappingError as exc:
                draft.unmapped.append({"path": key, "value": value, "reason": str(exc)})
    for key in ("minimum_age", "maximum_age"):
        value = data["eligibility"][key]
        if value is not None:
            try:
                parse_age(value)
            except ValueError as exc:
                draft.unmapped.append({"path": f"eligibility.{key}", "value": value, "reason": str(exc)})
                data["eligibility"][key] = None
    draft.data = data
    return draft
