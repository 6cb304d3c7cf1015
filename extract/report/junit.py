"""junit.xml: one test case per fixture and field group (plus the checker), and one per gated set metric.

A fixture x group case fails when a gated metric of that record and group regressed (the
failure lists the group's wrong / missing / invented values); a gate case fails when its set
metric regressed. With no baseline nothing fails: the cases still carry the diffs, so any CI
system shows where each record stands.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from extract.score.aggregate import FixtureResult
from extract.score.fields import FIELD_GROUP
from extract.score.gate import GateResult, Regression
from extract.score.runner import EvalRun

MAX_LINES = 40


def _diff_lines(result: FixtureResult, group: str) -> list[str]:
    lines = []
    for d in result.diffs:
        if d.status == "ok" or FIELD_GROUP.get(d.field) != group:
            continue
        lines.append(f"{d.status}: {d.path}: gold={d.gold!r} predicted={d.predicted!r}")
    return lines


def _check_lines(result: FixtureResult) -> list[str]:
    return [
        f"{o.outcome}: {o.rule} {o.path or ''}".rstrip() for o in result.check.outcomes if o.outcome in ("fn", "fp")
    ]


def _case(suite: ET.Element, classname: str, name: str, regressed: list[Regression], details: list[str]) -> None:
    case = ET.SubElement(suite, "testcase", classname=classname, name=name, time="0")
    text = "\n".join(
        details[:MAX_LINES] + ([f"... {len(details) - MAX_LINES} more"] if len(details) > MAX_LINES else [])
    )
    if regressed:
        failure = ET.SubElement(case, "failure", message="; ".join(r.describe() for r in regressed), type="regression")
        failure.text = text
    elif text:
        ET.SubElement(case, "system-out").text = text


def junit(run: EvalRun, gate: GateResult | None) -> bytes:
    regressions = {r.metric: r for r in (gate.regressions if gate else [])}
    root = ET.Element("testsuites", name="trialqa eval")
    for set_name in run.metrics.sets:
        suite = ET.SubElement(root, "testsuite", name=f"eval.{set_name}")
        for result in (r for r in run.results if r.set == set_name):
            fixture = result.key.split("/", 1)[1]
            classname = f"eval.{set_name}.{fixture}"
            for group in result.groups():
                metric = f"{set_name}.record.{fixture}.{group}.f1"
                _case(
                    suite,
                    classname,
                    group,
                    [regressions[metric]] if metric in regressions else [],
                    _diff_lines(result, group),
                )
            if result.check.outcomes:
                prefix = f"{set_name}.record.{fixture}.checker."
                _case(
                    suite,
                    classname,
                    "checker",
                    [r for m, r in regressions.items() if m.startswith(prefix)],
                    _check_lines(result),
                )
            if result.error:
                _case(
                    suite,
                    classname,
                    "extraction",
                    [r for m, r in regressions.items() if m == f"{set_name}.extracted_share"],
                    [result.error],
                )
        gate_suite = ET.SubElement(root, "testsuite", name=f"gate.{set_name}")
        regressed_here = {m for m in regressions if m.startswith(f"{set_name}.") and ".record." not in m}
        for name in sorted(set(metrics_names(run, set_name)) | regressed_here):
            _case(gate_suite, f"gate.{set_name}", name, [regressions[name]] if name in regressions else [], [])
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
        suite.set("errors", "0")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def metrics_names(run: EvalRun, set_name: str) -> list[str]:
    """The set-level gated metrics (record-level ones are the fixture cases)."""
    return [n for n in run.metrics.metrics if n.startswith(f"{set_name}.") and ".record." not in n]


def write_junit(run: EvalRun, gate: GateResult | None, path: Path) -> Path:
    path.write_bytes(junit(run, gate))
    return path
