"""Grounding: the share of extracted free-text values whose span really covers them in the source.

For page extractions (`provenance.span_base == "source"`) every free-text value the grounding
step handles (titles, summaries, conditions, arm / intervention / outcome / location text,
sponsors, criterion items) should carry a span into the page text whose text, whitespace- and
case-normalised, equals the value. Values the pipeline removed as ungrounded
(`provenance.ungrounded`) count as values without a verified span. Structured extractions
(spans index `eligibility.criteria_text`) are not measured.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field

from extract.ground import normalise

_SCALARS = ("brief_title", "official_title", "acronym", "why_stopped", "brief_summary", "detailed_description")
_STRING_LISTS = ("conditions", "keywords", "sponsor.collaborators")
_ITEMS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("arms", ("label", "description"), ()),
    ("interventions", ("name", "description"), ("other_names",)),
    ("outcomes.primary", ("measure", "time_frame", "description"), ()),
    ("outcomes.secondary", ("measure", "time_frame", "description"), ()),
    ("outcomes.other", ("measure", "time_frame", "description"), ()),
    ("locations", ("facility", "city", "state", "country"), ()),
)


class Grounding(BaseModel):
    model_config = ConfigDict(extra="forbid")

    values: int = 0  # free-text values extracted (kept or removed by the pipeline)
    verified: int = 0  # kept, with a span whose text is the value
    unverified: list[str] = []  # paths of kept values whose span is absent or wrong
    removed: int = 0  # values the pipeline removed as not found in the source

    @computed_field  # type: ignore[prop-decorator]
    @property
    def share(self) -> float | None:
        return round(self.verified / self.values, 4) if self.values else None

    def __add__(self, other: Grounding) -> Grounding:
        return Grounding(
            values=self.values + other.values,
            verified=self.verified + other.verified,
            unverified=[],
            removed=self.removed + other.removed,
        )


def _get(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _values(record: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    """(path, value, span or None) for every free-text value of a dumped record."""
    spans = record.get("spans") or {}
    out: list[tuple[str, str, dict[str, Any] | None]] = []
    for path in (*_SCALARS, "sponsor.lead"):
        value = _get(record, path)
        if isinstance(value, str) and value.strip():
            out.append((path, value, spans.get(path)))
    for path in _STRING_LISTS:
        for i, value in enumerate(_get(record, path) or []):
            out.append((f"{path}[{i}]", value, spans.get(f"{path}[{i}]")))
    for list_path, keys, nested in _ITEMS:
        for i, item in enumerate(_get(record, list_path) or []):
            for key in keys:
                value = item.get(key)
                if isinstance(value, str) and value.strip():
                    path = f"{list_path}[{i}].{key}"
                    out.append((path, value, spans.get(path)))
            for key in nested:
                for j, value in enumerate(item.get(key) or []):
                    path = f"{list_path}[{i}].{key}[{j}]"
                    out.append((path, value, spans.get(path)))
    for kind in ("inclusion", "exclusion"):
        for i, item in enumerate(_get(record, f"eligibility.{kind}") or []):
            out.append((f"eligibility.{kind}[{i}]", item.get("text") or "", item.get("span")))
    return out


def measure(record: dict[str, Any], source_text: str, removed: int = 0) -> Grounding:
    """Grounding of one dumped page record against the page text it was extracted from."""
    result = Grounding(removed=removed)
    for path, value, span in _values(record):
        result.values += 1
        inside = span is not None and 0 <= span["start"] <= span["end"] <= len(source_text)
        if inside and normalise(source_text[span["start"] : span["end"]]) == normalise(value):
            result.verified += 1
            continue
        result.unverified.append(path)
    result.values += removed
    return result
