"""Ray Data as the engine for `extract` and `check`: the same rows as the single-process CLI, computed
on a Ray cluster (or a local Ray instance).

The driver lists the input files with the CLI's own folder walk (`extract.load.input_files`); Ray
tasks read and parse them with the CLI's own source iterator (`extract.load.iter_sources`: files, JSON
lists, JSONL, and whatever kinds of input it learns), through a Ray Data datasource, and mark records
an earlier run already wrote (resume, as `extract.batch`). Then, in `map_batches` stages:

- structured records (v2 JSON, legacy XML) and load errors: `extract_structured` in CPU tasks;
- pages: an actor pool (`map_batches` with a callable class); each actor holds one lazily opened LLM
  for the configured endpoint and extracts at most `page_concurrency` pages at once, with the client's
  usual retries and response cache (so `--replay` works on a cluster that shares the cache folder);
- check: `check_source` in CPU tasks.

Rows come back to the driver, which writes them as JSONL lines (byte for byte the lines the CLI
writes; the order may differ) or lets Ray write Parquet. Imports no CLI code; `ray` is imported
only when a run starts, so trialqa works without the `ray` extra.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import pickle
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson
from lxml import etree

from extract.batch import BatchSummary, InternalError, Resume
from extract.llm.lazy import LazyLLM
from extract.load import input_files, iter_sources
from extract.load.detect import SourceRecord, _xml_parser
from extract.model.provenance import CallTotals, Provenance
from extract.pipeline import PageExtractor, extract_structured
from extract.rows import ExtractionRow
from extract.unit_rows import row_key

if TYPE_CHECKING:
    from extract.check import Rule, Severity
    from extract.check.runner import Checked, PageRows
    from extract.llm.config import EndpointConfig

log = logging.getLogger("extract.distributed")

INSTALL_HINT = "--engine ray needs the ray extra: pip install 'trialqa[ray]'"
_COUNTERS = tuple(f.name for f in dataclasses.fields(CallTotals))  # a row's call totals, one column each


class RayUnavailable(RuntimeError):
    """The `ray` package is not installed."""


@dataclass(frozen=True)
class RayOptions:
    """Where to run and how wide."""

    address: str | None = None  # a running cluster ("auto", "ray://host:10001"); None starts a local instance
    workers: int = 2  # tasks at once per CPU stage, and actors in the page pool
    batch_size: int = 64  # records per map_batches call
    page_concurrency: int = 8  # pages in flight per actor (1 for a local llama.cpp-style server)
    num_cpus: int | None = None  # for a local instance only (default: all of this machine's)


# --- moving records between processes ---------------------------------------------------------


def wire(source: SourceRecord) -> bytes:
    """A source record as bytes for Ray: parsed XML (lxml elements do not pickle) travels as XML text."""
    if isinstance(source.payload, etree._Element):
        return pickle.dumps((dataclasses.replace(source, payload=etree.tostring(source.payload)), True))
    return pickle.dumps((source, False))


def unwire(data: bytes) -> SourceRecord:
    source, is_xml = pickle.loads(data)
    if is_xml:
        source = dataclasses.replace(source, payload=etree.fromstring(source.payload, parser=_xml_parser()))
    return source


def _row_columns(rows: list[ExtractionRow]) -> dict[str, list[Any]]:
    """Output rows as Ray Data columns: the JSON line the CLI writes, plus what the summary counts."""
    columns: dict[str, list[Any]] = {"line": [], "status": [], "error_type": []}
    columns.update({name: [] for name in _COUNTERS})
    for row in rows:
        _append_row(columns, row)
    return columns


def _append_row(columns: dict[str, list[Any]], row: ExtractionRow) -> None:
    columns["line"].append(row.to_json_line())
    columns["status"].append(row.status)
    columns["error_type"].append(row.error.type if row.error else "")
    totals = row.provenance.totals
    for name in _COUNTERS:
        columns[name].append(getattr(totals, name))


def _append_placeholder(columns: dict[str, list[Any]], status: str) -> None:
    columns["line"].append(b"")
    columns["status"].append(status)
    columns["error_type"].append("")
    for name in _COUNTERS:
        columns[name].append(0)


# --- stages (run inside Ray workers) ----------------------------------------------------------


_RESUMED = {1: "resumed", 2: "resumed_error"}  # the read stage's marks for records done in an earlier run


def map_structured(batch: dict[str, Any]) -> dict[str, list[Any]]:
    """CPU stage: structured records (and load errors) -> rows; pages pass on as "pending" (with their
    source) to the actor stage; records done in an earlier run pass on as marks."""
    columns = _row_columns([])
    columns["source"] = []
    for data, page, mark in zip(batch["source"], batch["page"], batch["resumed"], strict=True):
        if mark or page:
            _append_placeholder(columns, _RESUMED.get(int(mark), "pending"))
            columns["source"].append(data if page and not mark else b"")
            continue
        _append_row(columns, extract_structured(unwire(data)))
        columns["source"].append(b"")
    return columns


class PageStage:
    """Actor: one LLM client for the endpoint, reused across batches; pages of a batch run concurrently."""

    def __init__(self, config: EndpointConfig, strategy: str, concurrency: int) -> None:
        self._loop = asyncio.new_event_loop()
        self._pages = PageExtractor(LazyLLM(config), strategy)
        self._concurrency = max(1, concurrency)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        """Extracts the batch's pending pages; every other row passes through unchanged."""
        pending = [i for i, status in enumerate(batch["status"]) if status == "pending"]
        rows = self._loop.run_until_complete(self._extract([unwire(batch["source"][i]) for i in pending]))
        columns = {name: list(values) for name, values in batch.items() if name != "source"}
        for i, row in zip(pending, rows, strict=True):
            extracted = _row_columns([row])
            for name, values in extracted.items():
                columns[name][i] = values[0]
        return columns

    async def _extract(self, sources: list[SourceRecord]) -> list[ExtractionRow]:
        slots = asyncio.Semaphore(self._concurrency)

        async def one(source: SourceRecord) -> ExtractionRow:
            async with slots:
                try:
                    return await self._pages(source)
                except Exception as exc:  # a bug must not take the run down: it becomes this record's error row
                    return ExtractionRow.failed(
                        source, InternalError(f"{type(exc).__name__}: {exc}"), Provenance(config="internal")
                    )

        return list(await asyncio.gather(*(one(source) for source in sources)))

    def __del__(self) -> None:
        try:
            self._loop.run_until_complete(self._pages.llm.aclose())  # stops an embedded model server
            self._loop.close()
        except Exception:  # interpreter shutdown: nothing left to close cleanly
            pass


def check_batch(
    batch: dict[str, Any], rules: list[tuple[Rule, Severity]], max_bytes: int, extract_page: PageRows | None = None
) -> dict[str, list[Any]]:
    """CPU stage: sources -> pickled `Checked` results (the CLI's writers format them on the driver)."""
    from extract.check.runner import check_source

    return {
        "checked": [
            pickle.dumps(check_source(unwire(data), rules, max_bytes=max_bytes, extract_page=extract_page))
            for data in batch["source"]
        ]
    }


# --- driver -----------------------------------------------------------------------------------


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise RayUnavailable(INSTALL_HINT) from None
    return ray


class _Session:
    """Connects to `address` or starts a local instance; shuts down only what it started."""

    def __init__(self, options: RayOptions) -> None:
        self.ray = _ray()
        self.started = False
        if not self.ray.is_initialized():
            kwargs: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": False}
            if options.address is not None:
                self.ray.init(address=options.address, **kwargs)
            else:
                self.ray.init(num_cpus=options.num_cpus, include_dashboard=False, **kwargs)
            self.started = True
        context = self.ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.started:
            self.ray.shutdown()


class StdinNotSupported(ValueError):
    """`-` (stdin) cannot be read by Ray tasks on other processes or machines."""


def _groups(files: list[str], count: int) -> list[list[str]]:
    """Up to `count` contiguous groups of files; a path named twice stays in one group (resume counts
    per path, and each read task keeps its own count)."""
    unique = list(dict.fromkeys(files))
    times = {path: files.count(path) for path in unique} if len(unique) != len(files) else {}
    size = -(-len(unique) // max(1, count))
    return [
        [path for path in unique[i : i + size] for _ in range(times.get(path, 1))] for i in range(0, len(unique), size)
    ]


def _read_files(files: list[str], max_bytes: int, resume: Resume | None) -> Iterator[Any]:
    """One read task: the CLI's source iterator over these files, as Arrow tables of wire bytes."""
    import pyarrow as pa

    columns: dict[str, list[Any]] = {"source": [], "page": [], "resumed": []}
    for source in iter_sources(files, max_bytes=max_bytes):
        mark = 0
        key = row_key(source)
        if resume is not None and resume.done[key] > 0:  # the same bookkeeping as extract.batch.run_batch
            resume.done[key] -= 1
            mark = 1
            if resume.failed[key] > 0:
                resume.failed[key] -= 1
                mark = 2
        columns["source"].append(b"" if mark else wire(source))
        columns["page"].append(source.is_page)
        columns["resumed"].append(mark)
        if len(columns["source"]) >= 256:
            yield pa.table(columns)
            columns = {name: [] for name in columns}
    if columns["source"]:
        yield pa.table(columns)


def _source_files(inputs: Iterable[str], exclude: Iterable[str], max_bytes: int, resume: Resume | None) -> Any:
    """A Ray Data datasource over the inputs: the driver lists the files (the CLI's folder walk), Ray
    tasks read and parse them with the CLI's source iterator, so reading scales with the cluster."""
    from ray.data.block import BlockMetadata
    from ray.data.datasource import Datasource, ReadTask

    files = list(input_files(inputs, exclude))
    if "-" in files:
        raise StdinNotSupported("--engine ray reads inputs in Ray tasks: save stdin to a file and name that")

    class SourceFiles(Datasource):
        def estimate_inmemory_data_size(self) -> int | None:
            return None

        def get_read_tasks(
            self, parallelism: int, per_task_row_limit: int | None = None, data_context: Any = None
        ) -> list[ReadTask]:
            return [
                ReadTask(
                    functools.partial(_read_files, group, max_bytes, resume),
                    BlockMetadata(num_rows=None, size_bytes=None, exec_stats=None, input_files=tuple(group)),
                    per_task_row_limit=per_task_row_limit,
                )
                for group in _groups(files, parallelism)
            ]

    return SourceFiles(), len(files)


def _count(summary: BatchSummary, batch: dict[str, Any]) -> None:
    for status, error_type, *counts in zip(
        batch["status"], batch["error_type"], *(batch[name] for name in _COUNTERS), strict=True
    ):
        if status in ("resumed", "resumed_error"):
            summary.resumed += 1
            summary.resumed_errors += status == "resumed_error"
            continue
        if status == "ok":
            summary.ok += 1
        else:
            summary.error += 1
            summary.error_types[str(error_type) or "?"] += 1
        summary.calls += CallTotals(*(int(value) for value in counts))


def run_extract(
    inputs: Iterable[str],
    *,
    config: EndpointConfig,
    strategy: str,
    options: RayOptions,
    out: BinaryIO | None = None,
    parquet_dir: Path | None = None,
    max_bytes: int,
    exclude: Iterable[str] = (),
    resume: Resume | None = None,
) -> BatchSummary:
    """Extract every input record on Ray: JSONL lines to `out`, or a Parquet dataset in `parquet_dir`."""
    started = time.perf_counter()
    summary = BatchSummary()
    with _Session(options) as session:
        ray = session.ray
        source, count = _source_files(inputs, exclude, max_bytes, resume)
        if count:
            dataset = (
                ray.data.read_datasource(source)
                .map_batches(
                    map_structured,
                    batch_size=options.batch_size,
                    compute=ray.data.TaskPoolStrategy(size=options.workers),
                )
                .map_batches(
                    PageStage,
                    batch_size=options.batch_size,
                    compute=ray.data.ActorPoolStrategy(min_size=1, max_size=options.workers),
                    fn_constructor_args=(config, strategy, options.page_concurrency),
                )
            )
            if parquet_dir is not None:
                dataset = dataset.materialize()
                dataset.map_batches(_parquet_row, batch_format="numpy").write_parquet(str(parquet_dir))
            for batch in dataset.iter_batches(batch_size=options.batch_size, batch_format="numpy"):
                if out is not None:
                    out.writelines(line for line in batch["line"] if line)
                    out.flush()
                _count(summary, batch)
    summary.seconds = time.perf_counter() - started
    return summary


_PARQUET_COLUMNS = (
    "source_id",
    "source_kind",
    "source_path",
    "source_sha256",
    "status",
    "record",
    "error",
    "provenance",
)


def _parquet_row(batch: dict[str, Any]) -> Any:
    """The row's fields as Parquet columns (record, error and provenance as JSON text), every column a
    string (so a file whose rows have no errors has the same schema as one whose rows do)."""
    import pyarrow as pa

    columns: dict[str, list[Any]] = {name: [] for name in _PARQUET_COLUMNS}
    for line in batch["line"]:
        if not line:
            continue  # a record done in an earlier run (Parquet runs do not resume, so none in practice)
        row = orjson.loads(line)
        source = row["source"]
        for key in ("id", "kind", "path", "sha256"):
            columns[f"source_{key}"].append(source[key])
        columns["status"].append(row["status"])
        for key in ("record", "error", "provenance"):
            value = row.get(key)
            columns[key].append(None if value is None else orjson.dumps(value).decode())
    return pa.table(columns, schema=pa.schema([(name, pa.string()) for name in _PARQUET_COLUMNS]))


def iter_checked(
    inputs: Iterable[str],
    rules: list[tuple[Rule, Severity]],
    *,
    options: RayOptions,
    max_bytes: int,
    extract_page: PageRows | None = None,
) -> Iterator[Checked]:
    """`extract.check.runner.iter_checked` on Ray: inputs read and checked in Ray tasks."""
    with _Session(options) as session:
        source, count = _source_files(inputs, (), max_bytes, None)
        if not count:
            return
        dataset = session.ray.data.read_datasource(source).map_batches(
            check_batch,
            batch_size=options.batch_size,
            compute=session.ray.data.TaskPoolStrategy(size=options.workers),
            fn_kwargs={"rules": rules, "max_bytes": max_bytes, "extract_page": extract_page},
        )
        for batch in dataset.iter_batches(batch_size=options.batch_size, batch_format="numpy"):
            for data in batch["checked"]:
                yield pickle.loads(data)
