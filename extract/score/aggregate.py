"""Per-fixture results -> totals per field, per group, per record, micro and macro, per set."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from extract.score.checker import CheckScore
from extract.score.fields import FIELD_GROUP, FIELD_ORDER, GROUPS
from extract.score.grounding import Grounding
from extract.score.metrics import CheckCounts, Counts, mean, total
from extract.score.record import Diff

RENDERED_SETS = frozenset({"rendered", "registries"})


class FixtureResult(BaseModel):
    """Everything one fixture produced: the scores and what the reports show."""

    model_config = ConfigDict(extra="forbid")

    key: str
    id: str
    set: str
    source_file: str
    status: str  # extraction row status: ok | error
    error: str | None = None
    fields: dict[str, Counts] = Field(default_factory=dict)
    diffs: list[Diff] = Field(default_factory=list)
    check: CheckScore = Field(default_factory=CheckScore)
    grounding: Grounding | None = None
    findings: list[dict[str, Any]] = Field(default_factory=list)  # Finding.to_json()
    spans: dict[str, dict[str, int]] = Field(default_factory=dict)  # predicted value path -> span (page inputs)
    page: bool = False  # spans and evidence index the source text

    def groups(self) -> dict[str, Counts]:
        return group_totals(self.fields)

    def micro(self) -> Counts:
        return total(list(self.fields.values()))


class RecordSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str
    micro: Counts
    groups: dict[str, float | None]  # group -> F1
    checker: CheckCounts


class SetMetrics(BaseModel):
    model_config = ConfigDict(extra="forbid")

    set: str
    rendered: bool  # page text rendered from structured records, not seen in the wild
    fixtures: int
    extracted: int  # rows with status ok
    fields: dict[str, Counts]
    groups: dict[str, Counts]
    micro: Counts
    macro_field_f1: float | None
    macro_record_f1: float | None
    records: dict[str, RecordSummary]
    checker_rules: dict[str, CheckCounts]
    checker: CheckCounts
    grounding: Grounding | None


def group_totals(fields: dict[str, Counts]) -> dict[str, Counts]:
    groups: dict[str, Counts] = {}
    for name, counts in fields.items():
        group = FIELD_GROUP.get(name, "other")
        groups[group] = groups.get(group, Counts()) + counts
    return {g: groups[g] for g in (*GROUPS, "other") if g in groups}


def aggregate(set_name: str, results: list[FixtureResult]) -> SetMetrics:
    fields: dict[str, Counts] = {}
    for result in results:
        for name, counts in result.fields.items():
            fields[name] = fields.get(name, Counts()) + counts
    fields = dict(sorted(fields.items(), key=lambda kv: (FIELD_ORDER.get(kv[0], 10_000), kv[0])))
    records = {
        r.key: RecordSummary(
            status=r.status,
            micro=r.micro(),
            groups={g: c.f1 for g, c in r.groups().items()},
            checker=sum(r.check.rules.values(), CheckCounts()),
        )
        for r in results
    }
    rules: dict[str, CheckCounts] = {}
    for r in results:
        for rule, counts in r.check.rules.items():
            rules[rule] = rules.get(rule, CheckCounts()) + counts
    groundings = [r.grounding for r in results if r.grounding is not None]
    grounding = sum(groundings[1:], groundings[0]) if groundings else None
    if grounding is not None:
        grounding = grounding.model_copy(update={"unverified": []})
    return SetMetrics(
        set=set_name,
        rendered=set_name in RENDERED_SETS,
        fixtures=len(results),
        extracted=sum(r.status == "ok" for r in results),
        fields=fields,
        groups=group_totals(fields),
        micro=total(list(fields.values())),
        macro_field_f1=mean([c.f1 for c in fields.values()]),
        macro_record_f1=mean([s.micro.f1 for s in records.values()]),
        records=dict(sorted(records.items())),
        checker_rules=dict(sorted(rules.items())),
        checker=sum(rules.values(), CheckCounts()),
        grounding=grounding,
    )


def flat_metrics(sets: dict[str, SetMetrics]) -> dict[str, float]:
    """Every gated metric by name (higher is better), leaving out the undefined ones."""
    out: dict[str, float | None] = {}
    for name, m in sets.items():
        out[f"{name}.extracted_share"] = round(m.extracted / m.fixtures, 4) if m.fixtures else None
        out[f"{name}.micro.f1"] = m.micro.f1
        out[f"{name}.micro.precision"] = m.micro.precision
        out[f"{name}.micro.recall"] = m.micro.recall
        out[f"{name}.macro_field_f1"] = m.macro_field_f1
        out[f"{name}.macro_record_f1"] = m.macro_record_f1
        for group, counts in m.groups.items():
            for stat in ("precision", "recall", "f1"):
                out[f"{name}.group.{group}.{stat}"] = getattr(counts, stat)
        for field, counts in m.fields.items():
            out[f"{name}.field.{field}.f1"] = counts.f1
        for rule, counts in m.checker_rules.items():
            for stat in ("precision", "recall", "f1"):
                out[f"{name}.checker.{rule}.{stat}"] = getattr(counts, stat)
        if m.checker_rules:
            for stat in ("precision", "recall", "f1"):
                out[f"{name}.checker.overall.{stat}"] = getattr(m.checker, stat)
        if m.grounding is not None:
            out[f"{name}.grounding.share"] = m.grounding.share
        for key, record in m.records.items():
            fixture = key.split("/", 1)[1]
            out[f"{name}.record.{fixture}.f1"] = record.micro.f1
            out[f"{name}.record.{fixture}.checker.f1"] = record.checker.f1
            for group, f1 in record.groups.items():
                out[f"{name}.record.{fixture}.{group}.f1"] = f1
    return {k: v for k, v in sorted(out.items()) if v is not None}
