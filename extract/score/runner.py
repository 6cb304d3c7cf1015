"""Run extraction and the checker over fixtures and score both against gold.

Extraction reuses the pipeline as `trialqa extract` runs it: `extract.batch.run_batch` with a
`PageExtractor` over a `LazyLLM` (so the response cache, --replay and bounded concurrency are
the same), structured sources through the structured mappers. Each ok row is then checked with
`extract.check.check_record` (page rows with their page text, whose offsets their spans index).
"""

from __future__ import annotations

import asyncio
import io
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict

from extract.batch import ProgressFn, run_batch
from extract.llm.config import EndpointConfig
from extract.load import DEFAULT_MAX_BYTES
from extract.model import TrialRecord
from extract.model.provenance import CallTotals, Provenance
from extract.page.layouts import LayoutStore
from extract.page.strategy import LAYOUT_STORE
from extract.pipeline import PageExtractor, page_extractor
from extract.rows import ExtractionRow
from extract.score import grounding
from extract.score.aggregate import FixtureResult, SetMetrics, aggregate, flat_metrics
from extract.score.checker import score_findings
from extract.score.fixtures import SET_NAMES, Fixture, load_fixtures
from extract.score.record import DEFAULT_TEXT_THRESHOLD, score_record

METRICS_FORMAT = 1


@dataclass
class EvalOptions:
    fixtures: Path
    sets: tuple[str, ...] = SET_NAMES
    strategy: str = "auto"  # auto | sectioned | whole
    endpoint: EndpointConfig = field(default_factory=EndpointConfig)  # model, cache and --replay for pages
    concurrency: int | None = None
    threshold: float = DEFAULT_TEXT_THRESHOLD
    check_config: Any = None  # extract.check.CheckConfig
    progress: ProgressFn | None = None  # the command line's progress bar, if any


class RunInfo(BaseModel):
    """What produced the figures; deterministic (no clock, no host), so metrics.json diffs cleanly."""

    model_config = ConfigDict(extra="forbid")

    format: int = METRICS_FORMAT
    sets: list[str]
    strategy: str
    model_id: str | None
    endpoint: str  # "embedded" or the endpoint kind
    replay: bool
    text_threshold: float
    prompt_hashes: dict[str, str]
    fixtures: int


class EvalMetrics(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run: RunInfo
    sets: dict[str, SetMetrics]
    metrics: dict[str, float]  # flat, gated names -> values


@dataclass
class EvalRun:
    metrics: EvalMetrics
    results: list[FixtureResult]
    fixtures: list[Fixture]
    wall_seconds: float
    llm_calls: int = 0
    cache_hits: int = 0
    provenance: dict[str, Provenance] = field(default_factory=dict)  # fixture key -> its row's provenance

    def sources(self) -> dict[str, str]:
        return {f.key: f.source_text() for f in self.fixtures}


async def _extract(fixtures: list[Fixture], options: EvalOptions) -> tuple[dict[str, ExtractionRow], PageExtractor]:
    config = options.endpoint
    pages = page_extractor(config, options.strategy)
    # One page at a time: pages of a layout reuse the answers the layout's first page got (learned layout
    # maps, in memory per run), so the questions asked, and so replay, depend on the order pages run in.
    concurrency = options.concurrency or 1
    LAYOUT_STORE.set(LayoutStore(None))
    out = io.BytesIO()
    try:
        await run_batch(
            [str(f.source_path) for f in fixtures],
            out,
            pages=pages,
            concurrency=concurrency,
            max_bytes=DEFAULT_MAX_BYTES,
            progress=options.progress,
        )
    finally:
        await pages.llm.aclose()
    rows: dict[str, ExtractionRow] = {}
    for line in out.getvalue().splitlines():
        row = ExtractionRow.model_validate(orjson.loads(line))
        rows.setdefault(str(Path(row.source.path).resolve()), row)
    return rows, pages


def _check(record: TrialRecord, text: str | None, options: EvalOptions) -> list[Any]:
    from extract.check import check_record

    return check_record(record, source_text=text, config=options.check_config, record_id=record.nct_id)


def score_fixture(fixture: Fixture, row: ExtractionRow | None, options: EvalOptions) -> FixtureResult:
    gold = fixture.gold
    ok = row is not None and row.status == "ok" and row.record is not None
    record = row.record if ok and row is not None else None
    page = bool(row is not None and row.provenance.page)
    text = fixture.source_text() if page else None
    scored = score_record(gold.record, record, options.threshold)
    findings = _check(record, text, options) if record is not None else []
    result = FixtureResult(
        key=fixture.key,
        id=gold.id,
        set=gold.set,
        source_file=fixture.source_path.name,
        status="ok" if ok else "error",
        error=None if ok else (f"{row.error.type}: {row.error.message}" if row and row.error else "no extraction row"),
        fields=scored.fields,
        diffs=scored.diffs,
        check=score_findings(gold.findings, findings),
        findings=[f.to_json() for f in findings],
        page=page,
    )
    if record is not None and page and text is not None:
        dumped = record.model_dump(mode="json")
        removed = len(row.provenance.ungrounded or []) if row is not None else 0
        result.grounding = grounding.measure(dumped, text, removed)
        result.spans = {path: {"start": s.start, "end": s.end} for path, s in record.spans.items()}
        for kind in ("inclusion", "exclusion"):
            for i, item in enumerate(getattr(record.eligibility, kind)):
                if item.span is not None:
                    result.spans[f"eligibility.{kind}[{i}]"] = {"start": item.span.start, "end": item.span.end}
    return result


def run_eval(options: EvalOptions) -> EvalRun:
    started = time.perf_counter()
    fixtures = load_fixtures(options.fixtures, options.sets)
    rows, pages = asyncio.run(_extract(fixtures, options))
    results = [score_fixture(f, rows.get(str(f.source_path.resolve())), options) for f in fixtures]
    by_set: dict[str, list[FixtureResult]] = {}
    for result in results:
        by_set.setdefault(result.set, []).append(result)
    sets = {name: aggregate(name, by_set[name]) for name in SET_NAMES if name in by_set}
    page_rows = [r for r in rows.values() if r.provenance.page]
    model_ids = sorted({r.provenance.model_id for r in page_rows if r.provenance.model_id})
    endpoint_kinds = sorted({r.provenance.endpoint_kind for r in page_rows if r.provenance.endpoint_kind})
    info = RunInfo(
        sets=[s for s in SET_NAMES if s in options.sets],
        strategy=pages.strategy,
        model_id=", ".join(model_ids) or None,
        endpoint=", ".join(endpoint_kinds) or ("embedded" if pages.llm.config.embedded else "remote"),
        replay=options.endpoint.replay,
        text_threshold=options.threshold,
        prompt_hashes=dict(sorted(pages.prompt_hashes().items())),
        fixtures=len(fixtures),
    )
    metrics = EvalMetrics(run=info, sets=sets, metrics=flat_metrics(sets))
    calls = sum((r.provenance.totals for r in rows.values()), CallTotals())
    return EvalRun(
        metrics=metrics,
        results=results,
        fixtures=fixtures,
        wall_seconds=time.perf_counter() - started,
        llm_calls=calls.llm_calls,
        cache_hits=calls.cache_hits,
        provenance={
            f.key: rows[str(f.source_path.resolve())].provenance
            for f in fixtures
            if str(f.source_path.resolve()) in rows
        },
    )
