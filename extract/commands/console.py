"""What the command line shows on stderr: library log records, the batch progress bar, the extract
summary. Record text shown here is printed without markup (`markup=False`): it is untrusted."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from extract.batch import BatchSummary, ProgressFn

err_console = Console(stderr=True)


class _ConsoleLogHandler(logging.Handler):
    """Library log records on stderr through rich (above a live progress bar, never inside it)."""

    def emit(self, record: logging.LogRecord) -> None:
        style = (
            "bold red"
            if record.levelno >= logging.ERROR
            else ("yellow" if record.levelno >= logging.WARNING else "dim")
        )
        err_console.print(self.format(record), style=style, markup=False, highlight=False)


def show_library_log() -> None:
    """Warnings and errors from `extract`, plus the embedded model's setup steps (a first run waits a
    minute on them) and its server's fate, reach the user as they happen."""
    root = logging.getLogger("extract")
    if not any(isinstance(handler, _ConsoleLogHandler) for handler in root.handlers):
        handler = _ConsoleLogHandler()
        handler.setFormatter(logging.Formatter("trialqa: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name in ("extract.llm.setup", "extract.llm.server"):
        logging.getLogger(name).setLevel(logging.INFO)


@contextmanager
def batch_progress(console: Console, *, show: bool) -> Iterator[ProgressFn | None]:
    """A transient progress bar for `run_batch` (records done of those known, the ids in flight), or
    None when not shown (stderr is not a terminal)."""
    if not show:
        yield None
        return
    progress = Progress(
        TextColumn("[bold]extract"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}", markup=False),  # record ids are untrusted text
        console=console,
        transient=True,
    )
    task: list[TaskID] = []

    def report(advance: int, total: int | None, current: str) -> None:
        if not task:
            task.append(progress.add_task("extract", total=total, current=current))
            return
        progress.update(task[0], advance=advance, total=total, current=current)

    with progress:
        yield report


# (records checked since the last call, findings among them)
CheckProgressFn = Callable[[int, int], None]


@contextmanager
def check_progress(console: Console, *, show: bool) -> Iterator[CheckProgressFn | None]:
    """A transient counter for `check` on `console` (stderr): records checked, findings so far, the
    time, and the rate; None when not shown. A stream's length is not known in advance, so it counts
    rather than fills a bar. Lines printed on `console` meanwhile appear above it."""
    if not show:
        yield None
        return
    progress = Progress(
        TextColumn("[bold]check"),
        TextColumn("{task.completed:,.0f} records, {task.fields[findings]:,} findings"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[rate]}"),
        console=console,
        transient=True,
    )
    task = progress.add_task("check", total=None, findings=0, rate="")

    def report(records: int, found: int) -> None:
        state = progress.tasks[0]
        rate = f"{state.completed / state.elapsed:,.0f} records/s" if (state.elapsed or 0.0) > 1 else ""
        progress.update(task, advance=records, findings=state.fields["findings"] + found, rate=rate)

    with progress:
        yield report


def summary_table(summary: BatchSummary) -> Table:
    """The extract summary: records, outcomes, resumed rows, model calls and cost, time."""
    table = Table(title="extract summary", show_header=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    calls = summary.calls
    hit_rate = (
        f"{calls.cache_hits}/{calls.llm_calls} ({calls.cache_hits / calls.llm_calls:.0%})" if calls.llm_calls else "-"
    )
    rows = [
        ("records", summary.ok + summary.error + summary.resumed),
        ("ok", summary.ok),
        ("error", summary.error),
        ("resumed from earlier run", f"{summary.resumed} ({summary.resumed_errors} errors)"),
        ("LLM calls (requests sent, resends)", f"{calls.llm_calls} ({calls.attempts}, {calls.transport_retries})"),
        ("prompt / completion tokens", f"{calls.prompt_tokens:,} / {calls.completion_tokens:,}"),
        ("cache hits", hit_rate),
        ("wall seconds", f"{summary.seconds:.1f}"),
    ]
    for metric, value in rows:
        table.add_row(metric, str(value))
    return table
