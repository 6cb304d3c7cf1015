"""Eval reports: metrics.json, report.md, report.html and junit.xml from one eval run.

    from extract.report import write_reports
    paths = write_reports(run, gate, Path("reports/eval"))

Every writer is deterministic (sorted keys, no clock), so two runs over the same replayed answers
give byte-identical files. Record text is untrusted: the HTML is rendered by jinja2 with
autoescape on, JUnit XML by ElementTree (which escapes), Markdown holds only names and numbers.
"""

from __future__ import annotations

from pathlib import Path

from extract.report.html import write_html
from extract.report.junit import write_junit
from extract.report.markdown import write_markdown
from extract.report.metrics_json import write_metrics
from extract.score.gate import GateResult
from extract.score.runner import EvalRun

REPORT_FILES = ("metrics.json", "report.md", "report.html", "junit.xml")


def write_reports(run: EvalRun, gate: GateResult | None, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    return [
        write_metrics(run, out_dir / "metrics.json"),
        write_markdown(run, gate, out_dir / "report.md"),
        write_html(run, gate, out_dir / "report.html"),
        write_junit(run, gate, out_dir / "junit.xml"),
    ]


__all__ = ["REPORT_FILES", "write_reports"]
