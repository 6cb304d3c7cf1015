"""Deterministic value parsing per field: dates, ages, counts, enum spellings, design prose.

Each parser takes the value as the page prints it and returns the record's value, None when the
page says "nothing" ("No limit", "N/A"), or raises MappingError for a spelling it cannot read
(the caller asks one cached closed question or reports it in `provenance.unmapped`; never a guess).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, TypeVar

from extract.errors import MappingError
from extract.model.vocab import (
    Allocation,
    InterventionModel,
    InterventionType,
    Masking,
    OverallStatus,
    Phase,
    PrimaryPurpose,
    Sex,
    StudyType,
)
from extract.normalize import read_date, to_bool, to_enum, to_masking, to_phases
from extract.page.tables import Tables, spelling_key

E = TypeVar("E", bound=StrEnum)
ENUMS: dict[str, type[StrEnum]] = {
    "overall_status": OverallStatus,
    "study_type": StudyType,
    "allocation": Allocation,
    "intervention_model": InterventionModel,
    "primary_purpose": PrimaryPurpose,
    "masking": Masking,
    "sex": Sex,
    "intervention_type": InterventionType,
}
_NOTHING = re.compile(
    r"^(?:no\s+(?:limit|maximum(?:\s+age)?|minimum(?:\s+age)?|upper\s+age\s+limit)|n/?a|none|not\s+"
    r"(?:applicable|specified|stated)|-)\.?$",
    re.I,
)


def parse_date(text: str) -> str:
    """A page's date -> ISO partial date (`normalize.read_date` lists the forms); a trailing full stop is ignored."""
    raw = " ".join(text.split())
    try:
        found = read_date(raw.rstrip("."))
    except ValueError:
        raise MappingError(f"{raw!r} is not a calendar date") from None
    if found is None:
        raise MappingError(f"{raw!r} is not a date this tool reads")
    return found


_UNITS = {"year": "Years", "month": "Months", "week": "Weeks", "day": "Days", "hour": "Hours", "minute": "Minutes"}
_AGE = re.compile(r"(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?(?:\(s\))?", re.I)


def age_text(number: str, unit: str) -> str:
    value = float(number)
    shown = str(int(value)) if value.is_integer() else number
    return f"{shown} {_UNITS[unit.lower()]}"


def parse_age(text: str) -> str | None:
    """ "18 Years", "18.00 Year(s)", ">= 20year old", "18 years" -> "18 Years"; "No limit" -> None."""
    value = " ".join(text.split())
    if _NOTHING.match(value):
        return None
    m = _AGE.search(value)
    if not m:
        raise MappingError(f"{value!r} is not an age")
    return age_text(m[1], m[2])


def parse_age_range(text: str) -> tuple[str | None, str | None]:
    """ "18 Years and older" / "18 Years to 65 Years" / "up to 17 Years" -> (min, max)."""
    value = " ".join(text.split())
    ages = list(_AGE.finditer(value))
    if not ages:
        raise MappingError(f"{value!r} is not an age range")
    if len(ages) >= 2:
        return age_text(ages[0][1], ages[0][2]), age_text(ages[1][1], ages[1][2])
    only = age_text(ages[0][1], ages[0][2])
    if re.search(
        r"\b(?:up\s+to|under|younger|below|maximum|<)", value[: ages[0].start()] + value[ages[0].end() :], re.I
    ):
        return None, only
    return only, None


def parse_count(text: str) -> int:
    m = re.search(r"\d[\d,]*", text)
    if not m:
        raise MappingError(f"{text!r} has no number")
    return int(m.group(0).replace(",", ""))


_ROMAN = {"0": "Early Phase 1", "I": "1", "II": "2", "III": "3", "IV": "4"}


def parse_phases(text: str) -> list[Phase]:
    """ "Phase 2", "Phase II/III", "II", "Phase 2/Phase 3", "N/A", "Not Applicable"."""
    value = " ".join(text.split())
    if re.fullmatch(r"(?:n/?a|not\s+applicable)", value, re.I):
        return [Phase.NA]
    parts = re.split(r"\s*/\s*|\s*,\s*|\s+and\s+", re.sub(r"(?i)\bphase\s+", "", value))
    spelled = []
    for part in parts:
        part = _ROMAN.get(part.upper(), part)
        spelled.append(part if part.lower().startswith("early") else f"Phase {part}")
    return to_phases("/".join(spelled))


def parse_enum(field: str, text: str, tables: Tables) -> Any:
    """An enum spelling through the curated alias table, then the shared normaliser."""
    enum = ENUMS[field]
    key = spelling_key(text)
    aliases = tables.values.get(field, {})
    if key in aliases:
        found = aliases[key]
        return None if found is None else enum(found)
    if field == "masking":
        masking, _roles = to_masking(re.sub(r"\((?:masking\s+)?not\s+used\)", "", text, flags=re.I))
        return masking
    stripped = re.sub(r"\b(?:controlled\s+)?(?:trial|study|assignment|purpose)\b", "", text, flags=re.I).strip(" ,")
    for candidate in (text, stripped):
        try:
            return to_enum(enum, candidate, field)
        except MappingError:
            continue
    raise MappingError(f"{field}: {text!r} is not a known value")


def parse_masking(text: str) -> Masking | None:
    """ "Double (Participant, Investigator)" -> DOUBLE."""
    return to_masking(text)[0]


def parse_masked_roles(text: str) -> list[Any]:
    """ "Double (Participant, Investigator)" -> [PARTICIPANT, INVESTIGATOR]."""
    return to_masking(text)[1]


def parse_bool(text: str, field: str) -> bool | None:
    return to_bool(text, field)


_PROSE: tuple[tuple[str, str, str], ...] = (
    ("allocation", r"\bnon[-\s]?randomi[sz]ed\b", "NON_RANDOMIZED"),
    ("allocation", r"(?<!non-)(?<!non )\brandomi[sz]ed\b", "RANDOMIZED"),
    ("masking", r"\bopen[-\s]?label\b|\bopen\s*\(masking not used\)", "NONE"),
    ("masking", r"\bsingle[-\s]?blind", "SINGLE"),
    ("masking", r"\bdouble[-\s]?blind", "DOUBLE"),
    ("masking", r"\btriple[-\s]?blind", "TRIPLE"),
    ("masking", r"\bquadruple[-\s]?blind", "QUADRUPLE"),
    ("intervention_model", r"\bparallel(?:[-\s]group|\s+assignment)?\b", "PARALLEL"),
    ("intervention_model", r"\bcross[-\s]?over\b", "CROSSOVER"),
    ("intervention_model", r"\bfactorial\b", "FACTORIAL"),
    ("intervention_model", r"\bsingle[-\s](?:arm|group)\b|\bsingle\s+assignment\b", "SINGLE_GROUP"),
    ("primary_purpose", r"\btreatment\s+purpose\b", "TREATMENT"),
    ("primary_purpose", r"\bprevention\s+purpose\b", "PREVENTION"),
    ("primary_purpose", r"\bdiagnostic\s+purpose\b", "DIAGNOSTIC"),
    ("primary_purpose", r"\bsupportive\s+care\s+purpose\b", "SUPPORTIVE_CARE"),
    ("primary_purpose", r"\bbasic\s+science\s+purpose\b", "BASIC_SCIENCE"),
    ("primary_purpose", r"\bscreening\s+purpose\b", "SCREENING"),
    ("primary_purpose", r"\bhealth\s+services\s+research\s+purpose\b", "HEALTH_SERVICES_RESEARCH"),
)


def parse_design_prose(text: str) -> dict[str, tuple[str, int, int]]:
    """ "Randomised double-blind placebo-controlled parallel-group trial" -> design values with the
    offsets (in `text`) of the words that state them; the first statement per field wins."""
    found: dict[str, tuple[str, int, int]] = {}
    for field, pattern, value in _PROSE:
        if field in found:
            continue
        m = re.search(pattern, text, re.I)
        if m:
            found[field] = (value, m.start(), m.end())
    return found


__all__ = [
    "ENUMS",
    "parse_age",
    "parse_age_range",
    "parse_bool",
    "parse_count",
    "parse_date",
    "parse_design_prose",
    "parse_enum",
    "parse_masked_roles",
    "parse_masking",
    "parse_phases",
]
