"""`trialqa check` and `trialqa rules`: thin commands over `extract.check`.

Exit codes (`ExitCode`): 0 normally; 1 when --fail-on is given and a finding at or above that
severity was made; 3 when some inputs could not be checked (error or skipped results; --keep-going
opts out); 2 for usage errors (unknown rule id, bad configuration, missing input).
"""

from __future__ import annotations

import asyncio
import csv
import sys
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import orjson
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from extract.commands.console import check_progress
from extract.commands.options import (
    EXIT_CODES_HELP,
    Address,
    Engine,
    EngineChoice,
    ExitCode,
    Inputs,
    Jobs,
    KeepGoing,
    MaxBytes,
    Workers,
    missing_inputs,
)
from extract.llm.config import EndpointConfig
from extract.load import DEFAULT_MAX_BYTES, SourceRecord
from extract.parallel import default_jobs
from extract.rows import ExtractionRow

if TYPE_CHECKING:  # the checker (its rules compile their patterns) loads with the commands that run it
    from extract.check import Finding
    from extract.check.config import CheckConfig
    from extract.check.runner import Checked


class OutputFormat(StrEnum):
    TABLE = "table"
    JSONL = "jsonl"
    CSV = "csv"


class FailOn(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}  # by Severity value
_CSV_FIELDS = ["nct_id", "rule", "severity", "message", "evidence_index", "path", "text", "span_start", "span_end"]

FormatOption = Annotated[
    OutputFormat | None,
    typer.Option("--format", "-f", help="table (default on a terminal), jsonl (default otherwise) or csv."),
]
RulesOption = Annotated[
    list[str] | None,
    typer.Option("--rules", help="Only these rule ids or prefixes (comma-separated, repeatable).", show_default=False),
]
SkipOption = Annotated[
    list[str] | None,
    typer.Option("--skip", help="Not these rule ids or prefixes (comma-separated, repeatable).", show_default=False),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", help="TOML file with a \\[tool.trialqa.check] table (or its keys at top level).", show_default=False
    ),
]


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _config(config_file: Path | None, select: list[str] | None, skip: list[str] | None) -> CheckConfig:
    """The configuration in effect, or exit 2 with the reason."""
    from extract.check import RULES
    from extract.check.config import ConfigError, discover, load_file, validate_patterns

    try:
        base = load_file(config_file, RULES) if config_file is not None else discover(RULES)
        return base.merged(
            select=validate_patterns(_split(select), RULES, "--rules"),
            skip=validate_patterns(_split(skip), RULES, "--skip"),
        )
    except ConfigError as exc:
        Console(stderr=True, highlight=False, soft_wrap=True).print(f"trialqa: {exc}", markup=False)
        raise typer.Exit(2) from None


def _default_format(chosen: OutputFormat | None) -> OutputFormat:
    if chosen is not None:
        return chosen
    return OutputFormat.TABLE if sys.stdout.isatty() else OutputFormat.JSONL


# --- writers ----------------------------------------------------------------------------------


class _JsonlWriter:
    def __init__(self) -> None:
        self.out = sys.stdout.buffer

    def record(self, checked: Checked) -> None:
        for finding in checked.findings:
            self.out.write(orjson.dumps(finding.to_json(), option=orjson.OPT_APPEND_NEWLINE))
        self.out.flush()

    def close(self) -> None:
        self.out.flush()


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text that starts with = + - @ (or a tab / CR) gets a
    leading apostrophe (OWASP's advice against CSV formula injection; record text is untrusted)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class _CsvWriter:
    """One row per piece of evidence (a finding without evidence is one row with empty evidence cells)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.writer = csv.writer(stream, lineterminator="\n")
        self.writer.writerow(_CSV_FIELDS)

    def record(self, checked: Checked) -> None:
        for finding in checked.findings:
            head = [finding.nct_id or "", finding.rule, finding.severity.value, finding.message]
            rows = [
                [index, e.path, e.text, e.span.start if e.span else "", e.span.end if e.span else ""]
                for index, e in enumerate(finding.evidence)
            ] or [["", "", "", "", ""]]
            for row in rows:
                self.writer.writerow([csv_cell(v) for v in head + row])
        self.stream.flush()

    def close(self) -> None:
        self.stream.flush()


def _evidence_cell(finding: Finding, limit: int = 240) -> str:
    lines = []
    for e in finding.evidence:
        where = f" [{e.span.start}–{e.span.end}]" if e.span else ""
        text = e.text if len(e.text) <= limit else e.text[: limit - 1] + "…"
        lines.append(f"[dim]{escape(e.path)}{where}[/dim] {escape(text)}")
    return "\n".join(lines)


class _TableWriter:
    """Rich tables on stdout, one per record that has findings; every record-derived string is
    escaped, so markup or tags in record text ("[bold]", "<script>") show literally."""

    def __init__(self) -> None:
        self.console = Console(highlight=False, emoji=False, soft_wrap=False)

    def record(self, checked: Checked) -> None:
        if not checked.findings:
            return
        table = Table(
            title=f"{escape(checked.record_id)}  [dim]{escape(checked.path)}[/dim]",
            title_justify="left",
            show_lines=True,
            expand=True,
        )
        table.add_column("severity", no_wrap=True)
        table.add_column("rule", no_wrap=True)
        table.add_column("message", ratio=2)
        table.add_column("evidence", ratio=3)
        for finding in checked.findings:
            style = _SEVERITY_STYLE[finding.severity]
            table.add_row(
                f"[{style}]{finding.severity.value}[/{style}]",
                escape(finding.rule),
                escape(finding.message),
                _evidence_cell(finding),
            )
        self.console.print(table)

    def close(self) -> None:
        pass


# --- commands ---------------------------------------------------------------------------------


def check_cmd(
    inputs: Inputs,
    output_format: FormatOption = None,
    rules: RulesOption = None,
    skip: SkipOption = None,
    fail_on: Annotated[
        FailOn | None, typer.Option("--fail-on", help="Exit 1 if a finding at or above this severity is made.")
    ] = None,
    config: ConfigOption = None,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
    keep_going: KeepGoing = False,
    jobs: Jobs = None,
    engine: Engine = EngineChoice.local,
    address: Address = None,
    workers: Workers = 2,
) -> None:
    """Cross-check records for internal contradictions: one finding per problem, with its evidence.

    Takes anything `extract` takes (v2 JSON, legacy XML, pages) and trialqa extraction JSONL.
    """
    from extract.check import Severity, active_rules
    from extract.check.runner import iter_checked

    missing_inputs(inputs)
    settings = _config(config, rules, skip)
    enabled = active_rules(settings)
    fmt = _default_format(output_format)
    writer: _JsonlWriter | _CsvWriter | _TableWriter
    if fmt == OutputFormat.JSONL:
        writer = _JsonlWriter()
    elif fmt == OutputFormat.CSV:
        writer = _CsvWriter(sys.stdout)
    else:
        writer = _TableWriter()
    err = Console(stderr=True, highlight=False, emoji=False, soft_wrap=True)
    # a counter on a terminal's stderr, unless the findings' table is being drawn on the same terminal
    show_progress = err.is_terminal and not (fmt == OutputFormat.TABLE and sys.stdout.isatty())
    counts: Counter[str] = Counter()
    by_severity: Counter[Severity] = Counter()
    if engine is EngineChoice.ray:
        from extract.commands.ray import check_on_ray
        from extract.distributed.ray_engine import RayOptions

        results = check_on_ray(
            inputs,
            enabled,
            options=RayOptions(address=address, workers=workers),
            max_bytes=max_bytes,
            extract_page=page_row_from_cache,
        )
    else:
        results = iter_checked(
            inputs, enabled, max_bytes=max_bytes, jobs=jobs or default_jobs(), extract_page=page_row_from_cache
        )
    with check_progress(err, show=show_progress) as progress:
        for checked in results:
            counts[checked.status] += 1
            if progress is not None:
                progress(1, len(checked.findings))
            if checked.status != "checked":
                err.print(f"{checked.status}: {checked.record_id} ({checked.path}): {checked.problem}", markup=False)
                continue
            by_severity.update(f.severity for f in checked.findings)
            writer.record(checked)
    writer.close()
    total = sum(counts.values())
    severities = ", ".join(f"{by_severity[s]} {s.value}" for s in Severity)
    err.print(
        f"records: {total}  checked: {counts['checked']}  findings: {sum(by_severity.values())} ({severities})"
        f"  skipped: {counts['skipped']}  errors: {counts['error']}",
        markup=False,
    )
    if fail_on is not None:
        threshold = Severity(fail_on.value).rank
        if any(severity.rank >= threshold for severity in by_severity):
            raise typer.Exit(ExitCode.FINDINGS)
    unchecked = counts["error"] + counts["skipped"]
    if unchecked and not keep_going:
        err.print(f"trialqa: {unchecked} of {total} records could not be checked (listed above).", markup=False)
        raise typer.Exit(ExitCode.RECORDS_FAILED)


def rules_cmd(
    patterns: Annotated[
        list[str] | None, typer.Argument(help="Only rules with these ids or prefixes.", show_default=False)
    ] = None,
    output_format: FormatOption = None,
    config: ConfigOption = None,
    full: Annotated[bool, typer.Option("--full", help="Show each rule's whole documentation.")] = False,
) -> None:
    """List every rule: id, severity (after configuration), what it catches, and an example."""
    from extract.check import RULES, Severity
    from extract.check.config import validate_patterns
    from extract.check.precision import measured, measurements

    settings = _config(config, None, None)
    chosen = validate_patterns(_split(patterns), RULES, "rules") if patterns else ()
    rows = []
    for rule_id in sorted(RULES):
        if chosen and not any(rule_id == p or rule_id.startswith(p + ".") for p in chosen):
            continue
        rule = RULES[rule_id]
        rows.append(
            {
                "id": rule_id,
                "severity": settings.severity_of(rule_id, rule.severity).value,
                "enabled": settings.enabled(rule_id),
                "catches": rule.doc if full else rule.summary,
                "example": rule.example,
                "precision": measured(rule_id),
            }
        )
    fmt = _default_format(output_format)
    if fmt == OutputFormat.JSONL:
        for row in rows:
            sys.stdout.buffer.write(orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE))
        return
    if fmt == OutputFormat.CSV:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["id"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    table = Table(show_lines=True, expand=True)
    for name in ("rule", "severity", "what it catches", "example", "precision"):
        table.add_column(name, no_wrap=name in ("rule", "severity"))
    for row in rows:
        severity = Severity(row["severity"])
        style = _SEVERITY_STYLE[severity] if row["enabled"] else "dim"
        label = severity.value if row["enabled"] else f"{severity.value} (disabled)"
        table.add_row(
            escape(row["id"]),
            f"[{style}]{label}[/{style}]",
            escape(row["catches"]),
            escape(row["example"]),
            escape(row["precision"]),
        )
    console = Console(highlight=False, emoji=False)
    console.print(table)
    sample, _ = measurements()
    if sample:
        console.print(f"precision: judged by hand on {escape(sample)}")


def page_row_from_cache(source: SourceRecord) -> ExtractionRow:
    """A page's extraction row for `check`: from the default response cache, no model started.

    `check` is a fast, deterministic command; pages it meets are answered from the answers
    `trialqa extract` recorded. A page never extracted becomes a CacheMiss error row saying so.
    """

    from extract.llm.lazy import LazyLLM  # the page stack loads only when a page is met
    from extract.pipeline import PageExtractor, StrategyName

    async def one() -> ExtractionRow:
        lazy = LazyLLM(EndpointConfig.from_options(replay=True))
        try:
            row = await PageExtractor(lazy, StrategyName.sectioned)(source)
        finally:
            await lazy.aclose()
        if row.error is not None and row.error.type == "CacheMiss":
            row.error.message = (
                f"no recorded model answers for this page: run `trialqa extract` on it first ({row.error.message})"
            )
        return row

    return asyncio.run(one())


def register(app: typer.Typer) -> None:
    """Add `check` and `rules` to the trialqa app."""
    app.command("check", epilog=EXIT_CODES_HELP + " Check: 1 when --fail-on findings were made.")(check_cmd)
    app.command("rules")(rules_cmd)
