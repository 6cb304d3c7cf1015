"""Pieces both structured mappers share: criteria splitting into the record's eligibility."""

from __future__ import annotations

from typing import Any

from extract.section.criteria import split_criteria


def eligibility_lists(criteria_text: str | None) -> dict[str, Any]:
    """inclusion / exclusion / headers for a criteria text; spans index that text."""
    if not criteria_text:
        return {}
    split = split_criteria(criteria_text)
    return {"inclusion": split.inclusion, "exclusion": split.exclusion, "headers": split.headers}
