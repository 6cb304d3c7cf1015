"""report.html: per-fixture gold vs predicted diffs, and the source text with every extracted span
and every finding's evidence highlighted. Rendered by jinja2 with autoescape on: record text is
untrusted and only ever reaches the page escaped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2

from extract.highlight import Mark, segments
from extract.report.summary import SET_LABELS, fmt, weakest_fields
from extract.score.aggregate import FixtureResult
from extract.score.fields import GROUPS
from extract.score.gate import GateResult
from extract.score.runner import EvalRun

_TEMPLATES = Path(__file__).parent / "templates"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,  # untrusted record text everywhere
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = fmt
    env.filters["value"] = _value
    return env


def _value(value: Any) -> str:
    """A gold / predicted value as plain text (escaped later by the template)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _marks(result: FixtureResult) -> list[Mark]:
    marks = [Mark(s["start"], s["end"], path, kind="span") for path, s in sorted(result.spans.items())]
    for finding in result.findings:
        for evidence in finding["evidence"]:
            span = evidence.get("span")
            if span is not None:
                marks.append(
                    Mark(span["start"], span["end"], f"{finding['rule']} @ {evidence['path']}", kind="evidence")
                )
    return marks


def _fixture_view(result: FixtureResult, source: str, gold_criteria: str | None) -> dict[str, Any]:
    if result.page:
        title, text = "source text", source
    else:  # structured input: criterion spans and evidence index the criteria text
        title, text = "eligibility.criteria_text", gold_criteria or ""
    diffs = sorted(result.diffs, key=lambda d: (d.status == "ok", d.path))
    return {
        "r": result,
        "groups": result.groups(),
        "micro": result.micro(),
        "problems": [d for d in diffs if d.status != "ok"],
        # structured inputs map exactly; listing their hundreds of matches would only bloat the page
        "matches": [d for d in diffs if d.status == "ok"] if result.page else [],
        "outcomes": result.check.outcomes,
        "text_title": title,
        "segments": segments(text, _marks(result)),
    }


def html(run: EvalRun, gate: GateResult | None) -> str:
    sources = run.sources()
    gold_criteria = {f.key: f.gold.record.eligibility.criteria_text for f in run.fixtures}
    sets = []
    for name, metrics in run.metrics.sets.items():
        results = [r for r in run.results if r.set == name]
        sets.append(
            {
                "name": name,
                "label": SET_LABELS.get(name, name),
                "m": metrics,
                "groups": [(g, metrics.groups[g]) for g in GROUPS if g in metrics.groups],
                "weak": weakest_fields(metrics),
                "fixtures": [_fixture_view(r, sources[r.key], gold_criteria.get(r.key)) for r in results],
            }
        )
    template = _environment().get_template("report.html.j2")
    return template.render(info=run.metrics.run, gate=gate, sets=sets)


def write_html(run: EvalRun, gate: GateResult | None, path: Path) -> Path:
    path.write_text(html(run, gate), encoding="utf-8")
    return path
