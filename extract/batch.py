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
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import orjson

from extract.errors import RETRYABLE_ERRORS, ModelServerDied, ModelSetupError, TrialQAError
from extract.load import input_files, iter_units
from extract.load.detect import SourceRecord
from extract.load.units import unit_bytes
from extract.model.provenance import CallTotals, Provenance
from extract.parallel import ordered_flat_map
from extract.rows import ExtractionRow, StoredRow
from extract.structured.rows import STRUCTURED_CONFIG
from extract.unit_rows import RowKey, UnitRow, extract_unit

if TYPE_CHECKING:  # the page stack (models, prompts, strategies) loads only where pages are extracted
    from extract.pipeline import PageExtractor

# Progress as the batch goes: (records finished since the last call, records known so far or None,
# the ids being worked on). The command line draws it; the library only reports.
ProgressFn = Callable[[int, int | None, str], None]

# Error types that say the model server, not the record, failed: the whole run should be retried.
MODEL_UNAVAILABLE_ERRORS = tuple(error.__name__ for error in (ModelSetupError, ModelServerDied))


class InternalError(TrialQAError):
    """A bug in trialqa met while extracting one record; the batch goes on."""


@dataclass
class BatchSummary:
    ok: int = 0
    error: int = 0
    resumed: int = 0
    resumed_errors: int = 0
    error_types: Counter[str] = field(default_factory=Counter)
    calls: CallTotals = field(default_factory=CallTotals)
    seconds: float = 0.0

    @property
    def llm_calls(self) -> int:
        return self.calls.llm_calls

    @property
    def attempts(self) -> int:
        """HTTP requests sent, transport resends included."""
        return self.calls.attempts

    @property
    def transport_retries(self) -> int:
        return self.calls.transport_retries

    def count(self, status: str, error_type: str | None) -> None:
        if status == "ok":
            self.ok += 1
        else:
            self.error += 1
            self.error_types[error_type or "?"] += 1

    def add(self, row: ExtractionRow) -> None:
        self.count(row.status, row.error.type if row.error else None)
        self.calls += row.provenance.totals

    @property
    def failed(self) -> int:
        """Error rows in the output: this run's and those kept from an earlier run."""
        return self.error + self.resumed_errors

    @property
    def model_unavailable(self) -> int:
        """This run's rows that failed because the embedded model server would not start or died."""
        return sum(self.error_types[name] for name in MODEL_UNAVAILABLE_ERRORS)


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
    unterminated = False  # a complete last row without its newline: the next append would join it
    with open(path, "rb") as handle:
        for line in handle:
            unterminated = not line.endswith(b"\n")
            try:
                row = StoredRow.parse(orjson.loads(line))
            except orjson.JSONDecodeError:
                row = None
            key = row.key if row is not None else None
            if row is None or key is None:
                dropped += 1  # a torn line from a killed run
                continue
            retry = row.status == "error" and row.error_type in RETRYABLE_ERRORS
            if row.provenance.config in configs and not retry:
                kept.append(line if line.endswith(b"\n") else line + b"\n")
                resume.done[key] += 1
                resume.failed[key] += row.status == "error"
            else:
                dropped += 1
    if dropped or unterminated:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.writelines(kept)
        os.replace(tmp, path)
    return resume


def count_inputs(inputs: Iterable[str], exclude: Iterable[str]) -> int:
    """Input files (a folder walk, nothing read): the progress bar's total, exact for page folders;
    files holding several records (JSONL, lists) raise it as they are read."""
    return sum(1 for _ in input_files(inputs, exclude))


@dataclass
class InFlight:
    """Records being worked on, in the order they started: what the progress bar names."""

    ids: dict[int, str] = field(default_factory=dict)
    _next: int = 0

    def start(self, record_id: str) -> int:
        self._next += 1
        self.ids[self._next] = record_id
        return self._next

    def finish(self, token: int) -> None:
        self.ids.pop(token, None)

    def describe(self, limit: int = 60) -> str:
        shown = ", ".join(self.ids.values())
        return shown if len(shown) <= limit else shown[: limit - 1] + "…"


async def run_batch(
    inputs: Iterable[str],
    out: BinaryIO,
    *,
    pages: PageExtractor,
    concurrency: int,
    max_bytes: int,
    exclude: Iterable[str] = (),
    resume: Resume | None = None,
    progress: ProgressFn | None = None,
    jobs: int = 1,
) -> BatchSummary:
    """Extract every input record: structured ones in `jobs` worker processes (in input order), pages
    concurrently here (at most `concurrency` at once); `progress`, when given, hears of each."""
    summary = BatchSummary()
    resume = resume if resume is not None else Resume()
    loop = asyncio.get_running_loop()
    started = loop.time()
    slots = asyncio.Semaphore(max(1, concurrency))
    tasks: set[asyncio.Task[None]] = set()

    inputs, exclude = list(inputs), list(exclude)
    total = count_inputs(inputs, exclude) if progress is not None else 0
    in_flight = InFlight()
    seen = 0
    if progress is not None:
        progress(0, total or None, "")

    def refresh(advance: int = 0) -> None:
        if progress is not None:
            progress(advance, max(total, seen), in_flight.describe())

    def write(row: ExtractionRow) -> None:
        out.write(row.to_json_line())
        out.flush()
        summary.add(row)
        refresh(advance=1)

    def write_line(done: UnitRow) -> None:
        out.write(done.line or b"")
        out.flush()
        summary.count(done.status, done.error_type)
        refresh(advance=1)

    async def extract_page(source: SourceRecord, token: int) -> None:
        try:
            row = await pages(source)
        except Exception as exc:  # a bug must not take the batch down: it becomes this record's error row
            error = InternalError(f"{type(exc).__name__}: {exc}")
            row = ExtractionRow.failed(source, error, Provenance(config="internal"))
        finally:
            slots.release()
            in_flight.finish(token)
        write(row)

    try:
        units = iter_units(inputs, max_bytes=max_bytes, exclude=exclude)
        for done in ordered_flat_map(
            functools.partial(extract_unit, max_bytes=max_bytes), units, jobs=jobs, weigh=unit_bytes
        ):
            seen += 1
            key = done.key
            if resume.done[key] > 0:
                resume.done[key] -= 1
                summary.resumed += 1
                if resume.failed[key] > 0:
                    resume.failed[key] -= 1
                    summary.resumed_errors += 1
                refresh(advance=1)
                continue
            if done.page is None:
                write_line(done)
                continue
            await slots.acquire()
            token = in_flight.start(done.page.id)
            refresh()
            task = asyncio.create_task(extract_page(done.page, token))
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
