"""Key–value fields on registry pages, found by their labels, whatever the layout.

Pages put a label and its value on one line ("Allocation: | Randomized |",
"Recruitment Status : Unknown", "Ages Eligible for Study:   18 Years to 70 Years") or on
consecutive lines ("Recruitment Status" then "NOT_YET_RECRUITING"). The label table maps the
spellings seen across registries to one field key; values stay raw (normalising is the
extractor's job) and keep their offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.section.lines import Line, Located, trim_cells

# field key -> label patterns (matched case-insensitively against the start of a line)
LABELS: dict[str, tuple[str, ...]] = {
    "nct_id": (r"NCT ID", r"(?:ClinicalTrials\.gov )?Identifier", r"NCT Number"),
    "overall_status": (r"Recruitment Status", r"Overall Status", r"Trial Status", r"Study Status"),
    "phase": (r"Clinical Phase", r"Study Phase", r"Trial Phase", r"Phase"),
    "enrollment": (r"(?:Actual |Estimated |Anticipated |Total |Target )?Enrollment",),
    "study_type": (r"Study Type", r"Study Classification"),
    "start_date": (r"(?:Actual |Estimated |Anticipated )?(?:Study )?Start Date",),
    "primary_completion_date": (r"(?:Actual |Estimated |Anticipated )?Primary Completion Date",),
    "completion_date": (r"(?:Actual |Estimated |Anticipated )?(?:Study )?Completion Date",),
    "allocation": (r"Allocation(?: Method)?",),
    "intervention_model": (r"Intervention Model",),
    "primary_purpose": (r"Primary (?:Study )?Purpose",),
    "masking": (r"Masking", r"Blinding Strategy", r"Blinding"),
    "official_title": (r"Official Title",),
    "acronym": (r"Acronym",),
    "minimum_age": (r"Minimum (?:Eligible )?Age",),
    "maximum_age": (r"Maximum (?:Eligible )?Age",),
    "age_range": (r"Ages Eligible for Study", r"Age(?:s)? Eligible", r"Age Range"),
    "sex": (r"Eligible Sex", r"Sexes Eligible for Study", r"Gender", r"Sex"),
    "healthy_volunteers": (r"Accepts Healthy Volunteers", r"Healthy Volunteers"),
    "last_update_date": (r"Last Updated", r"Last Update Posted"),
    "why_stopped": (r"Why Stopped", r"Reason Stopped"),
    "keywords": (r"Keywords(?=\s*:)",),
    "lead_sponsor": (r"Lead Sponsor(?!\s+Class)", r"Sponsor(?=\s*:)"),
    "lead_class": (r"(?:Lead )?Sponsor Class", r"Agency Class"),
    "collaborators": (r"Collaborators(?=\s*:)",),
}


def _compile(patterns: tuple[str, ...]) -> re.Pattern[str]:
    # pages separate words with non-breaking spaces too: any whitespace run counts as one space
    alternatives = "|".join(p.replace(" ", r"\s+") for p in patterns)
    return re.compile(rf"^(?P<label>{alternatives})(?![\w-])\s*(?::|：|\s\|)?\s*", re.IGNORECASE)


_COMPILED = {key: _compile(patterns) for key, patterns in LABELS.items()}


@dataclass(frozen=True)
class Field:
    key: str
    label: Located
    value: Located


def label_key(line: Line) -> str | None:
    """The field key when the line is (or starts with) a label."""
    for key, pattern in _COMPILED.items():
        if pattern.match(line.text):
            return key
    return None


def find_fields(lines: list[Line], text: str) -> dict[str, Field]:
    """First occurrence of each labelled field with its value (same line, else next line)."""
    fields: dict[str, Field] = {}
    for position, line in enumerate(lines):
        if line.blank:
            continue
        for key, pattern in _COMPILED.items():
            match = pattern.match(line.text)
            if not match:
                continue
            label = Located(match["label"], line.start, line.start + len(match["label"]))
            rest = line.start + match.end()
            value = trim_cells(line, text, rest) if rest < line.end else None
            if value is None and match.end() == len(line.text):
                value = _next_value(lines, position, text)
            if value is not None and key not in fields:
                fields[key] = Field(key, label, value)
            break
    return fields


def _next_value(lines: list[Line], position: int, text: str) -> Located | None:
    """The next non-blank line, unless it is itself a label (then the field has no value)."""
    for line in lines[position + 1 : position + 4]:
        if line.blank:
            continue
        if label_key(line) is not None:
            return None
        return trim_cells(line, text)
    return None
