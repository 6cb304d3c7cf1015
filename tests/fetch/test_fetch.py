"""`trialqa fetch` against a recorded ClinicalTrials.gov API v2 on a local socket: paging by cursor,
the query sent as the API spells it, resume after a crash with every study exactly once, backoff on
429 / 5xx honouring Retry-After, and output that `check` reads directly."""

from __future__ import annotations

import email.utils
import time
from pathlib import Path

import httpx
import orjson
import pytest
from typer.testing import CliRunner

from cli import app
from extract.fetch.client import FetchError, RetryPolicy, fetch_pages
from extract.fetch.query import BASE_URL_ENV, DEFAULT_BASE_URL, StudyQuery, base_url_from_env
from extract.fetch.run import fetch_to_file
from extract.fetch.state import FetchState, state_path
from tests.fetch.recorded_api import Fault, RecordedApi

runner = CliRunner()


def _ids(path: Path) -> list[str]:
    return [
        orjson.loads(line)["protocolSection"]["identificationModule"]["nctId"]
        for line in path.read_bytes().splitlines()
    ]


def _expected_ids(api: RecordedApi) -> list[str]:
    return [study["protocolSection"]["identificationModule"]["nctId"] for study in api.studies]


def test_fetch_pages_by_cursor_and_sends_the_query_as_the_api_spells_it(
    tmp_path: Path, api: RecordedApi, api_url: str
) -> None:
    out = tmp_path / "studies.jsonl"
    args = ["fetch", "--base-url", api_url, "--page-size", "5", "-o", str(out), "--cond", "lung cancer"]
    args += ["--term", "AREA[LastUpdatePostDate]RANGE[2023-01-15,MAX]", "--intr", "aspirin"]
    args += ["--status", "RECRUITING,COMPLETED", "--advanced", "AREA[Phase]PHASE3", "--fields", "NCTId,BriefTitle"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert _ids(out) == _expected_ids(api)  # 13 studies, each once, in API order
    assert len(api.requests) == 3  # 5 + 5 + 3
    first = api.requests[0][1]
    assert first["query.cond"] == "lung cancer" and first["query.intr"] == "aspirin"
    assert first["query.term"] == "AREA[LastUpdatePostDate]RANGE[2023-01-15,MAX]"
    assert first["filter.overallStatus"] == "RECRUITING,COMPLETED"
    assert first["filter.advanced"] == "AREA[Phase]PHASE3"
    assert first["fields"] == "NCTId,BriefTitle" and first["pageSize"] == "5" and first["countTotal"] == "true"
    assert "pageToken" not in first
    assert [params.get("pageToken") for _, params in api.requests[1:]] == [api.token(1), api.token(2)]
    state = FetchState.load(state_path(out))
    assert state is not None and state.complete and state.studies == 13 and state.total_count == 13
    assert "13 of 13 studies" in result.output


def test_crash_mid_way_then_resume_writes_every_study_exactly_once(
    tmp_path: Path, api: RecordedApi, api_url: str
) -> None:
    out = tmp_path / "studies.jsonl"
    args = ["fetch", "--base-url", api_url, "--page-size", "4", "-o", str(out), "--tries", "2"]
    api.faults[2] = Fault(status=503, retry_after="0", times=2)  # page 3 fails on both tries: the run stops
    crashed = runner.invoke(app, args)
    assert crashed.exit_code == 1
    assert "resume" in crashed.output
    assert _ids(out) == _expected_ids(api)[:8]
    # the run died while writing page 3: half a page reached the file after the state was saved
    with out.open("ab") as handle:
        handle.write(orjson.dumps(api.studies[8]) + b"\n" + orjson.dumps(api.studies[9])[:100])
    requests_before = len(api.requests)
    resumed = runner.invoke(app, args)
    assert resumed.exit_code == 0, resumed.output
    assert _ids(out) == _expected_ids(api)  # every study exactly once
    assert [params.get("pageToken") for _, params in api.requests[requests_before:]] == [api.token(2), api.token(3)]
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and "already complete" in again.output
    assert _ids(out) == _expected_ids(api)


def test_backoff_on_429_waits_as_long_as_retry_after_says(tmp_path: Path, api: RecordedApi, api_url: str) -> None:
    api.faults[1] = Fault(status=429, retry_after="1")
    out = tmp_path / "studies.jsonl"
    result = runner.invoke(app, ["fetch", "--base-url", api_url, "--page-size", "5", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert _ids(out) == _expected_ids(api)
    times = [at for at, _ in api.requests]
    assert len(times) == 4  # page 2 asked twice
    assert times[2] - times[1] >= 0.95  # the client waited the second the server asked for


def test_fetched_studies_pipe_into_check(tmp_path: Path, api_url: str, records_dir: Path) -> None:
    fetched = runner.invoke(app, ["fetch", "--base-url", api_url, "--page-size", "6"])
    assert fetched.exit_code == 0
    piped = runner.invoke(app, ["check", "-", "-f", "jsonl", "--jobs", "1"], input=fetched.stdout_bytes)
    direct = runner.invoke(app, ["check", str(records_dir / "ctgov-v2"), "-f", "jsonl", "--jobs", "1"])
    assert piped.exit_code == 0 and direct.exit_code == 0
    assert "records: 13  checked: 13" in piped.stderr
    assert piped.stdout == direct.stdout  # the same findings as checking the study files themselves


def test_fetched_file_is_read_by_extract(tmp_path: Path, api_url: str) -> None:
    out = tmp_path / "studies.jsonl"
    assert runner.invoke(app, ["fetch", "--base-url", api_url, "-o", str(out)]).exit_code == 0
    rows = tmp_path / "rows.jsonl"
    result = runner.invoke(app, ["extract", str(out), "-o", str(rows), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    statuses = [orjson.loads(line)["status"] for line in rows.read_bytes().splitlines()]
    assert statuses == ["ok"] * 13


def test_a_refused_request_stops_at_once(tmp_path: Path, api: RecordedApi, api_url: str) -> None:
    api.faults[0] = Fault(status=400, times=99)
    result = runner.invoke(app, ["fetch", "--base-url", api_url, "-o", str(tmp_path / "x.jsonl")])
    assert result.exit_code == 1 and "HTTP 400" in result.output
    assert len(api.requests) == 1  # a 400 is not retried


def test_an_output_from_another_query_is_not_appended_to(tmp_path: Path, api_url: str) -> None:
    out = tmp_path / "studies.jsonl"
    assert runner.invoke(app, ["fetch", "--base-url", api_url, "-o", str(out), "--cond", "asthma"]).exit_code == 0
    other = runner.invoke(app, ["fetch", "--base-url", api_url, "-o", str(out), "--cond", "copd"])
    assert other.exit_code == 2 and "another fetch" in other.output
    restarted = runner.invoke(app, ["fetch", "--base-url", api_url, "-o", str(out), "--cond", "copd", "--restart"])
    assert restarted.exit_code == 0 and len(_ids(out)) == 13


def test_an_output_cut_short_since_its_state_was_saved_is_not_resumed(tmp_path: Path, api_url: str) -> None:
    out = tmp_path / "studies.jsonl"
    args = ["fetch", "--base-url", api_url, "--page-size", "5", "-o", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    out.write_bytes(out.read_bytes()[:1000])  # someone truncated it: "already complete" would be a lie
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "shorter" in result.output
    assert runner.invoke(app, [*args, "--restart"]).exit_code == 0 and len(_ids(out)) == 13


def test_base_url_comes_from_the_environment(
    tmp_path: Path, api: RecordedApi, api_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert base_url_from_env({}) == DEFAULT_BASE_URL == "https://clinicaltrials.gov/api/v2"
    monkeypatch.setenv(BASE_URL_ENV, api_url)
    result = runner.invoke(app, ["fetch", "-o", str(tmp_path / "s.jsonl")])
    assert result.exit_code == 0 and len(api.requests) == 1


# --- the retry policy, without waiting (httpx MockTransport, a recording sleep) ---------------


def _client(statuses: list[tuple[int, dict[str, str]]]) -> httpx.Client:
    answers = iter(statuses)

    def handler(request: httpx.Request) -> httpx.Response:
        status, headers = next(answers)
        body = {"studies": [{"protocolSection": {}}], "totalCount": 1} if status == 200 else {"message": "no"}
        return httpx.Response(status, json=body, headers=headers)

    return httpx.Client(base_url="http://api.test/api/v2/", transport=httpx.MockTransport(handler))


def test_waits_double_without_retry_after_and_honour_an_http_date() -> None:
    waits: list[float] = []
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    client = _client([(500, {}), (502, {}), (429, {"Retry-After": later}), (503, {"Retry-After": "7"}), (200, {})])
    (page,) = list(fetch_pages(client, StudyQuery(), sleep=waits.append))
    assert page.total_count == 1
    assert waits[:2] == [1.0, 2.0]
    assert 28 <= waits[2] <= 30
    assert waits[3] == 7.0


def test_gives_up_after_the_last_try() -> None:
    waits: list[float] = []
    client = _client([(503, {})] * 3)
    with pytest.raises(FetchError, match="after 3 tries"):
        list(fetch_pages(client, StudyQuery(), policy=RetryPolicy(attempts=3), sleep=waits.append))
    assert waits == [1.0, 2.0]


def test_an_answer_without_studies_is_an_error(tmp_path: Path) -> None:
    client = httpx.Client(
        base_url="http://api.test/api/v2/",
        transport=httpx.MockTransport(lambda request: httpx.Response(200, json={"error": "x"})),
    )
    with pytest.raises(FetchError, match="no list of studies"):
        fetch_to_file(client, StudyQuery(), tmp_path / "o.jsonl")


def test_page_size_over_the_api_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="1 to 1000"):
        StudyQuery(page_size=1001)
    assert runner.invoke(app, ["fetch", "--page-size", "1001"]).exit_code == 2
