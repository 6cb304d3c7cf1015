"""The one-line `<study_design>` of ClinicalTrials.gov XML before 2017 -> the design fields.

Two shapes were used: keyed ("Allocation: Randomized, Endpoint Classification: Safety/Efficacy
Study, Intervention Model: Parallel Assignment, Masking: Double Blind (Subject, Investigator),
Primary Purpose: Treatment") and, before about 2011, bare values in a fixed vocabulary
("Treatment, Randomized, Double Blind (Subject, Investigator), Placebo Control, Parallel
Assignment, Safety/Efficacy Study"). Values come back as written; `extract.normalize` maps them,
so an unknown one is logged as unmapped by the caller like any other field.
"""

from __future__ import annotations

import re
from enum import StrEnum

from extract.errors import MappingError
from extract.model.vocab import Allocation, InterventionModel, PrimaryPurpose
from extract.normalize import is_not_given, to_enum

# Keys of the keyed form that name a record field; the others (Endpoint Classification, Observational
# Model, Time Perspective) describe things the record does not hold.
_KEYS = {
    "allocation": "allocation",
    "intervention model": "intervention_model",
    "primary purpose": "primary_purpose",
    "masking": "masking",
}
# A bare value is a masking value when it speaks of blinding or labels.
_MASKING_WORDS = re.compile(r"\b(?:blind(?:ed)?|open[ -]label|masking|masked)\b", re.IGNORECASE)
# Bare values, tried in this order; the first vocabulary that knows the value owns it.
_BARE: tuple[tuple[str, type[StrEnum]], ...] = (
    ("allocation", Allocation),
    ("intervention_model", InterventionModel),
    ("primary_purpose", PrimaryPurpose),
)


def split_top_level(text: str) -> list[str]:
    """Comma-separated parts, ignoring commas inside parentheses ("Double Blind (Subject, Investigator)")."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


def design_fields(text: str | None) -> dict[str, str | None]:
    """allocation / intervention_model / primary_purpose / masking as the legacy line writes them."""
    fields: dict[str, str | None] = dict.fromkeys(_KEYS.values())
    if text is None or is_not_given(text):
        return fields
    for part in split_top_level(" ".join(text.split())):
        key, sep, value = part.partition(":")
        if sep and key.strip().lower() in _KEYS:
            fields[_KEYS[key.strip().lower()]] = value.strip()
        elif not sep:
            name = _bare_field(part)
            if name is not None and fields[name] is None:
                fields[name] = part
    return fields


def _bare_field(value: str) -> str | None:
    if _MASKING_WORDS.search(value):
        return "masking"
    for name, enum in _BARE:
        try:
            if to_enum(enum, value, name) is not None:
                return name
        except MappingError:
            continue
    return None
