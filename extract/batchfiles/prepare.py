"""`trialqa batch prepare`: every model question the response cache cannot answer yet, as OpenAI Batch
input lines (the format `vllm run-batch` reads too), split at OpenAI's per-file limits.

Each page runs through its strategy with `RecordingAsker`: cached answers are used, the first missing
one is written down and the page waits for the next round. Each request's schema and cache-entry
fields are kept next to the cache (`PendingStore`), so `batch ingest` needs only the results file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from extract.batchfiles.capture import BatchRequest, RecordingAsker, capturing_llm
from extract.batchfiles.pending import PendingStore
from extract.errors import RequestDeferred, TrialQAError
from extract.llm.config import EndpointConfig
from extract.load import iter_sources
from extract.pipeline import STRATEGIES, resolve_strategy

# OpenAI Batch API limits per input file (https://platform.openai.com/docs/guides/batch).
MAX_REQUESTS_PER_FILE = 50_000
MAX_BYTES_PER_FILE = 200 * 1024 * 1024


@dataclass
class PrepareSummary:
    """What one prepare round found."""

    strategy: str = ""
    model_id: str = ""
    mode: str = ""
    pages: int = 0
    complete: int = 0  # every question answered from the cache: `extract --replay` can do these now
    waiting: int = 0  # at least one question in this round's files
    failed: Counter[str] = field(default_factory=Counter)  # pages that fail whatever the answers (by error type)
    requests: int = 0
    files: list[Path] = field(default_factory=list)


async def collect_requests(
    inputs: Iterable[str], config: EndpointConfig, requested_strategy: str, *, max_bytes: int, exclude: Iterable[str]
) -> tuple[list[BatchRequest], PrepareSummary]:
    """This round's requests, one per distinct cache key, in input order."""
    strategy = resolve_strategy(config, requested_strategy)
    summary = PrepareSummary(strategy=strategy)
    extract_fn = STRATEGIES[strategy][0]
    llm = await capturing_llm(config)
    try:
        summary.model_id, summary.mode = llm.model_id, str(llm.provenance()["mode"])
        asker = RecordingAsker(llm)
        for source in iter_sources(inputs, max_bytes=max_bytes, exclude=exclude):
            if not source.is_page:
                continue  # structured records and unreadable inputs need no model
            summary.pages += 1
            try:
                await extract_fn(source.text or "", asker)
            except RequestDeferred:
                summary.waiting += 1
            except TrialQAError as exc:
                summary.failed[exc.type_name] += 1
            else:
                summary.complete += 1
    finally:
        await llm.aclose()
    requests = list(asker.deferred.values())
    summary.requests = len(requests)
    return requests, summary


def part_paths(out: Path) -> Iterator[Path]:
    """requests.jsonl, requests.002.jsonl, requests.003.jsonl, ..."""
    yield out
    n = 2
    while True:
        yield out.with_name(f"{out.stem}.{n:03d}{out.suffix}")
        n += 1


def write_request_files(
    requests: Iterable[BatchRequest],
    out: Path,
    *,
    max_requests: int = MAX_REQUESTS_PER_FILE,
    max_bytes: int = MAX_BYTES_PER_FILE,
) -> list[Path]:
    """Write the lines, starting a new part before either limit would be passed; returns the files
    written (none when there is nothing to ask). Parts left by an earlier, larger round are removed."""
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in out.parent.glob(f"{out.stem}.[0-9][0-9][0-9]{out.suffix}"):
        stale.unlink()
    out.unlink(missing_ok=True)
    paths = part_paths(out)
    written: list[Path] = []
    handle = None
    count = size = 0
    try:
        for request in requests:
            line = request.to_line()
            if len(line) > max_bytes:
                raise ValueError(f"one request ({request.key[:16]}) is {len(line):,} bytes, over the per-file limit")
            if handle is None or count >= max_requests or size + len(line) > max_bytes:
                if handle is not None:
                    handle.close()
                path = next(paths)
                handle = open(path, "wb")  # noqa: SIM115  (closed above or below)
                written.append(path)
                count = size = 0
            handle.write(line)
            count += 1
            size += len(line)
    finally:
        if handle is not None:
            handle.close()
    return written


async def prepare(
    inputs: Iterable[str],
    out: Path,
    config: EndpointConfig,
    requested_strategy: str,
    *,
    max_bytes: int,
    max_requests: int = MAX_REQUESTS_PER_FILE,
    max_file_bytes: int = MAX_BYTES_PER_FILE,
) -> PrepareSummary:
    """One round: collect the missing questions, remember them for ingest, write the batch files."""
    requests, summary = await collect_requests(inputs, config, requested_strategy, max_bytes=max_bytes, exclude=[])
    store = PendingStore(config.responses_dir)
    for request in requests:
        store.put(request.pending)
    summary.files = write_request_files(requests, out, max_requests=max_requests, max_bytes=max_file_bytes)
    return summary
