"""Every string a gold record holds as page text, with its path: what `test_fixtures` looks for in the source.

Page text (the fields the record model marks `SourceText`: titles, summaries, descriptions,
names, criterion texts and labels, headers, the criteria text, sponsors, locations) must occur in
the source, whitespace collapsed. Enum, date and number values are vocabulary, not page text, and
are not listed; an age is listed as its number.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from extract.model.paths import find
from extract.model.text_fields import text_fields


def gold_strings(record: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(path, text) for every page-text value of a dumped gold record: every field the record model
    marks `SourceText`, plus ages as their number."""
    for field in text_fields():
        if not field.items:
            yield from _values(field.path, find(record, field.path), field.is_list, field.name)
            continue
        for i, item in enumerate(find(record, field.container) or []):
            yield from _values(f"{field.container}[{i}].{field.name}", item.get(field.name), field.is_list, field.name)
    for key in ("minimum_age", "maximum_age"):
        age = find(record, f"eligibility.{key}")
        if isinstance(age, dict):
            yield f"eligibility.{key}", str(age["value"])


def _values(path: str, value: Any, is_list: bool, name: str) -> Iterator[tuple[str, str]]:
    if not is_list:
        if isinstance(value, str) and value:
            yield path, value
        return
    for j, item in enumerate(value or []):
        # "Drug: Placebo": the page may print the type and name apart (mirror layout)
        yield f"{path}[{j}]", item.split(": ", 1)[-1] if name == "intervention_names" else item


def collapse(text: str) -> str:
    return " ".join(text.split())
