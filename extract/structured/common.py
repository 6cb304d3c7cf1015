"""Pieces both structured mappers share: criteria splitting into the record's eligibility."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from extract.model import TrialRecord
from extract.section.criteria import split_criteria


def eligibility_lists(criteria_text: str | None) -> dict[str, Any]:
    """inclusion / exclusion / headers for a criteria text; spans index that text."""
    if not criteria_text:
        return {}
    split = split_criteria(criteria_text)
    return {"inclusion": split.inclusion, "exclusion": split.exclusion, "headers": split.headers}


def validate_dropping_unknown_enums(data: dict[str, Any]) -> tuple[TrialRecord, list[dict[str, str]]]:
    """Validate `data`; a value outside an enum's vocabulary empties that field and is logged, the record goes on.

    Any other invalid value still raises (the record is wrong, not merely spelled differently).
    """
    unmapped: list[dict[str, str]] = []
    while True:
        try:
            return TrialRecord.model_validate(data), unmapped
        except ValidationError as exc:
            problems = exc.errors()
            enum_problems = [e for e in problems if e["type"] == "enum"]
            # None is not a spelling: a required enum left empty is a wrong record (and clearing it again would loop)
            if len(enum_problems) != len(problems) or any(e["input"] is None for e in enum_problems):
                raise
            # last position first, so deleting from a list does not shift the positions still to clear
            for problem in sorted(enum_problems, key=lambda e: [str(p).zfill(9) for p in e["loc"]], reverse=True):
                path = ".".join(str(part) for part in problem["loc"])
                unmapped.append({"path": path, "value": str(problem["input"]), "reason": problem["msg"]})
                _clear(data, problem["loc"])


def _clear(data: Any, loc: tuple[int | str, ...]) -> None:
    """Set the value at `loc` to None, or drop it from its list (a list of enums, such as who_masked)."""
    *parents, last = loc
    node = data
    for part in parents:
        node = node[part]
    if isinstance(node, list):
        del node[int(last)]
    else:
        node[last] = None
