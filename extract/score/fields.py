"""Which record fields are scored, how, and in which report group.

Kinds:
- exact: enums, numbers, booleans, dates, ages (after `text.normalise_exact`);
- text: free text, equal when the normalised similarity reaches the text threshold;
- list: items paired by optimal assignment (`matching`) on a key; items of `exact` lists are
  enum values; items of object lists carry sub-fields, scored on matched pairs only (so an arm
  that is missing counts once, at `arms`, not again for each of its attributes).

Not scored: `spans` (grounding measures them), `eligibility.headers[].span` and item spans.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from extract.model.paths import find
from extract.model.text_fields import is_free_text

Kind = Literal["exact", "text", "list"]

GROUPS: tuple[str, ...] = (
    "identification",
    "status",
    "dates",
    "design",
    "conditions",
    "descriptions",
    "arms",
    "interventions",
    "outcomes",
    "eligibility",
    "criteria",
    "sponsor",
    "locations",
)


@dataclass(frozen=True)
class FieldSpec:
    name: str  # as reported: "design.masking", "arms", "arms[].type", "outcomes[].time_frame"
    group: str
    kind: Kind
    path: str = ""  # dotted path in the record (or in the item, for sub-fields); default: name
    item: Literal["exact", "text", "object"] = "text"  # list items
    key: Callable[[Any], str] | None = None  # object items: what pairs them
    tie_break: Callable[[Any], str] | None = None
    subs: tuple[FieldSpec, ...] = field(default_factory=tuple)

    @property
    def where(self) -> str:
        return self.path or self.name


def get(data: Any, path: str) -> Any:
    node = find(data, path)
    if isinstance(node, dict) and set(node) >= {"text", "value", "unit"}:
        return node["text"]  # an Age: compared as "18 Years"
    return node


def _scalar(name: str, group: str) -> FieldSpec:
    """A single text field: prose (similarity) or exact, as the record model marks it (`SourceText.free`)."""
    return FieldSpec(name, group, "text" if is_free_text(name) else "exact")


def _location_key(item: dict[str, Any]) -> str:
    return " | ".join(str(item.get(k) or "") for k in ("facility", "city", "state", "country"))


def _outcome_subs() -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("outcomes[].time_frame", "outcomes", "text", path="time_frame"),
        FieldSpec("outcomes[].description", "outcomes", "text", path="description"),
    )


def _criteria_subs() -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("eligibility.criteria[].label", "criteria", "exact", path="label"),
        FieldSpec("eligibility.criteria[].level", "criteria", "exact", path="level"),
    )


def _outcome_list(kind: str) -> FieldSpec:
    return FieldSpec(
        f"outcomes.{kind}",
        "outcomes",
        "list",
        item="object",
        key=lambda o: o.get("measure") or "",
        tie_break=lambda o: o.get("time_frame") or "",
        subs=_outcome_subs(),
    )


def _criteria_list(kind: str) -> FieldSpec:
    return FieldSpec(
        f"eligibility.{kind}",
        "criteria",
        "list",
        item="object",
        key=lambda c: c.get("text") or "",
        subs=_criteria_subs(),
    )


FIELDS: tuple[FieldSpec, ...] = (
    _scalar("nct_id", "identification"),
    _scalar("brief_title", "identification"),
    _scalar("official_title", "identification"),
    _scalar("acronym", "identification"),
    FieldSpec("overall_status", "status", "exact"),
    _scalar("why_stopped", "status"),
    FieldSpec("last_update_date", "status", "exact"),
    FieldSpec("start_date.date", "dates", "exact"),
    FieldSpec("start_date.type", "dates", "exact"),
    FieldSpec("primary_completion_date.date", "dates", "exact"),
    FieldSpec("primary_completion_date.type", "dates", "exact"),
    FieldSpec("completion_date.date", "dates", "exact"),
    FieldSpec("completion_date.type", "dates", "exact"),
    FieldSpec("study_type", "design", "exact"),
    FieldSpec("phases", "design", "list", item="exact"),
    FieldSpec("design.allocation", "design", "exact"),
    FieldSpec("design.intervention_model", "design", "exact"),
    FieldSpec("design.primary_purpose", "design", "exact"),
    FieldSpec("design.masking", "design", "exact"),
    FieldSpec("design.who_masked", "design", "list", item="exact"),
    FieldSpec("enrollment.count", "design", "exact"),
    FieldSpec("enrollment.type", "design", "exact"),
    FieldSpec("conditions", "conditions", "list", item="text"),
    FieldSpec("keywords", "conditions", "list", item="text"),
    _scalar("brief_summary", "descriptions"),
    _scalar("detailed_description", "descriptions"),
    FieldSpec(
        "arms",
        "arms",
        "list",
        item="object",
        key=lambda a: a.get("label") or "",
        subs=(
            FieldSpec("arms[].type", "arms", "exact", path="type"),
            FieldSpec("arms[].description", "arms", "text", path="description"),
            FieldSpec("arms[].intervention_names", "arms", "list", path="intervention_names", item="text"),
        ),
    ),
    FieldSpec(
        "interventions",
        "interventions",
        "list",
        item="object",
        key=lambda i: i.get("name") or "",
        subs=(
            FieldSpec("interventions[].type", "interventions", "exact", path="type"),
            FieldSpec("interventions[].description", "interventions", "text", path="description"),
            FieldSpec("interventions[].other_names", "interventions", "list", path="other_names", item="text"),
            FieldSpec("interventions[].arm_labels", "interventions", "list", path="arm_labels", item="text"),
        ),
    ),
    _outcome_list("primary"),
    _outcome_list("secondary"),
    _outcome_list("other"),
    FieldSpec("eligibility.minimum_age", "eligibility", "exact"),
    FieldSpec("eligibility.maximum_age", "eligibility", "exact"),
    FieldSpec("eligibility.sex", "eligibility", "exact"),
    FieldSpec("eligibility.healthy_volunteers", "eligibility", "exact"),
    _criteria_list("inclusion"),
    _criteria_list("exclusion"),
    FieldSpec(
        "eligibility.headers",
        "criteria",
        "list",
        item="object",
        key=lambda h: f"{h.get('kind')}: {h.get('text') or ''}",
    ),
    _scalar("eligibility.criteria_text", "criteria"),
    _scalar("sponsor.lead", "sponsor"),
    FieldSpec("sponsor.lead_class", "sponsor", "exact"),
    FieldSpec("sponsor.collaborators", "sponsor", "list", item="text"),
    FieldSpec(
        "locations",
        "locations",
        "list",
        item="object",
        key=_location_key,
        subs=(
            FieldSpec("locations[].facility", "locations", "text", path="facility"),
            FieldSpec("locations[].city", "locations", "text", path="city"),
            FieldSpec("locations[].state", "locations", "text", path="state"),
            FieldSpec("locations[].country", "locations", "text", path="country"),
            FieldSpec("locations[].status", "locations", "exact", path="status"),
        ),
    ),
)


def all_specs() -> list[FieldSpec]:
    """Every scored field, sub-fields after their list, each name once."""
    seen: dict[str, FieldSpec] = {}
    for spec in FIELDS:
        seen.setdefault(spec.name, spec)
        for sub in spec.subs:
            seen.setdefault(sub.name, sub)
    return list(seen.values())


FIELD_GROUP: dict[str, str] = {spec.name: spec.group for spec in all_specs()}
FIELD_ORDER: dict[str, int] = {spec.name: i for i, spec in enumerate(all_specs())}
