"""`batch prepare` -> a batch service's answers -> `batch ingest` -> `extract --replay` gives the records a
live run gets from the same answers; a failed line's record stays an error row until the next round."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from cli import app
from extract.batchfiles.pending import PendingStore
from extract.llm.cache import ResponseCache
from tests.fake_model import batch_output_line, fake_step
from tests.llm.fake_openai import FakeOpenAI

runner = CliRunner()
UNSENT = "http://batch.invalid/v1"  # prepare and replay never reach this


def _model_options(mode: str = "tools") -> list[str]:
    return ["--model", "fake-model", "--mode", mode, "--strategy", "sectioned"]


def _question(request: dict[str, Any]) -> str:
    """The answer model's name: the tool's (tools mode) or the response format's (json_schema mode)."""
    body = request["body"]
    return body["tools"][0]["function"]["name"] if body.get("tools") else body["response_format"]["json_schema"]["name"]


SERVERS = {"tools": "vllm", "json_schema": "ollama"}  # the server kind whose mode auto resolves to each mode


@pytest.fixture(params=sorted(SERVERS))
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def live(mode: str) -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(owned_by=SERVERS[mode]).start()
    fake.responder = fake_step
    try:
        yield fake
    finally:
        fake.stop()


def _rows(path: Path) -> dict[str, dict[str, Any]]:
    return {row["source"]["id"]: row for row in map(orjson.loads, path.read_bytes().splitlines())}


def _lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def _prepare(pages: Path, out: Path, cache: Path, *extra: str, mode: str = "tools") -> Any:
    return runner.invoke(
        app,
        [
            "batch",
            "prepare",
            str(pages),
            "-o",
            str(out),
            "--base-url",
            UNSENT,
            *_model_options(mode),
            "--cache-dir",
            str(cache),
            *list(extra),
        ],
    )


def _answer_file(requests: Path, out: Path, fail: set[str] = frozenset()) -> Path:  # type: ignore[assignment]
    lines = [batch_output_line(r, n, fail=r["custom_id"] in fail) for n, r in enumerate(_lines(requests), 1)]
    out.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    return out


def _ingest(results: Path, cache: Path) -> Any:
    return runner.invoke(app, ["batch", "ingest", str(results), "--cache-dir", str(cache)])


def _replay(pages: Path, out: Path, cache: Path, mode: str) -> Any:
    return runner.invoke(
        app,
        [
            "extract",
            str(pages),
            "-o",
            str(out),
            "--replay",
            "--base-url",
            UNSENT,
            *_model_options(mode),
            "--cache-dir",
            str(cache),
        ],
    )


def test_rounds_end_in_the_live_records(records_dir: Path, tmp_path: Path, live: FakeOpenAI, mode: str) -> None:
    """In each mode the live server's kind resolves to (auto), the batch rounds name that mode."""
    pages = records_dir / "pages"
    result = runner.invoke(
        app,
        [
            "extract",
            str(pages),
            "-o",
            str(tmp_path / "live.jsonl"),
            "--base-url",
            live.base_url,
            *_model_options()[:2],
            "--strategy",
            "sectioned",
            "--cache-dir",
            str(tmp_path / "live-cache"),
        ],
    )
    assert result.exit_code == 0, result.output
    live_rows = _rows(tmp_path / "live.jsonl")
    assert len(live_rows) == 5 and all(row["status"] == "ok" for row in live_rows.values())
    sent = [orjson.dumps(body, option=orjson.OPT_SORT_KEYS) for body in live.chat_requests]

    cache = tmp_path / "batch-cache"
    # Round 1: the questions each page asks first. NCT06935409 needs none; NCT03792542 asks its
    # conditions only once its title is known (the title goes into that question).
    result = _prepare(pages, tmp_path / "r1.jsonl", cache, mode=mode)
    assert result.exit_code == 0, result.output
    round1 = _lines(tmp_path / "r1.jsonl")
    questions = sorted(map(_question, round1))
    # three pages with several title candidates; NCT07271602's one title, then its run-together conditions
    assert questions == ["ConditionsAnswer", "TitleLine", "TitleLine", "TitleLine"]
    assert all(set(r) == {"custom_id", "method", "url", "body"} for r in round1)
    assert all(r["method"] == "POST" and r["url"] == "/v1/chat/completions" for r in round1)
    # each body is byte for byte (as canonical JSON) a request the live client sent for the same question
    assert all(orjson.dumps(r["body"], option=orjson.OPT_SORT_KEYS) in sent for r in round1)
    assert len({r["custom_id"] for r in round1}) == len(round1)

    # The batch service answers all of them but one.
    failed = round1[0]["custom_id"]
    result = _ingest(_answer_file(tmp_path / "r1.jsonl", tmp_path / "o1.jsonl", {failed}), cache)
    assert result.exit_code == 3, result.output
    assert f"o1.jsonl:1: {failed[:16]}: HTTP 500: overloaded" in result.output
    assert f"{len(round1) - 1} answers stored" in result.output

    # Replay now: the failed line's record and the pages still waiting are error rows, the rest are done.
    result = _replay(pages, tmp_path / "replay.jsonl", cache, mode)
    assert result.exit_code == 3, result.output
    first = _rows(tmp_path / "replay.jsonl")
    waiting = {nct for nct, row in first.items() if row["status"] == "error"}
    assert all(first[nct]["error"]["type"] == "CacheMiss" for nct in waiting)
    assert waiting, "a failed line leaves its record unfinished"

    # Round 2 asks the failed question again plus what depended on round 1's answers; then nothing is left.
    result = _prepare(pages, tmp_path / "r2.jsonl", cache, mode=mode)
    assert result.exit_code == 0, result.output
    round2 = _lines(tmp_path / "r2.jsonl")
    assert failed in {r["custom_id"] for r in round2}
    assert not {r["custom_id"] for r in round2} & {r["custom_id"] for r in round1} - {failed}
    assert all(orjson.dumps(r["body"], option=orjson.OPT_SORT_KEYS) in sent for r in round2)
    result = _ingest(_answer_file(tmp_path / "r2.jsonl", tmp_path / "o2.jsonl"), cache)
    assert result.exit_code == 0, result.output
    rounds = 2
    while True:
        result = _prepare(pages, tmp_path / f"r{rounds + 1}.jsonl", cache, mode=mode)
        assert result.exit_code == 0, result.output
        if "nothing to ask" in result.output:
            break
        rounds += 1
        assert rounds < 6, "rounds never end"
        _ingest(_answer_file(tmp_path / f"r{rounds}.jsonl", tmp_path / f"o{rounds}.jsonl"), cache)
    assert not (tmp_path / f"r{rounds + 1}.jsonl").exists()
    # every question the live run asked was asked in exactly one successful batch line
    assert sum(len(_lines(tmp_path / f"r{n}.jsonl")) for n in range(1, rounds + 1)) == len(live.chat_requests) + 1

    # The same -o resumes: the CacheMiss rows are redone, the finished rows kept; records equal the live run's.
    result = _replay(pages, tmp_path / "replay.jsonl", cache, mode)
    assert result.exit_code == 0, result.output
    replayed = _rows(tmp_path / "replay.jsonl")
    assert len(replayed) == 5 and "resumed from earlier run" in result.output
    assert {nct: row["record"] for nct, row in replayed.items()} == {
        nct: row["record"] for nct, row in live_rows.items()
    }
    assert not any(PendingStore(cache).root.rglob("*.json")), "every pending question was answered"


def test_ingest_reports_each_bad_line_and_stores_the_good(records_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert _prepare(records_dir / "pages", tmp_path / "req.jsonl", cache).exit_code == 0
    requests = _lines(tmp_path / "req.jsonl")
    title = next(r for r in requests if r["body"]["tools"][0]["function"]["name"] == "TitleLine")
    allowed = title["body"]["tools"][0]["function"]["parameters"]["properties"]["line"]["enum"]
    good = batch_output_line(requests[1], 2)
    off_schema = batch_output_line(title, 1)
    off_schema["response"]["body"]["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = orjson.dumps(
        {"line": max(allowed) + 5}
    ).decode()
    service_error = {
        "custom_id": requests[2]["custom_id"],
        "response": None,
        "error": {"code": "expired", "message": "batch expired"},
    }
    lines = [
        orjson.dumps(off_schema),
        orjson.dumps(good),
        b"{not json",
        orjson.dumps({"custom_id": "../../etc/passwd", "response": good["response"], "error": None}),
        orjson.dumps(service_error),
    ]
    (tmp_path / "out.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    result = _ingest(tmp_path / "out.jsonl", cache)
    assert result.exit_code == 3, result.output
    output = " ".join(result.output.split())
    assert "out.jsonl:1:" in output and "fails the title_line schema" in output
    assert "out.jsonl:3: ?: not JSON" in output
    assert "out.jsonl:4:" in output and "unknown custom_id" in output
    assert "out.jsonl:5:" in output and "expired batch expired" in output
    assert "1 answers stored, 0 already cached, 4 failed" in output
    store = ResponseCache(cache)
    assert store.get(good["custom_id"]) is not None
    assert store.get(title["custom_id"]) is None  # an answer off its schema is never cached
    # ingesting the same file again stores nothing twice and still reports the bad lines
    again = _ingest(tmp_path / "out.jsonl", cache)
    assert "0 answers stored, 1 already cached, 4 failed" in " ".join(again.output.split())


def test_prepare_splits_files_at_the_limits(records_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    out = tmp_path / "req.jsonl"
    assert _prepare(records_dir / "pages", out, cache).exit_code == 0
    whole = out.read_bytes().splitlines()
    assert len(whole) == 4

    result = _prepare(records_dir / "pages", out, cache, "--max-requests", "3")
    assert result.exit_code == 0, result.output
    parts = [out, tmp_path / "req.002.jsonl"]
    assert [len(p.read_bytes().splitlines()) for p in parts] == [3, 1]
    assert b"".join(p.read_bytes() for p in parts).splitlines() == whole

    biggest = max(len(line) + 1 for line in whole)
    result = _prepare(records_dir / "pages", out, cache, "--max-file-bytes", str(biggest))
    assert result.exit_code == 0, result.output
    parts = sorted(tmp_path.glob("req*.jsonl"))
    assert len(parts) == 4 and all(p.stat().st_size <= biggest for p in parts)

    # a later, smaller round leaves no stale parts behind
    result = _prepare(records_dir / "pages", out, cache)
    assert sorted(tmp_path.glob("req*.jsonl")) == [out]


def test_the_api_key_never_reaches_batch_files_or_the_cache(records_dir: Path, tmp_path: Path) -> None:
    secret = "sk-batch-7c1e5d0a9b-SECRET"
    cache = tmp_path / "cache"
    result = _prepare(records_dir / "pages", tmp_path / "req.jsonl", cache, "--api-key", secret)
    assert result.exit_code == 0, result.output
    assert _lines(tmp_path / "req.jsonl"), "there are requests to look into"
    written = [tmp_path / "req.jsonl", *cache.rglob("*.json")]
    assert all(secret.encode() not in path.read_bytes() for path in written)
    assert secret not in result.output


def test_whole_strategy_asks_one_question_per_page_and_ingest_checks_its_schema(
    records_dir: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    result = _prepare(records_dir / "pages", tmp_path / "req.jsonl", cache, "--strategy", "whole")
    assert result.exit_code == 0, result.output
    requests = _lines(tmp_path / "req.jsonl")
    assert len(requests) == 5  # one whole-record question per seed page, none answerable yet
    assert {_question(r) for r in requests} == {"WholeRecord"}
    assert all(r["body"]["max_tokens"] == 3072 for r in requests)

    def answered(request: dict[str, Any], answer: dict[str, Any]) -> bytes:
        line = batch_output_line(request, 1)
        call = line["response"]["body"]["choices"][0]["message"]["tool_calls"][0]
        call["function"]["arguments"] = orjson.dumps(answer).decode()
        return orjson.dumps(line)

    bad_status = answered(requests[0], {"overall_status": "SOMETIMES", "arms": [{"label": "A", "type": "NOPE"}]})
    minimal = answered(requests[1], {"brief_title": "A title"})  # every WholeRecord field is optional
    (tmp_path / "out.jsonl").write_bytes(bad_status + b"\n" + minimal + b"\n")
    result = _ingest(tmp_path / "out.jsonl", cache)
    output = " ".join(result.output.replace("│", " ").split())
    assert result.exit_code == 3, output
    assert "fails the whole_record schema" in output
    assert "overall_status: 'SOMETIMES' is not one of" in output and "arms/0/type: 'NOPE' is not one of" in output
    assert ResponseCache(cache).get(requests[1]["custom_id"]) is not None
    assert ResponseCache(cache).get(requests[0]["custom_id"]) is None
