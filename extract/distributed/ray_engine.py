"""Ray Data as the engine for `extract` and `check`: the same rows as the single-process CLI, computed
on a Ray cluster (or a local Ray instance).

The driver reads the inputs with the CLI's own source iterator (`extract.load.iter_sources`: files,
folders, JSON lists, JSONL, and whatever kinds of input it learns), skips what an earlier run already
wrote (resume, as `extract.batch`), and hands the rest to Ray Data as items. Ray then runs:

- structured records (v2 JSON, legacy XML): `extract_structured` in CPU tasks (`map_batches`);
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
import logging
import pickle
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson
from lxml import etree

from extract.batch import BatchSummary, InternalError, Resume, row_key
from extract.llm.lazy import LazyLLM
from extract.load import iter_sources
from extract.load.detect import SourceRecord, _xml_parser
from extract.pipeline import PageExtractor, extract_structured, is_page
from extract.rows import ExtractionRow

if TYPE_CHECKING:
    from extract.check import Rule, Severity
    from extract.check.runner import Checked
    from extract.llm.client import EndpointConfig

log = logging.getLogger("extract.distributed")

INSTALL_HINT = "--engine ray needs the ray extra: pip install 'trialqa[ray]'"
_COUNTERS = ("llm_calls", "attempts", "prompt_tokens", "completion_tokens", "cache_hits")


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
        columns["line"].append(row.to_json_line())
        columns["status"].append(row.status)
        columns["error_type"].append(row.error.type if row.error else "")
        for name in _COUNTERS:
            columns[name].append(int(row.provenance.get(name, 0)))
    return columns


# --- stages (run inside Ray workers) ----------------------------------------------------------


def map_structured(batch: dict[str, Any]) -> dict[str, list[Any]]:
    """CPU stage: structured records (and load errors) -> rows."""
    return _row_columns([extract_structured(unwire(data)) for data in batch["source"]])


class PageStage:
    """Actor: one LLM client for the endpoint, reused across batches; pages of a batch run concurrently."""

    def __init__(self, config: EndpointConfig, strategy: str, concurrency: int) -> None:
        self._loop = asyncio.new_event_loop()
        self._pages = PageExtractor(LazyLLM(config), strategy)
        self._concurrency = max(1, concurrency)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        sources = [unwire(data) for data in batch["source"]]
        return _row_columns(self._loop.run_until_complete(self._extract(sources)))

    async def _extract(self, sources: list[SourceRecord]) -> list[ExtractionRow]:
        slots = asyncio.Semaphore(self._concurrency)

        async def one(source: SourceRecord) -> ExtractionRow:
            async with slots:
                try:
                    return await self._pages(source)
                except Exception as exc:  # a bug must not take the run down: it becomes this record's error row
                    return ExtractionRow.failed(
                        source, InternalError(f"{type(exc).__name__}: {exc}"), {"config": "internal"}
                    )

        return list(await asyncio.gather(*(one(source) for source in sources)))

    def __del__(self) -> None:
        try:
            self._loop.run_until_complete(self._pages.llm.aclose())  # stops an embedded model server
            self._loop.close()
        except Exception:  # interpreter shutdown: nothing left to close cleanly
            pass


def check_batch(batch: dict[str, Any], rules: list[tuple[Rule, Severity]], max_bytes: int) -> dict[str, list[Any]]:
    """CPU stage: sources -> pickled `Checked` results (the CLI's writers format them on the driver)."""
    from extract.check.runner import check_source

    return {
        "checked": [pickle.dumps(check_source(unwire(data), rules, max_bytes=max_bytes)) for data in batch["source"]]
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


def _split(
    inputs: Iterable[str], *, max_bytes: int, exclude: Iterable[str], resume: Resume, summary: BatchSummary
) -> tuple[list[bytes], list[bytes]]:
    """(structured, pages) still to do, as wire bytes; records done in an earlier run are counted, not sent."""
    structured: list[bytes] = []
    pages: list[bytes] = []
    for source in iter_sources(inputs, max_bytes=max_bytes, exclude=exclude):
        key = row_key(source)
        if resume.done[key] > 0:  # the same bookkeeping as extract.batch.run_batch
            resume.done[key] -= 1
            summary.resumed += 1
            if resume.failed[key] > 0:
                resume.failed[key] -= 1
                summary.resumed_errors += 1
            continue
        (pages if is_page(source) else structured).append(wire(source))
    return structured, pages


def _dataset(ray: Any, items: list[bytes], fn: Any, batch_size: int, workers: int, **map_args: Any) -> Any:
    """`items` in blocks of about `batch_size`, mapped by `fn` with at most `workers` tasks or actors."""
    blocks = max(1, min(-(-len(items) // batch_size), 64 * workers))
    dataset = ray.data.from_items([{"source": item} for item in items], override_num_blocks=blocks)
    if isinstance(fn, type):
        compute = ray.data.ActorPoolStrategy(min_size=1, max_size=max(1, min(workers, blocks)))
    else:
        compute = ray.data.TaskPoolStrategy(size=workers)
    return dataset.map_batches(fn, batch_size=batch_size, compute=compute, **map_args)


def _count(summary: BatchSummary, batch: dict[str, Any]) -> None:
    for status, error_type, *counts in zip(
        batch["status"], batch["error_type"], *(batch[name] for name in _COUNTERS), strict=True
    ):
        if status == "ok":
            summary.ok += 1
        else:
            summary.error += 1
            summary.error_types[str(error_type) or "?"] += 1
        for name, value in zip(_COUNTERS, counts, strict=True):
            setattr(summary, name, getattr(summary, name) + int(value))


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
    structured, pages = _split(inputs, max_bytes=max_bytes, exclude=exclude, resume=resume or Resume(), summary=summary)
    with _Session(options) as session:
        ray = session.ray
        parts = []
        if structured:
            parts.append(_dataset(ray, structured, map_structured, options.batch_size, options.workers))
        if pages:
            parts.append(
                _dataset(
                    ray,
                    pages,
                    PageStage,
                    options.page_concurrency,  # one batch fills one actor's window of pages in flight
                    options.workers,
                    fn_constructor_args=(config, strategy, options.page_concurrency),
                )
            )
        if parts:
            dataset = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
            if parquet_dir is not None:
                dataset = dataset.materialize()
                _as_table_rows(dataset).write_parquet(str(parquet_dir))
            for batch in dataset.iter_batches(batch_size=options.batch_size, batch_format="numpy"):
                if out is not None:
                    for line in batch["line"]:
                        out.write(line)
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
        row = orjson.loads(line)
        source = row["source"]
        for key in ("id", "kind", "path", "sha256"):
            columns[f"source_{key}"].append(source[key])
        columns["status"].append(row["status"])
        for key in ("record", "error", "provenance"):
            value = row.get(key)
            columns[key].append(None if value is None else orjson.dumps(value).decode())
    return pa.table(columns, schema=pa.schema([(name, pa.string()) for name in _PARQUET_COLUMNS]))


def _as_table_rows(dataset: Any) -> Any:
    return dataset.map_batches(_parquet_row, batch_format="numpy")


def iter_checked(
    inputs: Iterable[str],
    rules: list[tuple[Rule, Severity]],
    *,
    options: RayOptions,
    max_bytes: int,
) -> Iterator[Checked]:
    """`extract.check.runner.iter_checked` on Ray: every input record checked in CPU tasks."""
    items = [wire(source) for source in iter_sources(inputs, max_bytes=max_bytes)]
    if not items:
        return
    with _Session(options) as session:
        dataset = _dataset(
            session.ray,
            items,
            check_batch,
            options.batch_size,
            options.workers,
            fn_kwargs={"rules": rules, "max_bytes": max_bytes},
        )
        for batch in dataset.iter_batches(batch_size=options.batch_size, batch_format="numpy"):
            for data in batch["checked"]:
                yield pickle.loads(data)
