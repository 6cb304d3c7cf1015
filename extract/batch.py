"""Run extraction over many inputs: stream sources, write each row as soon as it is done."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import BinaryIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from extract.load import iter_sources
from extract.load.detect import SourceRecord
from extract.rows import ExtractionRow


@dataclass
class BatchSummary:
    ok: int = 0
    error: int = 0
    error_types: Counter[str] = field(default_factory=Counter)

    def add(self, row: ExtractionRow) -> None:
        if row.status == "ok":
            self.ok += 1
        else:
            self.error += 1
            self.error_types[row.error.type if row.error else "?"] += 1


def progress_bar(console: Console, total: int | None) -> Progress:
    return Progress(
        TextColumn("[bold]extract"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}"),
        console=console,
        transient=True,
    )


def run_sync(
    inputs: Iterable[str],
    out: BinaryIO,
    extract_one: Callable[[SourceRecord], ExtractionRow],
    *,
    max_bytes: int,
    exclude: Iterable[str] = (),
    show_progress: bool | None = None,
) -> BatchSummary:
    """Extract every input record in order; each row is written and flushed when done."""
    summary = BatchSummary()
    console = Console(stderr=True)
    show = sys.stderr.isatty() if show_progress is None else show_progress
    with progress_bar(console, None) if show else nullcontext() as progress:
        task = progress.add_task("extract", total=None, current="") if progress else None
        for source in iter_sources(inputs, max_bytes=max_bytes, exclude=exclude):
            row = extract_one(source)
            out.write(row.to_json_line())
            out.flush()
            summary.add(row)
            if progress is not None and task is not None:
                progress.update(task, advance=1, current=source.id)
    return summary
