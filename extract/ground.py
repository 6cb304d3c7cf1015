"""Grounding: every extracted free-text value must be found in the source text.

A value is checked at its recorded span first, then searched for exactly, then with whitespace
and case normalised. A value that cannot be found is removed from the record and listed in
`ungrounded` with what the extractor said: never kept silently, never dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from extract.model import Span

# Free-text leaves, per container; list containers hold dicts or strings.
_SCALARS = ("brief_title", "official_title", "acronym", "why_stopped", "brief_summary", "detailed_description")
_STRING_LISTS = ("conditions", "keywords")
# (list path, key whose failure removes the whole item, other free-text keys, nested string lists)
_ITEM_LISTS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("arms", "label", ("description",), ()),
    ("interventions", "name", ("description",), ("other_names",)),
    ("outcomes.primary", "measure", ("time_frame", "description"), ()),
    ("outcomes.secondary", "measure", ("time_frame", "description"), ()),
    ("outcomes.other", "measure", ("time_frame", "description"), ()),
    ("locations", "", ("facility", "city", "state", "country"), ()),
)


def normalise(text: str) -> str:
    return " ".join(text.split()).lower()


@dataclass
class Grounder:
    """Finds values in one source text; builds the normalised index once."""

    text: str
    _norm: str = field(init=False)
    _map: list[int] = field(init=False)

    def __post_init__(self) -> None:
        chars: list[str] = []
        index: list[int] = []
        previous_space = True
        for position, char in enumerate(self.text):
            if char.isspace():
                if not previous_space:
                    chars.append(" ")
                    index.append(position)
                previous_space = True
                continue
            chars.append(char.lower())
            index.append(position)
            previous_space = False
        self._norm = "".join(chars)
        self._map = index

    def locate(self, value: str, hint: Span | None = None) -> Span | None:
        if not value or not value.strip():
            return None
        if hint is not None and normalise(self.text[hint.start : hint.end]) == normalise(value):
            return hint
        exact = self.text.find(value)
        if exact >= 0:
            return Span(start=exact, end=exact + len(value))
        needle = normalise(value)
        found = self._norm.find(needle)
        if found < 0:
            return None
        start = self._map[found]
        end = self._map[found + len(needle) - 1] + 1
        return Span(start=start, end=end)


@dataclass
class Grounded:
    data: dict[str, Any]
    spans: dict[str, Span]
    ungrounded: list[dict[str, Any]]


def _get(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    node = data
    *parents, leaf = path.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value


def ground(data: dict[str, Any], spans: dict[str, Span], text: str) -> Grounded:
    """Check every free-text value of `data` against `text`; return kept data, spans, removals."""
    finder = Grounder(text)
    out_spans: dict[str, Span] = {}
    removed: list[dict[str, Any]] = []

    def check(path: str, value: Any) -> bool:
        if not isinstance(value, str):
            return True
        span = finder.locate(value, spans.get(path))
        if span is None:
            removed.append({"path": path, "value": value, "reason": "not found in the source text"})
            return False
        out_spans[path] = span
        return True

    for path in _SCALARS:
        value = data.get(path)
        if value is not None and not check(path, value):
            data[path] = None
    for path in _STRING_LISTS:
        kept = []
        for value in data.get(path) or []:
            if check(f"{path}[{len(kept)}]", value):
                kept.append(value)
        if path in data:
            data[path] = kept
    for list_path, key_field, text_fields, nested_lists in _ITEM_LISTS:
        items = _get(data, list_path)
        if not items:
            continue
        kept_items = []
        for original_index, item in enumerate(items):
            new_path = f"{list_path}[{len(kept_items)}]"
            old_path = f"{list_path}[{original_index}]"
            if key_field:
                span = finder.locate(item.get(key_field, ""), spans.get(f"{old_path}.{key_field}"))
                if span is None:
                    removed.append(
                        {"path": old_path, "value": item, "reason": f"{key_field} not found in the source text"}
                    )
                    continue
                out_spans[f"{new_path}.{key_field}"] = span
            for text_field in text_fields:
                value = item.get(text_field)
                if isinstance(value, str):
                    span = finder.locate(value, spans.get(f"{old_path}.{text_field}"))
                    if span is None:
                        removed.append(
                            {
                                "path": f"{old_path}.{text_field}",
                                "value": value,
                                "reason": "not found in the source text",
                            }
                        )
                        item[text_field] = None
                    else:
                        out_spans[f"{new_path}.{text_field}"] = span
            for nested in nested_lists:
                kept_names = []
                for value in item.get(nested) or []:
                    span = finder.locate(value)
                    if span is None:
                        removed.append(
                            {"path": f"{old_path}.{nested}", "value": value, "reason": "not found in the source text"}
                        )
                    else:
                        out_spans[f"{new_path}.{nested}[{len(kept_names)}]"] = span
                        kept_names.append(value)
                if nested in item:
                    item[nested] = kept_names
            kept_items.append(item)
        _set(data, list_path, kept_items)
    for path in ("sponsor.lead",):
        value = _get(data, path)
        if isinstance(value, str) and not check(path, value):
            _set(data, path, None)
    collaborators = _get(data, "sponsor.collaborators") or []
    if collaborators:
        kept_collab = [c for i, c in enumerate(collaborators) if check(f"sponsor.collaborators[{i}]", c)]
        _set(data, "sponsor.collaborators", kept_collab)
    _ground_criteria(data, finder, removed)
    # Spans of normalised fields (status, dates, ages...) point at their raw text: keep them.
    for path, span in spans.items():
        if not re.match(r"^(arms|interventions|outcomes|locations|conditions|keywords|sponsor\.collaborators)\b", path):
            out_spans.setdefault(path, span)
    return Grounded(data=data, spans=dict(sorted(out_spans.items())), ungrounded=removed)


def _ground_criteria(data: dict[str, Any], finder: Grounder, removed: list[dict[str, Any]]) -> None:
    eligibility = data.get("eligibility") or {}
    for kind in ("inclusion", "exclusion"):
        items = eligibility.get(kind) or []
        kept = []
        for index, item in enumerate(items):
            as_dict = item if isinstance(item, dict) else item.model_dump()
            text = as_dict.get("text", "")
            hint = as_dict.get("span")
            hint_span = Span.model_validate(hint) if isinstance(hint, dict) else hint
            span = finder.locate(text, hint_span)
            if span is None:
                removed.append(
                    {"path": f"eligibility.{kind}[{index}]", "value": text, "reason": "not found in the source text"}
                )
                continue
            as_dict["span"] = span
            kept.append(as_dict)
        if kind in eligibility:
            eligibility[kind] = kept
