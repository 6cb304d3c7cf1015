"""Human spellings of registry values -> ClinicalTrials.gov v2 vocabulary.

Shared by the structured mappers (legacy XML says "Active, not recruiting", "Phase 1/Phase 2",
"Quadruple (Participant, Care Provider, ...)") and by page-text extraction, which meets the
same spellings on registry pages. Each function raises `MappingError` naming the field when a
value has no v2 equivalent, so nothing is guessed silently.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import textwrap
from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from extract.errors import MappingError
from extract.model.vocab import (
    MASKED_ROLE_COUNT,
    AgencyClass,
    Allocation,
    ArmType,
    DateType,
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

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")

_NOT_GIVEN = {"", "n/a", "na", "none given", "not provided", "not reported", "-"}

# Spellings that do not reduce to the v2 name by upper-casing and underscoring: every form
# ClinicalTrials.gov's own XML used over its schema versions (2000s "Double Blind", "Both",
# "Caregiver"; 2017+ "Double", "All", "Care Provider") and what registry pages write.
_ALIASES: dict[type[StrEnum], dict[str, str]] = {
    OverallStatus: {
        "UNKNOWN_STATUS": "UNKNOWN",
        "ACTIVE_NOT_RECRUITING": "ACTIVE_NOT_RECRUITING",
        "AVAILABLE_FOR_EXPANDED_ACCESS": "AVAILABLE",
        "NO_LONGER_RECRUITING": "ACTIVE_NOT_RECRUITING",
    },
    DateType: {"ANTICIPATED": "ESTIMATED", "EXPECTED": "ESTIMATED", "ESTIMATE": "ESTIMATED"},
    StudyType: {
        "OBSERVATIONAL_PATIENT_REGISTRY": "OBSERVATIONAL",
        "INTERVENTIONAL_CLINICAL_TRIAL": "INTERVENTIONAL",
        "PATIENT_REGISTRY": "OBSERVATIONAL",
    },
    Allocation: {
        "N_A": "NA",
        "NON_RANDOMISED": "NON_RANDOMIZED",
        "RANDOMISED": "RANDOMIZED",
        "NONRANDOMIZED": "NON_RANDOMIZED",
        "NOT_RANDOMIZED": "NON_RANDOMIZED",
    },
    InterventionModel: {
        "SINGLE_GROUP_ASSIGNMENT": "SINGLE_GROUP",
        "PARALLEL_ASSIGNMENT": "PARALLEL",
        "CROSSOVER_ASSIGNMENT": "CROSSOVER",
        "FACTORIAL_ASSIGNMENT": "FACTORIAL",
        "SEQUENTIAL_ASSIGNMENT": "SEQUENTIAL",
        "SINGLE_GROUP": "SINGLE_GROUP",
        "SINGLE_ARM": "SINGLE_GROUP",
    },
    PrimaryPurpose: {
        "EDUCATIONAL_COUNSELING_TRAINING": "ECT",
        "EDUCATIONAL_COUNSELLING_TRAINING": "ECT",
        "SUPPORTIVE": "SUPPORTIVE_CARE",
    },
    AgencyClass: {"U_S_FED": "FED", "INDIVIDUAL": "INDIV", "OTHER_U_S_GOV": "OTHER_GOV"},
    InterventionType: {
        "BIOLOGIC": "BIOLOGICAL",
        "BIOLOGICAL_VACCINE": "BIOLOGICAL",
        "VACCINE": "BIOLOGICAL",
        "PROCEDURE_SURGERY": "PROCEDURE",
        "SURGERY": "PROCEDURE",
        "BEHAVIOURAL": "BEHAVIORAL",
        "GENE_TRANSFER": "GENETIC",
        "RADIATION_THERAPY": "RADIATION",
    },
    Masking: {
        "NONE_OPEN_LABEL": "NONE",
        "OPEN_LABEL": "NONE",
        "OPEN": "NONE",
        "NO_MASKING": "NONE",
        "UNMASKED": "NONE",
        "SINGLE_BLIND": "SINGLE",
        "SINGLE_BLINDED": "SINGLE",
        "DOUBLE_BLIND": "DOUBLE",
        "DOUBLE_BLINDED": "DOUBLE",
        "TRIPLE_BLIND": "TRIPLE",
        "TRIPLE_BLINDED": "TRIPLE",
        "QUADRUPLE_BLIND": "QUADRUPLE",
        "QUADRUPLE_BLINDED": "QUADRUPLE",
    },
    WhoMasked: {
        "OUTCOMES_ASSESSOR": "OUTCOMES_ASSESSOR",
        "OUTCOME_ASSESSOR": "OUTCOMES_ASSESSOR",
        "CARE_PROVIDER": "CARE_PROVIDER",
        "CAREGIVER": "CARE_PROVIDER",
        "CARE_GIVER": "CARE_PROVIDER",
        "SUBJECT": "PARTICIPANT",
        "PATIENT": "PARTICIPANT",
    },
    Sex: {"BOTH": "ALL", "MALE_AND_FEMALE": "ALL", "FEMALES": "FEMALE", "MALES": "MALE"},
    ArmType: {"PLACEBO": "PLACEBO_COMPARATOR", "SHAM": "SHAM_COMPARATOR", "ACTIVE_CONTROL": "ACTIVE_COMPARATOR"},
}


def is_not_given(value: str | None) -> bool:
    return value is None or value.strip().lower() in _NOT_GIVEN


_NON_KEY = re.compile(r"[^A-Z0-9]+")


def enum_key(text: str) -> str:
    """'Active, not recruiting' -> 'ACTIVE_NOT_RECRUITING'; '[Patient Registry]' kept as words."""
    return _NON_KEY.sub("_", text.strip().upper()).strip("_")


def to_enum(enum: type[E], text: str | None, field: str) -> E | None:
    """Map a spelling to `enum`; None for absent/"N/A"; MappingError for an unknown value."""
    if text is None or not text.strip():
        return None
    key = enum_key(text)
    key = _ALIASES.get(enum, {}).get(key, key)
    try:
        return enum(key)
    except ValueError:
        if is_not_given(text):
            return None
        allowed = ", ".join(m.value for m in enum)
        raise MappingError(f"{field}: {text!r} is not a known value ({allowed})") from None


def to_phases(text: str | None, field: str = "phases") -> list[Phase]:
    """'Phase 1/Phase 2' -> [PHASE1, PHASE2]; 'N/A' -> [NA]; 'Early Phase 1' -> [EARLY_PHASE1]."""
    if text is None or not text.strip():
        return []
    if enum_key(text) in {"N_A", "NA", "NOT_APPLICABLE"}:
        return [Phase.NA]
    phases: list[Phase] = []
    for part in re.split(r"\s*[/,&]\s*|\s+and\s+", text.strip()):
        key = enum_key(part).replace("PHASE_", "PHASE")
        key = {
            "N_A": "NA",
            "NOT_APPLICABLE": "NA",
            "EARLY_PHASE_1": "EARLY_PHASE1",
            "EARLY_PHASE1": "EARLY_PHASE1",
        }.get(key, key)
        key = {
            "PHASEI": "PHASE1",
            "PHASEII": "PHASE2",
            "PHASEIII": "PHASE3",
            "PHASEIV": "PHASE4",
            "PHASE0": "EARLY_PHASE1",
        }.get(key, key)
        if re.fullmatch(r"[1-4]", key):
            key = "PHASE" + key
        try:
            phase = Phase(key)
        except ValueError:
            raise MappingError(f"{field}: {part!r} is not a known phase") from None
        if phase not in phases:
            phases.append(phase)
    return phases


def to_masking(text: str | None, field: str = "design.masking") -> tuple[Masking | None, list[WhoMasked]]:
    """'Quadruple (Participant, Care Provider, Investigator, Outcomes Assessor)' -> (QUADRUPLE, [4 roles])."""
    if text is None or not text.strip():
        return None, []
    match = re.match(r"^\s*([^()]+?)\s*(?:\((.*)\))?\s*$", text)
    if not match:
        raise MappingError(f"{field}: {text!r} is not a masking value")
    head, roles_text = match[1], match[2]
    if roles_text is not None and enum_key(roles_text) in {"OPEN_LABEL", "NONE"}:
        roles_text = None
    masking = to_enum(Masking, head, field)
    roles: list[WhoMasked] = []
    for role in re.split(r"\s*,\s*", roles_text or ""):
        if role.strip():
            who = to_enum(WhoMasked, role, "design.who_masked")
            if who is not None and who not in roles:
                roles.append(who)
    # Before 2017 "Double Blind" meant "blinded" whatever the roles: "Double Blind (Subject, Caregiver,
    # Investigator, Outcomes Assessor)". CT.gov's own conversion set the level from the roles listed
    # (that study is QUADRUPLE today), so a "... Blind" spelling with roles takes its level from them.
    if roles and "BLIND" in enum_key(head):
        masking = next(level for level, count in MASKED_ROLE_COUNT.items() if count == len(roles))
    return masking, roles


@dataclasses.dataclass
class UnmappedLog:
    """Collects the values a mapper could not map, so one unknown spelling empties one field, not the record.

    Entries have the shape extraction rows keep in `provenance.unmapped`: {path, value, reason}.
    """

    entries: list[dict[str, str]] = dataclasses.field(default_factory=list)

    def keep(self, path: str, value: str | None, convert: Callable[[str | None], T]) -> T | None:
        """`convert(value)`; on MappingError the entry is logged and the field is left empty (None)."""
        try:
            return convert(value)
        except MappingError as exc:
            self.entries.append({"path": path, "value": value or "", "reason": str(exc)})
            return None


def to_bool(text: str | None, field: str) -> bool | None:
    if text is None or not text.strip():
        return None
    key = enum_key(text)
    if key in {"YES", "TRUE", "ACCEPTS_HEALTHY_VOLUNTEERS", "Y"}:
        return True
    if key in {"NO", "FALSE", "N"}:
        return False
    raise MappingError(f"{field}: {text!r} is not yes/no")


# English month names, as registries write dates ("June 1, 2022"); one table for every stage.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTHS = {name.lower(): number for number, name in enumerate(MONTHS, start=1)}


def month_number(word: str) -> int | None:
    """'August', 'Aug', 'Sept' -> 8 / 8 / 9: a month's name or a prefix of it of 3 letters or more."""
    word = word.lower()
    return _MONTHS.get(word) or next(
        (i for name, i in _MONTHS.items() if len(word) >= 3 and name.startswith(word)), None
    )


def _iso(year: int, month: int, day: int | None) -> str:
    """ISO partial date; ValueError when there is no such calendar day."""
    return datetime.date(year, month, day or 1).isoformat()[: 10 if day else 7]


def read_date(value: str) -> str | None:
    """A date as registries write it -> ISO "2014-08-05" / "2014-08"; None when it is not written like a
    date; ValueError when it is written like one but names no calendar day.

    ISO and yyyy/mm[/dd]; dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy (day first, as WHO registries write it;
    month first only when the day-first reading is impossible); "5 August 2014"; "August 5, 2014";
    "August 2014"."""
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?", value)
    if m:
        return _iso(int(m[1]), int(m[2]), int(m[3]) if m[3] else None)
    m = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", value)
    if m:
        day, month = int(m[1]), int(m[2])
        if month > 12 >= day:
            day, month = month, day
        return _iso(int(m[3]), month, day)
    m = re.fullmatch(r"(\d{1,2})[\s-]+([A-Za-z]+)\.?,?[\s-]+(\d{4})", value)
    if m and (month := month_number(m[2])):
        return _iso(int(m[3]), month, int(m[1]))
    m = re.fullmatch(r"([A-Za-z]+)\.?\s+(?:(\d{1,2}),?\s+)?(\d{4})", value)
    if m and (month := month_number(m[1])):
        return _iso(int(m[3]), month, int(m[2]) if m[2] else None)
    return None


def to_partial_date(text: str | None, field: str) -> str | None:
    """'June 1, 2022' -> '2022-06-01'; 'August 2008' -> '2008-08'; ISO forms pass through (`read_date`)."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", value):
        return value
    try:
        found = read_date(value)
    except ValueError:
        raise MappingError(f"{field}: {text!r} is not a calendar date") from None
    if found is None:
        raise MappingError(f"{field}: {text!r} is not a date this tool reads")
    return found


def clean_block(text: str | None) -> str | None:
    """A text block as a record keeps it: newlines normalised, common indent removed, trimmed."""
    if text is None:
        return None
    block = textwrap.dedent(text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")).strip()
    return block or None


def clean_line(text: str | None) -> str | None:
    """A one-line value: whitespace collapsed; None when empty."""
    if text is None:
        return None
    line = " ".join(text.split())
    return line or None
