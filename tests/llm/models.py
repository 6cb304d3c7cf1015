"""Answer models and messages shared by the LLM tests."""

from __future__ import annotations

import enum

from pydantic import BaseModel, Field


class Side(enum.StrEnum):
    INCLUSION = "INCLUSION"
    EXCLUSION = "EXCLUSION"


class CriterionSide(BaseModel):
    """Whether a criterion is a requirement to join or a reason to be kept out."""

    side: Side = Field(description="INCLUSION: must be met to join; EXCLUSION: keeps a person out.")


MESSAGES = [
    {"role": "system", "content": "Classify eligibility criteria."},
    {"role": "user", "content": "Criterion: Signed written informed consent"},
]
GOOD = {"side": "INCLUSION"}
