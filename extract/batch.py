"""Run extraction over many inputs: stream sources, bounded concurrency, each row flushed when done.

Resume: rows already in the output file for the same configuration are kept and their records
skipped; rows from another configuration, rows whose error is worth retrying (transport,
cache miss, model setup) and a torn last line are dropped first (the file is rewritten
atomically), so a killed run resumes with nothing lost and nothing twice.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from extract.errors import TrialQAError
from extract.load import iter_units
from extract.load.detect import SourceRecord
from extract.load.units import unit_bytes
from extract.parallel import ordered_flat_map
from extract.pipeline import RETRYABLE_ERRORS, STRUCTURED_CONFIG, PageExtractor
from extract.rows import ExtractionRow
from extract.unit_rows import RowKey, UnitRow, extract_unit


class InternalError(TrialQAError):
    """A bug in trialqa met while extracting one record; the batch goes on."""


@dataclass
class BatchSummary:
    ok: int = 0
    error: int = 0
    resumed: int = 0
    resumed_errors: int = 0
    error_types: Counter[str] = field(default_factory=Counter)
    llm_calls: int = 0
    attempts: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0
    seconds: float = 0.0

    def count(self, status: str, error_type: str | None) -> None:
        if status == "ok":
            self.ok += 1
        else:
            self.error += 1
            self.error_types[error_type or "?"] += 1

    def add(self, row: ExtractionRow) -> None:
        self.count(row.status, row.error.type if row.error else None)
        p = row.provenance
        self.llm_calls += int(p.get("llm_calls", 0))
        self.attempts += int(p.get("attempts", 0))
        self.prompt_tokens += int(p.get("prompt_tokens", 0))
        self.completion_tokens += int(p.get("completion_tokens", 0))
        self.cache_hits += int(p.get("cache_hits", 0))

    @property
    def failed(self) -> int:
        """Error rows in the output: this run's and those kept from an earlier run."""
        return self.error + self.resumed_errors

    def table(self) -> Table:
        table = Table(title="extract summary", show_header=False)
        table.add_column("metric")
        table.add_column("value", justify="right")
        hit_rate = (
            f"{self.cache_hits}/{self.llm_calls} ({self.cache_hits / self.llm_calls:.0%})" if self.llm_calls else "-"
        )
        rows = [
            ("records", self.ok + self.error + self.resumed),
            ("ok", self.ok),
            ("error", self.error),
            ("resumed from earlier run", f"{self.resumed} ({self.resumed_errors} errors)"),
            ("LLM calls (attempts)", f"{self.llm_calls} ({self.attempts})"),
            ("prompt / completion tokens", f"{self.prompt_tokens:,} / {self.completion_tokens:,}"),
            ("cache hits", hit_rate),
            ("wall seconds", f"{self.seconds:.1f}"),
        ]
        for metric, value in rows:
            table.add_row(metric, str(value))
        return table


@dataclass
class Resume:
    """Rows already in the output: how many per key, and how many of those are error rows."""

    done: Counter[RowKey] = field(default_factory=Counter)
    failed: Counter[RowKey] = field(default_factory=Counter)


def prepare_resume(path: Path, configs: set[str]) -> Resume:
    """Keep finished rows of these configurations; drop the rest; return what is done."""
    resume = Resume()
    if not path.exists():
        return resume
    kept: list[bytes] = []
    dropped = 0
    with open(path, "rb") as handle:
        for line in handle:
            try:
                row = orjson.loads(line)
                source = row["source"]
                key = (source["path"], source["id"], source["sha256"])
                config = row.get("provenance", {}).get("config")
                retry = row.get("status") == "error" and (row.get("error") or {}).get("type") in RETRYABLE_ERRORS
            except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
                dropped += 1  # a torn line from a killed run
                continue
            if config in configs and not retry:
                kept.append(line if line.endswith(b"\n") else line + b"\n")
                resume.done[key] += 1
                resume.failed[key] += row.get("status") == "error"
            else:
                dropped += 1
    if dropped:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.writelines(kept)
        os.replace(tmp, path)
    return resume


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]extract"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}"),
        console=console,
        transient=True,
    )


async def run_batch(
    inputs: Iterable[str],
    out: BinaryIO,
    *,
    pages: PageExtractor,
    concurrency: int,
    max_bytes: int,
    exclude: Iterable[str] = (),
    resume: Resume | None = None,
    show_progress: bool | None = None,
    jobs: int = 1,
) -> BatchSummary:
    """Extract every input record: structured ones in `jobs` worker processes (in input order), pages
    concurrently here (at most `concurrency` at once)."""
    summary = BatchSummary()
    resume = resume if resume is not None else Resume()
    loop = asyncio.get_running_loop()
    started = loop.time()
    slots = asyncio.Semaphore(max(1, concurrency))
    tasks: set[asyncio.Task[None]] = set()
    show = sys.stderr.isatty() if show_progress is None else show_progress

    with _progress(Console(stderr=True)) if show else nullcontext() as progress:
        task_id = progress.add_task("extract", total=None, current="") if progress else None

        def write(row: ExtractionRow) -> None:
            out.write(row.to_json_line())
            out.flush()
            summary.add(row)
            if progress is not None and task_id is not None:
                progress.update(task_id, advance=1, current=row.source.id)

        def write_line(done: UnitRow) -> None:
            out.write(done.line or b"")
            out.flush()
            summary.count(done.status, done.error_type)
            if progress is not None and task_id is not None:
                progress.update(task_id, advance=1, current=done.key[1])

        async def extract_page(source: SourceRecord) -> None:
            try:
                row = await pages(source)
            except Exception as exc:  # a bug must not take the batch down: it becomes this record's error row
                row = ExtractionRow.failed(
                    source, InternalError(f"{type(exc).__name__}: {exc}"), {"config": "internal"}
                )
            finally:
                slots.release()
            write(row)

        try:
            units = iter_units(inputs, max_bytes=max_bytes, exclude=exclude)
            for done in ordered_flat_map(
                functools.partial(extract_unit, max_bytes=max_bytes), units, jobs=jobs, weigh=unit_bytes
            ):
                key = done.key
                if resume.done[key] > 0:
                    resume.done[key] -= 1
                    summary.resumed += 1
                    if resume.failed[key] > 0:
                        resume.failed[key] -= 1
                        summary.resumed_errors += 1
                    continue
                if done.page is None:
                    write_line(done)
                    continue
                await slots.acquire()
                task = asyncio.create_task(extract_page(done.page))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            if tasks:
                await asyncio.gather(*list(tasks))
        finally:
            for task in tasks:
                task.cancel()
            summary.seconds = loop.time() - started
    return summary


def configs_for(pages: PageExtractor) -> set[str]:
    return {STRUCTURED_CONFIG, pages.fingerprint()}
