"""One fetch run: pages from the API into study JSONL (a file, resumable; or a stream such as stdout)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import httpx
import orjson

from extract.fetch.client import DEFAULT_POLICY, Page, RetryPolicy, Sleep, fetch_pages
from extract.fetch.query import StudyQuery
from extract.fetch.state import FetchState, StateMismatch, state_path

OnPage = Callable[[Page, FetchState], None]


@dataclass(frozen=True)
class FetchResult:
    state: FetchState
    resumed: bool  # this run continued an earlier, interrupted one
    already_complete: bool  # nothing to do: an earlier run finished this fetch


def _lines(page: Page) -> bytes:
    return b"".join(orjson.dumps(study, option=orjson.OPT_APPEND_NEWLINE) for study in page.studies)


def fetch_to_file(
    client: httpx.Client,
    query: StudyQuery,
    output: Path,
    *,
    restart: bool = False,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Sleep = time.sleep,
    on_page: OnPage | None = None,
) -> FetchResult:
    """Fetch into `output`, resuming an interrupted fetch of the same query from its state file."""
    base_url = str(client.base_url)
    params = query.params()
    status_file = state_path(output)
    state = None if restart else FetchState.load(status_file)
    if state is not None and not state.same_fetch(base_url, params):
        raise StateMismatch(
            f"{output} holds another fetch ({state.base_url} {state.query}); use another output or --restart"
        )
    if state is not None and (not output.exists() or output.stat().st_size < state.output_bytes):
        raise StateMismatch(
            f"{output} is missing or shorter than its fetch state records ({state.output_bytes:,} bytes): "
            "it changed since; use --restart"
        )
    if state is None and not restart and output.exists() and output.stat().st_size > 0:
        raise StateMismatch(f"{output} already exists and has no fetch state beside it; use --restart to replace it")
    resumed = state is not None and not state.complete
    if state is not None and state.complete:
        return FetchResult(state, resumed=False, already_complete=True)
    if state is None:
        state = FetchState(base_url=base_url, query=params)
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(output, "ab" if resumed else "wb") as out:
        out.truncate(state.output_bytes)  # drop a page half-written when the last run died
        out.seek(state.output_bytes)
        for page in fetch_pages(client, query, page_token=state.next_page_token, policy=policy, sleep=sleep):
            out.write(_lines(page))
            out.flush()
            os.fsync(out.fileno())
            state.output_bytes = out.tell()
            state.advance(len(page.studies), page.next_page_token, page.total_count)
            state.save(status_file)
            if on_page is not None:
                on_page(page, state)
    return FetchResult(state, resumed=resumed, already_complete=False)


def fetch_to_stream(
    client: httpx.Client,
    query: StudyQuery,
    out: BinaryIO,
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Sleep = time.sleep,
    on_page: OnPage | None = None,
) -> FetchResult:
    """Fetch into a stream (stdout for a pipe): no state file, so no resume."""
    state = FetchState(base_url=str(client.base_url), query=query.params())
    for page in fetch_pages(client, query, policy=policy, sleep=sleep):
        out.write(_lines(page))
        out.flush()
        state.advance(len(page.studies), page.next_page_token, page.total_count)
        if on_page is not None:
            on_page(page, state)
    return FetchResult(state, resumed=False, already_complete=False)
