"""The one trial record every input kind becomes.

Field names and paths are a public contract (other tools read them); enum values are
ClinicalTrials.gov API v2 spellings (see `vocab`). Validators sit beside their fields and
reject impossible values; a failure names the field path (see `errors.describe_validation_error`).

Spans: `Span` offsets index the record's *source text*: the page text for page inputs, and
`eligibility.criteria_text` for structured inputs (v2 JSON, legacy XML), whose other fields
are not free text cut from one document. `provenance.span_base` in an extraction row says which.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from extract.model.vocab import (
    AGE_UNIT_IN_YEARS,
    AgencyClass,
    AgeUnit,
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

NCT_ID_PATTERN = r"^NCT\d{8}$"
_PARTIAL_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*$")

NonEmptyStr = Annotated[str, Field(min_length=1)]


@dataclass(frozen=True)
class SourceText:
    """Marks a field whose value is text copied from the record's source (see `model.text_fields`).

    - grounded: page extraction must find it in the page, else grounding removes it (False for
      identifiers, markers and references to other items' names, which are checked otherwise);
    - key: in a list item, the text that identifies the item (not found -> the item is removed);
    - free: prose, compared by similarity when scored (False: compared exactly).
    """

    grounded: bool = True
    key: bool = False
    free: bool = True


Text = SourceText()


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_assignment=True)


class Span(_Model):
    """Half-open character range [start, end) in the record's source text."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end < self.start:
            raise ValueError(f"span end {self.end} is before its start {self.start}")
        return self


def validate_partial_date(value: str) -> str:
    """'YYYY-MM' or 'YYYY-MM-DD' with a real month and day."""
    match = _PARTIAL_DATE.match(value)
    if not match:
        raise ValueError(f"date {value!r} is not YYYY-MM or YYYY-MM-DD")
    year, month, day = int(match[1]), int(match[2]), match[3]
    if not 1 <= month <= 12:
        raise ValueError(f"date {value!r} has month {month}")
    if day is not None:
        try:
            datetime.date(year, month, int(day))
        except ValueError as exc:
            raise ValueError(f"date {value!r} is not a calendar date") from exc
    return value


class StudyDate(_Model):
    date: str
    type: DateType | None = None

    @field_validator("date")
    @classmethod
    def _date(cls, value: str) -> str:
        return validate_partial_date(value)


class Design(_Model):
    allocation: Allocation | None = None
    intervention_model: InterventionModel | None = None
    primary_purpose: PrimaryPurpose | None = None
    masking: Masking | None = None
    who_masked: list[WhoMasked] = Field(default_factory=list)


class Enrollment(_Model):
    count: int | None = Field(default=None, ge=0)
    type: EnrollmentType | None = None


class Arm(_Model):
    label: Annotated[NonEmptyStr, SourceText(key=True)]
    type: ArmType | None = None
    description: Annotated[str | None, Text] = None
    # CT.gov writes these "Type: Name" (e.g. "Drug: Placebo"); kept as written.
    intervention_names: Annotated[list[str], SourceText(grounded=False)] = Field(default_factory=list)


class Intervention(_Model):
    type: InterventionType | None = None
    name: Annotated[NonEmptyStr, SourceText(key=True)]
    description: Annotated[str | None, Text] = None
    other_names: Annotated[list[str], Text] = Field(default_factory=list)
    arm_labels: Annotated[list[str], SourceText(grounded=False)] = Field(default_factory=list)


class Outcome(_Model):
    measure: Annotated[NonEmptyStr, SourceText(key=True)]
    time_frame: Annotated[str | None, Text] = None
    description: Annotated[str | None, Text] = None


class Outcomes(_Model):
    primary: list[Outcome] = Field(default_factory=list)
    secondary: list[Outcome] = Field(default_factory=list)
    other: list[Outcome] = Field(default_factory=list)


class CriterionItem(_Model):
    """One eligibility criterion as written.

    `text` is the item without its marker, whitespace collapsed to single spaces;
    `span` covers it in the source text, so " ".join(source[span.start:span.end].split()) == text.
    """

    text: Annotated[NonEmptyStr, SourceText(key=True)]
    label: Annotated[str, SourceText(grounded=False, free=False)] = (
        ""  # the item's own marker as written: "9.", "*", "1)", "" for a bare paragraph
    )
    level: int = Field(default=0, ge=0)  # 0 top level, 1+ sub-items
    span: Span | None = None


class CriteriaHeader(_Model):
    """An "Inclusion Criteria:" / "Exclusion Criteria:" style header found in the criteria text."""

    kind: str = Field(pattern=r"^(inclusion|exclusion)$")
    text: Annotated[NonEmptyStr, SourceText(grounded=False)]
    span: Span | None = None


class Age(_Model):
    """An age limit as CT.gov writes it ("18 Years"), with its number and unit."""

    text: NonEmptyStr
    value: int | float = Field(ge=0)
    unit: AgeUnit

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            return parse_age(data)
        return data

    def in_years(self) -> float:
        return self.value * AGE_UNIT_IN_YEARS[self.unit]


def parse_age(text: str) -> dict[str, Any]:
    """'18 Years' -> {text, value: 18, unit: YEARS}; raises ValueError on anything else."""
    match = _AGE.match(text)
    if not match:
        raise ValueError(f"age {text!r} is not '<number> <unit>'")
    unit_word = match[2].upper()
    unit_word = unit_word if unit_word.endswith("S") else unit_word + "S"  # "1 Year" -> YEARS
    try:
        unit = AgeUnit(unit_word)
    except ValueError as exc:
        raise ValueError(f"age {text!r} has unknown unit {match[2]!r}") from exc
    value = float(match[1])
    return {
        "text": f"{match[1]} {unit.value.title()}",
        "value": int(value) if value.is_integer() else value,
        "unit": unit,
    }


class Eligibility(_Model):
    inclusion: list[CriterionItem] = Field(default_factory=list)
    exclusion: list[CriterionItem] = Field(default_factory=list)
    headers: list[CriteriaHeader] = Field(default_factory=list)
    minimum_age: Age | None = None
    maximum_age: Age | None = None
    sex: Sex | None = None
    healthy_volunteers: bool | None = None
    criteria_text: Annotated[str | None, SourceText(grounded=False)] = None

    @model_validator(mode="after")
    def _age_range(self) -> Eligibility:
        if self.minimum_age and self.maximum_age and self.minimum_age.in_years() > self.maximum_age.in_years():
            raise ValueError(f"minimum_age {self.minimum_age.text!r} is above maximum_age {self.maximum_age.text!r}")
        return self


class Sponsor(_Model):
    lead: Annotated[str | None, Text] = None
    lead_class: AgencyClass | None = None
    collaborators: Annotated[list[str], Text] = Field(default_factory=list)


class Location(_Model):
    facility: Annotated[str | None, Text] = None
    city: Annotated[str | None, Text] = None
    state: Annotated[str | None, Text] = None
    country: Annotated[str | None, Text] = None
    status: RecruitmentStatus | None = None


class TrialRecord(_Model):
    """One clinical-trial record in ClinicalTrials.gov v2 vocabulary, whatever its input kind."""

    nct_id: Annotated[str | None, SourceText(grounded=False, free=False)] = Field(default=None, pattern=NCT_ID_PATTERN)
    brief_title: Annotated[str | None, Text] = None
    official_title: Annotated[str | None, Text] = None
    acronym: Annotated[str | None, Text] = None
    overall_status: OverallStatus | None = None
    why_stopped: Annotated[str | None, Text] = None
    last_update_date: str | None = None
    start_date: StudyDate | None = None
    primary_completion_date: StudyDate | None = None
    completion_date: StudyDate | None = None
    study_type: StudyType | None = None
    phases: list[Phase] = Field(default_factory=list)
    design: Design = Field(default_factory=Design)
    enrollment: Enrollment | None = None
    conditions: Annotated[list[str], Text] = Field(default_factory=list)
    keywords: Annotated[list[str], Text] = Field(default_factory=list)
    brief_summary: Annotated[str | None, Text] = None
    detailed_description: Annotated[str | None, Text] = None
    arms: list[Arm] = Field(default_factory=list)
    interventions: list[Intervention] = Field(default_factory=list)
    outcomes: Outcomes = Field(default_factory=Outcomes)
    eligibility: Eligibility = Field(default_factory=Eligibility)
    sponsor: Sponsor = Field(default_factory=Sponsor)
    locations: list[Location] = Field(default_factory=list)
    # Field path (e.g. "arms[0].label") -> where its value stands in the source text.
    spans: dict[str, Span] = Field(default_factory=dict)

    @field_validator("last_update_date")
    @classmethod
    def _last_update(cls, value: str | None) -> str | None:
        return None if value is None else validate_partial_date(value)

    @field_validator("phases")
    @classmethod
    def _phases_unique(cls, value: list[Phase]) -> list[Phase]:
        if len(set(value)) != len(value):
            raise ValueError(f"phases repeat a value: {[p.value for p in value]}")
        return value
