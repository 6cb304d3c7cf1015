"""The batch against a real (fake) OpenAI-compatible HTTP server: every failure ends in a retried
success or an error row, rows out = records in, and a killed run resumes without loss or duplicates."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from extract.batch import configs_for, prepare_resume, run_batch
from extract.llm import EndpointConfig
from extract.llm.lazy import LazyLLM
from extract.pipeline import PageExtractor
from extract.rows import ExtractionRow
from tests.conftest import REPO
from tests.llm.fake_openai import FakeOpenAI, answer, raw, sleep, status

SEEDS = ("NCT06406205", "NCT06935409", "NCT07271602")  # sorted: the order the batch reads them


def _pages(records_dir: Path, tmp_path: Path, names: tuple[str, ...] = SEEDS) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in names:
        shutil.copy(records_dir / "pages" / f"{name}.txt", folder / f"{name}.txt")
    return folder


def _responder(body: dict[str, Any]) -> Any:
    """Correct answers for the seed pages, by question (the tool's name is the answer model's)."""
    name = body["tools"][0]["function"]["name"]
    if name == "TitleLine":
        last = body["messages"][-1]["content"]
        # ClinConnect offers two candidates (its logo line, then the title); other pages put the title first
        return answer({"line": 2 if "ClinConnect" in last else 1})
    if name == "ConditionsAnswer":
        return answer({"conditions": CONDITIONS})
    raise AssertionError(f"unexpected question {name}")


def _run(folder: Path, out: Path, config: EndpointConfig) -> list[ExtractionRow]:
    pages = PageExtractor(LazyLLM(config), "sectioned")

    async def go() -> None:
        try:
            with open(out, "ab") as handle:
                await run_batch(
                    [str(folder)],
                    handle,
                    pages=pages,
                    concurrency=1,
                    max_bytes=10**7,
                    resume=prepare_resume(out, configs_for(pages)),
                )
        finally:
            await pages.llm.aclose()

    asyncio.run(go())
    return [ExtractionRow.model_validate(orjson.loads(line)) for line in out.read_bytes().splitlines()]


CONDITIONS = ["Non Small Cell Lung Cancer", "Immunotherapy", "Radiotherapy", "Chemotherapy"]
# Questions the three pages ask, in batch order: NCT06406205 the title (ClinConnect puts site
# chrome above it), NCT06935409 none (its one title candidate is the title), NCT07271602 how its
# run-together conditions line splits.


def test_transient_failures_are_retried_to_success(
    fake_openai: FakeOpenAI, llm_config: Callable[..., EndpointConfig], records_dir: Path, tmp_path: Path
) -> None:
    folder = _pages(records_dir, tmp_path)
    fake_openai.script(
        status(429, retry_after=0),  # NCT06406205 title: rate limited,
        answer({"line": 2}),  # then answered
        sleep(3.0),  # NCT07271602 conditions: a timeout,
        status(500),  # a 500,
        status(503),  # a 503,
        answer({"line": 3}),  # then a reply: schema-violating for this question,
        raw("{not json"),  # then invalid JSON,
        answer({"conditions": CONDITIONS}),  # then right
    )
    rows = _run(folder, tmp_path / "out.jsonl", llm_config(timeout_s=1.0, max_transport_retries=3, max_reasks=2))
    assert [r.source.id for r in rows] == list(SEEDS)
    assert [r.status for r in rows] == ["ok", "ok", "ok"]
    by_id = {r.source.id: r for r in rows}
    assert by_id["NCT06406205"].record.brief_title.startswith("A Study of QLG1074")
    assert by_id["NCT07271602"].record.conditions == CONDITIONS
    # attempts = every request sent: three model calls (two re-asks after the two bad answers) and
    # three transport resends (timeout, 500, 503), which are also counted apart
    assert by_id["NCT07271602"].provenance["attempts"] == 6
    assert by_id["NCT07271602"].provenance["transport_retries"] == 3
    assert by_id["NCT06406205"].provenance["attempts"] == 2  # a 429, then the answer
    assert by_id["NCT06935409"].provenance["llm_calls"] == 0
    # no transport error text ever reached a prompt
    sent = fake_openai.all_request_text()
    assert "fake failure" not in sent and "429" not in sent and "Retry-After" not in sent


def test_persistent_failures_become_error_rows_and_the_batch_goes_on(
    fake_openai: FakeOpenAI, llm_config: Callable[..., EndpointConfig], records_dir: Path, tmp_path: Path
) -> None:
    folder = _pages(records_dir, tmp_path)
    invented = {"conditions": ["Lung Carcinoma"]}  # not in the conditions line: violates the answer's check
    fake_openai.script(
        *[status(500)] * 3,  # NCT06406205: 500 on every try -> error row
        answer(invented),
        answer(invented),
        answer(invented),  # NCT07271602: invented 3 times -> error row
    )
    rows = _run(folder, tmp_path / "out.jsonl", llm_config(max_transport_retries=2, max_reasks=2))
    assert len(rows) == 3  # rows out = records in
    by_id = {r.source.id: r for r in rows}
    first, second, third = (by_id[n] for n in SEEDS)
    assert (first.status, first.error.type) == ("error", "LLMTransportError")
    assert second.status == "ok"
    assert (third.status, third.error.type) == ("error", "LLMInvalidAnswer")
    # the validation message (not a transport error) is what the re-asks sent back
    assert "not in the line" in fake_openai.all_request_text()


def test_killed_run_resumes_without_loss_or_duplicates(
    fake_openai: FakeOpenAI, records_dir: Path, tmp_path: Path
) -> None:
    names = ("NCT03792542", "NCT04550949", "NCT06406205", "NCT06935409", "NCT07271602")
    folder = _pages(records_dir, tmp_path, names)
    out = tmp_path / "out.jsonl"

    def slow(body: dict[str, Any]) -> Any:
        time.sleep(0.4)
        name = body["tools"][0]["function"]["name"]
        if name == "PrimaryOutcomes":
            return answer({"primary": [1]})
        if name == "ConditionsAnswer":
            line = body["messages"][-1]["content"].split("<<<")[1].split(">>>")[0]
            return answer({"conditions": [line]})
        return _responder(body)

    fake_openai.responder = slow
    command = [
        sys.executable,
        "-m",
        "cli",
        "extract",
        str(folder),
        "-o",
        str(out),
        "--base-url",
        fake_openai.base_url,
        "--model",
        "fake-model",
        "--mode",
        "tools",
        "--strategy",
        "sectioned",
        "--cache-dir",
        str(tmp_path / "cache"),
    ]
    env = {**os.environ, "OPENAI_API_KEY": "sk-never-written"}
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if out.exists() and len(out.read_bytes().splitlines()) >= 2:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    before = out.read_bytes().splitlines()
    assert 2 <= len(before) < 5
    with open(out, "ab") as handle:  # a torn line, as a kill mid-write leaves
        handle.write(b'{"source": {"id": "NCT0')
    finished = subprocess.run(command, cwd=REPO, env=env, capture_output=True, timeout=120)
    assert finished.returncode == 0, finished.stderr.decode()[-2000:]
    rows = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert sorted(r["source"]["id"] for r in rows) == sorted(names)  # each record once
    assert all(r["status"] == "ok" for r in rows)
    assert [line for line in before if line in out.read_bytes().splitlines()] == before  # nothing lost
    assert b"sk-never-written" not in out.read_bytes()
