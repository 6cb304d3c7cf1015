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


_WHITESPACE = re.compile(r"\s+")


def _normalised_text(text: str, chunk: int = 1 << 18) -> str:
    """`normalise` for a whole page, a chunk at a time: re.sub over 30 MB at once would hold a
    list of millions of small strings. Chunks end after a whole whitespace run, so no run is split."""
    parts: list[str] = []
    start, size = len(text) - len(text.lstrip()), len(text)
    while start < size:
        end = min(size, start + chunk)
        run = _WHITESPACE.match(text, end)
        if run is not None:
            end = run.end()
        parts.append(_WHITESPACE.sub(" ", text[start:end]).lower())
        start = end
    return "".join(parts)


@dataclass
class Grounder:
    """Finds values in one source text. Memory stays a small multiple of the text: the
    normalised copy is made only when a value is not found as it stands, and no per-character
    index is kept (a 30 MB page once cost 3.5 GB of Python lists): the span in the original text
    comes from a whitespace- and case-tolerant search instead."""

    text: str
    _norm: str | None = field(default=None, init=False, repr=False)

    @property
    def norm(self) -> str:
        """The text with whitespace runs as one space, no leading space, lower-cased (as `normalise`)."""
        if self._norm is None:
            self._norm = _normalised_text(self.text)
        return self._norm

    def locate(self, value: str, hint: Span | None = None) -> Span | None:
        if not value or not value.strip():
            return None
        if hint is not None and normalise(self.text[hint.start : hint.end]) == normalise(value):
            return hint
        exact = self.text.find(value)
        if exact >= 0:
            return Span(start=exact, end=exact + len(value))
        found = self.norm.find(normalise(value))
        if found < 0:
            return None
        # The value is there up to whitespace and case; find the same words in the original text.
        # Normalising only shortens text, so the first original match starts at or after `found`.
        words = re.compile(r"\s+".join(re.escape(word) for word in value.split()), re.IGNORECASE)
        match = words.search(self.text, found) or words.search(self.text)
        return Span(start=match.start(), end=match.end()) if match else None


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
