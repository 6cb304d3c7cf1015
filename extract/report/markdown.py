"""report.md: the figures as Markdown tables (names and numbers only; no record text)."""

from __future__ import annotations

from pathlib import Path

from extract.report.summary import SET_LABELS, fmt, weakest_fields
from extract.score.aggregate import SetMetrics
from extract.score.fields import GROUPS
from extract.score.gate import GateResult
from extract.score.metrics import Counts
from extract.score.runner import EvalRun


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return [*lines, ""]


def _counts_row(name: str, c: Counts) -> list[str]:
    return [
        name,
        str(c.support),
        str(c.tp),
        str(c.wrong),
        str(c.missing),
        str(c.invented),
        fmt(c.precision),
        fmt(c.recall),
        fmt(c.f1),
    ]


COUNT_HEADER = ["support", "tp", "wrong", "missing", "invented", "P", "R", "F1"]


def _set_section(m: SetMetrics) -> list[str]:
    lines = [f"## {m.set}: {SET_LABELS.get(m.set, m.set)}", ""]
    if m.rendered:
        lines += [
            "> These pages were rendered by evals/render.py from structured records: they measure layout",
            "> robustness, not accuracy on pages from the wild. Compare them with the hand-labelled set, never pool them.",
            "",
        ]
    grounding = m.grounding.share if m.grounding else None
    lines += _table(
        ["fixtures", "extracted", "micro P", "micro R", "micro F1", "macro field F1", "macro record F1", "grounding"],
        [
            [
                str(m.fixtures),
                str(m.extracted),
                fmt(m.micro.precision),
                fmt(m.micro.recall),
                fmt(m.micro.f1),
                fmt(m.macro_field_f1),
                fmt(m.macro_record_f1),
                fmt(grounding),
            ]
        ],
    )
    lines += ["### Field groups", ""]
    lines += _table(["group", *COUNT_HEADER], [_counts_row(g, m.groups[g]) for g in GROUPS if g in m.groups])
    lines += ["### Fields", ""]
    lines += _table(["field", *COUNT_HEADER], [_counts_row(f, c) for f, c in m.fields.items()])
    weak = weakest_fields(m)
    if weak:
        lines += ["### Weakest fields", ""]
        lines += _table(
            ["field", "group", "F1", "missing", "invented", "wrong"],
            [
                [w.field, w.group, fmt(w.counts.f1), str(w.counts.missing), str(w.counts.invented), str(w.counts.wrong)]
                for w in weak
            ],
        )
    if m.checker_rules:
        lines += ["### Checker", ""]
        rows = [
            [rule, str(c.tp), str(c.fp), str(c.fn), str(c.tn), fmt(c.precision), fmt(c.recall), fmt(c.f1)]
            for rule, c in m.checker_rules.items()
        ]
        c = m.checker
        rows.append(
            ["**overall**", str(c.tp), str(c.fp), str(c.fn), str(c.tn), fmt(c.precision), fmt(c.recall), fmt(c.f1)]
        )
        lines += [
            "tp: a must-raise finding found; fn: not found; fp: a must-not-raise rule fired; tn: it stayed silent.",
            "",
        ]
        lines += _table(["rule", "tp", "fp", "fn", "tn", "P", "R", "F1"], rows)
    lines += ["### Records", ""]
    lines += _table(
        ["fixture", "status", "micro F1", "missing", "invented", "wrong", "checker tp/fp/fn"],
        [
            [
                key,
                r.status,
                fmt(r.micro.f1),
                str(r.micro.missing),
                str(r.micro.invented),
                str(r.micro.wrong),
                f"{r.checker.tp}/{r.checker.fp}/{r.checker.fn}",
            ]
            for key, r in m.records.items()
        ],
    )
    return lines


def markdown(run: EvalRun, gate: GateResult | None) -> str:
    info = run.metrics.run
    lines = [
        "# trialqa eval report",
        "",
        f"- sets: {', '.join(info.sets)}; fixtures: {info.fixtures}",
        f"- strategy: {info.strategy}; model: {info.model_id or '-'}; endpoint: {info.endpoint}; replay: {info.replay}",
        f"- text similarity threshold: {info.text_threshold}",
        f"- prompts: {', '.join(f'{k}={v}' for k, v in info.prompt_hashes.items())}",
        "",
    ]
    lines += ["## Regression gate", ""]
    if gate is None:
        lines += ["No baseline: nothing compared (write one with `trialqa eval --update-baseline`).", ""]
    elif gate.passed:
        lines += [
            f"PASSED: {gate.compared} metrics at or above baseline minus tolerance"
            f" ({len(gate.improvements)} improved beyond tolerance, {len(gate.new)} new).",
            "",
        ]
    else:
        lines += [f"FAILED: {len(gate.regressions)} of {gate.compared} metrics below baseline minus tolerance:", ""]
        lines += _table(
            ["metric", "baseline", "tolerance", "current"],
            [[r.metric, fmt(r.baseline), fmt(r.tolerance), fmt(r.current)] for r in gate.regressions],
        )
    for m in run.metrics.sets.values():
        lines += _set_section(m)
    return "\n".join(lines).rstrip() + "\n"


def write_markdown(run: EvalRun, gate: GateResult | None, path: Path) -> Path:
    path.write_text(markdown(run, gate), encoding="utf-8")
    return path
