"""Every string a gold record holds as page text, with its path: what `test_fixtures` looks for in the source.

Free text (titles, summaries, descriptions, names, criterion texts and labels, headers, the
criteria text, sponsors, locations) must occur in the source, whitespace collapsed. Enum,
date and number values are vocabulary, not page text, and are not listed; an age is listed as
its number.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

_SCALARS = (
    "nct_id",
    "brief_title",
    "official_title",
    "acronym",
    "why_stopped",
    "brief_summary",
    "detailed_description",
)
_ITEM_TEXT = {
    "arms": ("label", "description"),
    "interventions": ("name", "description"),
    "outcomes.primary": ("measure", "time_frame", "description"),
    "outcomes.secondary": ("measure", "time_frame", "description"),
    "outcomes.other": ("measure", "time_frame", "description"),
    "locations": ("facility", "city", "state", "country"),
    "eligibility.inclusion": ("text", "label"),
    "eligibility.exclusion": ("text", "label"),
    "eligibility.headers": ("text",),
}
_ITEM_LISTS = {"arms": ("intervention_names",), "interventions": ("other_names", "arm_labels")}


def _get(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def gold_strings(record: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(path, text) for every page-text value of a dumped gold record."""
    for path in (*_SCALARS, "sponsor.lead", "eligibility.criteria_text"):
        value = _get(record, path)
        if isinstance(value, str) and value:
            yield path, value
    for path in ("conditions", "keywords", "sponsor.collaborators"):
        for i, value in enumerate(_get(record, path) or []):
            yield f"{path}[{i}]", value
    for path, keys in _ITEM_TEXT.items():
        for i, item in enumerate(_get(record, path) or []):
            for key in keys:
                value = item.get(key)
                if isinstance(value, str) and value:
                    yield f"{path}[{i}].{key}", value
            for key in _ITEM_LISTS.get(path, ()):
                for j, value in enumerate(item.get(key) or []):
                    # "Drug: Placebo": the page may print the type and name apart (mirror layout)
                    yield f"{path}[{i}].{key}[{j}]", value.split(": ", 1)[-1] if key == "intervention_names" else value
    for key in ("minimum_age", "maximum_age"):
        age = _get(record, f"eligibility.{key}")
        if isinstance(age, dict):
            yield f"eligibility.{key}", str(age["value"])


def collapse(text: str) -> str:
    return " ".join(text.split())
