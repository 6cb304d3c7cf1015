"""A record's cost is complete: every request sent, answered or failed, is in its row's
provenance, whether the record ended ok or as an error row; transport resends are counted too."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from extract.batch import BatchSummary, run_batch
from extract.llm import EndpointConfig
from extract.llm.lazy import LazyLLM
from extract.load import iter_sources
from extract.pipeline import PageExtractor
from extract.rows import ExtractionRow
from tests.llm.fake_openai import EverySecondFails, FakeOpenAI, answer, copying_answers, status

# Questions the seed pages ask (sectioned strategy), in batch order:
# NCT03792542 title, conditions; NCT04550949 title, primary outcomes; NCT06406205 title;
# NCT06935409 none; NCT07271602 conditions.
SEEDS = ("NCT03792542", "NCT04550949", "NCT06406205", "NCT06935409", "NCT07271602")


def _folder(records_dir: Path, tmp_path: Path, names: tuple[str, ...]) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in names:
        shutil.copy(records_dir / "pages" / f"{name}.txt", folder / f"{name}.txt")
    return folder


def _batch(
    folder: Path, config: EndpointConfig, out: Path, concurrency: int = 1
) -> tuple[list[ExtractionRow], BatchSummary]:
    pages = PageExtractor(LazyLLM(config), "sectioned")

    async def go() -> BatchSummary:
        try:
            with open(out, "wb") as handle:
                return await run_batch([str(folder)], handle, pages=pages, concurrency=concurrency, max_bytes=10**7)
        finally:
            await pages.llm.aclose()

    summary = asyncio.run(go())
    rows = [ExtractionRow.model_validate(orjson.loads(line)) for line in out.read_bytes().splitlines()]
    return rows, summary


def _run(folder: Path, config: EndpointConfig, out: Path, concurrency: int = 1) -> list[ExtractionRow]:
    return _batch(folder, config, out, concurrency)[0]


def test_a_record_that_fails_after_answered_calls_reports_all_of_them(
    fake_openai: FakeOpenAI, llm_config: Callable[..., EndpointConfig], records_dir: Path, tmp_path: Path
) -> None:
    folder = _folder(records_dir, tmp_path, ("NCT03792542",))
    invented = {"conditions": ["Not In The Line"]}
    fake_openai.script(
        answer({"line": 1}, prompt_tokens=100, completion_tokens=7),  # title: answered
        status(500),  # conditions: a 500 (no usage), resent,
        answer(invented, prompt_tokens=200, completion_tokens=9),  # then invented three times
        answer(invented, prompt_tokens=200, completion_tokens=9),
        answer(invented, prompt_tokens=200, completion_tokens=9),
    )
    (row,) = _run(folder, llm_config(max_reasks=2, max_transport_retries=2), tmp_path / "out.jsonl")
    assert (row.status, row.error.type if row.error else None) == ("error", "LLMInvalidAnswer")
    p = row.provenance
    assert len(fake_openai.chat_requests) == 5
    assert (p["llm_calls"], p["attempts"], p["transport_retries"]) == (2, 5, 1)
    assert (p["prompt_tokens"], p["completion_tokens"]) == (100 + 3 * 200, 7 + 3 * 9)
    assert set(p["prompt_hashes"]) == {"title_line", "conditions_split"}


def test_a_transport_failure_reports_every_resend(
    fake_openai: FakeOpenAI, llm_config: Callable[..., EndpointConfig], records_dir: Path, tmp_path: Path
) -> None:
    folder = _folder(records_dir, tmp_path, ("NCT06406205",))
    fake_openai.responder = lambda body: status(503)
    (row,) = _run(folder, llm_config(max_transport_retries=2), tmp_path / "out.jsonl")
    assert row.error is not None and row.error.type == "LLMTransportError"
    assert len(fake_openai.chat_requests) == 3
    assert (row.provenance["llm_calls"], row.provenance["attempts"], row.provenance["transport_retries"]) == (1, 3, 2)


@pytest.mark.parametrize("transport_retries", [0, 1], ids=["no-resends", "one-resend"])
def test_requests_the_endpoint_saw_equal_the_attempts_summed_over_rows(
    fake_openai: FakeOpenAI,
    llm_config: Callable[..., EndpointConfig],
    records_dir: Path,
    tmp_path: Path,
    transport_retries: int,
) -> None:
    folder = _folder(records_dir, tmp_path, SEEDS)
    responder = EverySecondFails(copying_answers, stall_s=2.0)
    fake_openai.responder = responder
    config = llm_config(max_transport_retries=transport_retries, timeout_s=0.5)
    rows, summary = _batch(folder, config, tmp_path / "out.jsonl")  # one at a time: a resend meets an odd request
    assert len(rows) == len(SEEDS)
    assert responder.count == len(fake_openai.chat_requests) > 0
    assert sum(r.provenance["attempts"] for r in rows) == len(fake_openai.chat_requests) == summary.attempts
    assert summary.transport_retries == sum(r.provenance["transport_retries"] for r in rows)
    if transport_retries == 0:  # some record met a failure it could not resend: an error row, still costed
        assert any(r.status == "error" and r.provenance["attempts"] > 0 for r in rows)
    else:  # every failure was followed by an answer
        assert all(r.status == "ok" for r in rows)


def test_concurrent_records_still_account_for_every_request(
    fake_openai: FakeOpenAI, llm_config: Callable[..., EndpointConfig], records_dir: Path, tmp_path: Path
) -> None:
    folder = _folder(records_dir, tmp_path, SEEDS)
    fake_openai.responder = EverySecondFails(copying_answers, stall_s=2.0)
    rows = _run(folder, llm_config(max_transport_retries=1, timeout_s=0.5), tmp_path / "out.jsonl", concurrency=3)
    assert len(rows) == len(SEEDS)
    assert sum(r.provenance["attempts"] for r in rows) == len(fake_openai.chat_requests)


def test_whole_strategy_error_rows_report_their_cost(
    fake_openai: FakeOpenAI, llm_config: Callable[..., EndpointConfig], records_dir: Path, tmp_path: Path
) -> None:
    folder = _folder(records_dir, tmp_path, ("NCT06406205",))
    bad = {"enrollment_count": -5}  # violates ge=0: re-asked, then given up
    fake_openai.script(status(429, retry_after=0), *[answer(bad, prompt_tokens=1000, completion_tokens=50)] * 3)
    pages = PageExtractor(LazyLLM(llm_config(max_reasks=2)), "whole")

    async def go() -> ExtractionRow:
        try:
            (source,) = iter_sources([str(folder)], max_bytes=10**7)
            return await pages(source)
        finally:
            await pages.llm.aclose()

    row = asyncio.run(go())
    assert row.error is not None and row.error.type == "LLMInvalidAnswer"
    p = row.provenance
    assert len(fake_openai.chat_requests) == 4
    assert (p["llm_calls"], p["attempts"], p["transport_retries"]) == (1, 4, 1)
    assert (p["prompt_tokens"], p["completion_tokens"]) == (3000, 150)
