"""`trialqa eval`: extraction and check over the eval fixtures, scored, reported and gated.

Exit codes: 0 all gated metrics at or above
baseline minus tolerance (or no baseline), 1 a metric regressed (named on stderr), 2 bad usage
or unreadable fixtures / baseline.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from extract.commands.console import batch_progress
from extract.commands.options import DEFAULT_MODEL_OPTIONS, LLM_PANEL, ModelOptions, with_model_options
from extract.score.fixtures import SET_NAMES, FixtureError

if TYPE_CHECKING:
    from extract.score.runner import EvalRun

GATE_PANEL = "Reports and regression gate"


class SetChoice(StrEnum):
    hand = "hand"
    rendered = "rendered"
    registries = "registries"
    defects = "defects"
    curated = "curated"
    all = "all"


def _sets(choice: SetChoice) -> tuple[str, ...]:
    return SET_NAMES if choice is SetChoice.all else (choice.value,)


@with_model_options
def eval_cmd(
    fixtures: Annotated[Path, typer.Option(help="Fixtures folder (evals/FIXTURES.md).")] = Path("evals/fixtures"),
    set_: Annotated[SetChoice, typer.Option("--set", help="Which fixture set to run.")] = SetChoice.all,
    replay: Annotated[
        bool,
        typer.Option(help="Answer only from the response cache; a miss fails that fixture.", rich_help_panel=LLM_PANEL),
    ] = False,
    cache_dir: Annotated[
        Path | None,
        typer.Option(help="Response cache (default: llm-cache beside the fixtures folder).", rich_help_panel=LLM_PANEL),
    ] = None,
    report_dir: Annotated[
        Path,
        typer.Option(help="Where metrics.json, report.md, report.html, junit.xml go.", rich_help_panel=GATE_PANEL),
    ] = Path("reports/eval"),
    baseline: Annotated[
        Path | None,
        typer.Option(
            help="Accepted metrics (default: baseline.json beside the fixtures folder).", rich_help_panel=GATE_PANEL
        ),
    ] = None,
    update_baseline: Annotated[
        bool,
        typer.Option(help="Accept this run's figures for the sets run (tolerances kept).", rich_help_panel=GATE_PANEL),
    ] = False,
    gate: Annotated[bool, typer.Option(help="Exit 1 when a metric regressed.", rich_help_panel=GATE_PANEL)] = True,
    text_threshold: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Similarity at which free text counts as equal.")
    ] = 0.9,
    check_config: Annotated[
        Path | None, typer.Option("--check-config", help="Checker rule configuration file.")
    ] = None,
    model_options: ModelOptions = DEFAULT_MODEL_OPTIONS,
) -> None:
    """Run extraction and the checker over the eval fixtures; score per field and per rule; gate on the baseline."""
    from extract.report import write_reports
    from extract.score import gate as gating
    from extract.score.runner import EvalOptions, run_eval

    out = Console()
    out = out if out.is_terminal else Console(width=140)  # CI logs: room for the set columns
    err = Console(stderr=True, soft_wrap=True)  # one line per regression, however long
    root = fixtures.parent
    cache = cache_dir if cache_dir is not None else (root / "llm-cache" if (root / "llm-cache").is_dir() else None)
    baseline_path = baseline if baseline is not None else root / "baseline.json"
    try:
        with batch_progress(Console(stderr=True), show=err.is_terminal) as progress:
            options = EvalOptions(
                fixtures=fixtures,
                sets=_sets(set_),
                strategy=model_options.strategy.value,
                endpoint=model_options.endpoint(cache_dir=cache, replay=replay),
                concurrency=model_options.concurrency,
                threshold=text_threshold,
                check_config=_check_config(check_config),
                progress=progress,
            )
            run = run_eval(options)
        accepted = gating.load_baseline(baseline_path)
    except (FixtureError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    if not run.results:
        err.print(f"[red]error:[/red] no fixtures for --set {set_.value} under {fixtures}")
        raise typer.Exit(2)
    evaluated = set(run.metrics.sets)
    result = gating.compare(accepted, run.metrics.metrics, evaluated) if accepted is not None else None
    paths = write_reports(run, result, report_dir)
    for table in tables(run):
        out.print(table)
    err.print(
        f"{len(run.results)} fixtures in {run.wall_seconds:.1f}s; LLM calls {run.llm_calls} "
        f"({run.cache_hits} from cache); reports: {', '.join(str(p) for p in paths)}"
    )
    if update_baseline:
        gating.write_baseline(baseline_path, gating.updated(accepted, run.metrics.metrics, evaluated))
        err.print(f"baseline updated for {', '.join(sorted(evaluated))}: {baseline_path}")
        return
    if result is None:
        err.print(f"[yellow]no baseline at {baseline_path}: nothing gated[/yellow] (accept one with --update-baseline)")
        return
    if result.passed:
        err.print(f"[green]gate passed[/green]: {result.compared} metrics at or above baseline minus tolerance")
        return
    err.print(f"[red]gate failed[/red]: {len(result.regressions)} of {result.compared} metrics regressed")
    for regression in result.regressions:
        err.print(f"  REGRESSED {regression.describe()}")
    if gate:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `eval` to the trialqa app."""
    app.command("eval")(eval_cmd)


def _check_config(path: Path | None) -> object:
    """Every rule by default (the eval measures the whole catalogue); a file narrows it, as for check."""
    if path is None:
        return None
    from extract.check import RULES
    from extract.check.config import load_file

    return load_file(path, RULES)


def tables(run: EvalRun) -> list[Table]:
    """One table per field group (fields x sets), then the checker and the set totals."""
    from extract.report.summary import fmt
    from extract.score.fields import FIELD_GROUP, GROUPS

    sets = run.metrics.sets
    out: list[Table] = []
    totals = Table(title="eval: totals per set (rendered pages are scored apart)")
    for column in ("set", "fixtures", "extracted", "micro P", "micro R", "micro F1", "macro field F1", "grounding"):
        totals.add_column(column, justify="left" if column == "set" else "right")
    for name, m in sets.items():
        label = f"{name} (rendered)" if m.rendered else name
        totals.add_row(
            label,
            str(m.fixtures),
            str(m.extracted),
            fmt(m.micro.precision),
            fmt(m.micro.recall),
            fmt(m.micro.f1),
            fmt(m.macro_field_f1),
            fmt(m.grounding.share if m.grounding else None),
        )
    out.append(totals)
    for group in GROUPS:
        fields = [f for f in dict.fromkeys(f for m in sets.values() for f in m.fields) if FIELD_GROUP.get(f) == group]
        if not fields:
            continue
        table = Table(title=f"{group}: F1 (missing / invented / wrong)")
        table.add_column("field")
        for name, m in sets.items():
            table.add_column(f"{name} (rendered)" if m.rendered else name, justify="right")
        for field in fields:
            cells = []
            for m in sets.values():
                c = m.fields.get(field)
                cells.append("" if c is None else f"{fmt(c.f1)} ({c.missing}/{c.invented}/{c.wrong})")
            table.add_row(field, *cells)
        cells = []
        for m in sets.values():
            c = m.groups.get(group)
            cells.append("" if c is None else f"{fmt(c.f1)} ({c.missing}/{c.invented}/{c.wrong})")
        table.add_row("[bold]group[/bold]", *cells, end_section=True)
        out.append(table)
    for name, m in sets.items():
        if not m.checker_rules:
            continue
        table = Table(title=f"checker on {name}: per rule")
        for column in ("rule", "tp", "fp", "fn", "tn", "P", "R", "F1"):
            table.add_column(column, justify="left" if column == "rule" else "right")
        for rule, c in m.checker_rules.items():
            table.add_row(rule, str(c.tp), str(c.fp), str(c.fn), str(c.tn), fmt(c.precision), fmt(c.recall), fmt(c.f1))
        c = m.checker
        table.add_row(
            "[bold]overall[/bold]",
            str(c.tp),
            str(c.fp),
            str(c.fn),
            str(c.tn),
            fmt(c.precision),
            fmt(c.recall),
            fmt(c.f1),
        )
        out.append(table)
    return out
