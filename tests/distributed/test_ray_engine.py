"""`--engine ray` writes the rows the single-process CLI writes: extract and check over the shared
structured records, the seed pages (replayed answers, and a live fake endpoint) and bad inputs,
with resume and Parquet. Needs the `ray` extra; skipped (saying so) without it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from cli import app
from tests.conftest import REPO
from tests.fake_model import fake_step
from tests.llm.fake_openai import FakeOpenAI

ray = pytest.importorskip("ray", reason="the ray extra is not installed (pip install -e '.[ray]')")

runner = CliRunner()
CACHE = REPO / "evals" / "llm-cache"
_WALL = re.compile(rb'"wall_seconds":[0-9.eE+-]+')


@pytest.fixture(scope="module", autouse=True)
def local_ray() -> Iterator[None]:
    """One local Ray instance for the module (the engine joins it and leaves it running)."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


def _sorted_lines(path: Path) -> list[bytes]:
    """The rows sorted by source; the one timing field (different on every run, CLI or not) masked."""
    lines = [_WALL.sub(b'"wall_seconds":0', line) for line in path.read_bytes().splitlines()]
    return sorted(
        lines, key=lambda line: (orjson.loads(line)["source"]["path"], orjson.loads(line)["source"]["id"], line)
    )


@pytest.fixture(scope="module")
def inputs(records_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    bad = tmp_path_factory.mktemp("bad")
    (bad / "empty.json").write_bytes(b"")
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02" * 50)
    (bad / "truncated.json").write_bytes(b'{"protocolSection": {"identificationModule": ')
    (bad / "not-a-study.xml").write_bytes(b"<html_not><x/></html_not>")
    return [str(records_dir / "ctgov-v2"), str(records_dir / "ctgov-xml"), str(records_dir / "pages"), str(bad)]


def _extract(inputs: list[str], out: Path, *extra: str) -> Any:
    return runner.invoke(
        app, ["extract", *inputs, "-o", str(out), "--replay", "--cache-dir", str(CACHE), "--keep-going", *extra]
    )


@pytest.fixture(scope="module")
def cli_rows(inputs: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "rows.jsonl"
    result = _extract(inputs, out)
    assert result.exit_code == 0, result.output
    return out


def test_extract_rows_equal_the_cli(inputs: list[str], cli_rows: Path, tmp_path: Path) -> None:
    out = tmp_path / "ray.jsonl"
    result = _extract(inputs, out, "--engine", "ray", "--workers", "2")
    assert result.exit_code == 0, result.output
    expected = _sorted_lines(cli_rows)
    assert len(expected) == 13 + 125 + 5 + 4
    assert _sorted_lines(out) == expected
    statuses = [orjson.loads(line)["status"] for line in expected]
    assert statuses.count("error") == 4  # the four bad inputs, as error rows in both
    # exit codes tell the same truth: error rows -> 3 without --keep-going
    again = runner.invoke(
        app,
        ["extract", *inputs, "-o", str(tmp_path / "x.jsonl"), "--replay", "--cache-dir", str(CACHE), "--engine", "ray"],
    )
    assert again.exit_code == 3, again.output


def test_extract_resumes_like_the_cli(inputs: list[str], cli_rows: Path, tmp_path: Path) -> None:
    out = tmp_path / "ray.jsonl"
    lines = cli_rows.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:100]) + lines[100][:40])  # a killed run: 100 rows and a torn line
    result = _extract(inputs, out, "--engine", "ray")
    assert result.exit_code == 0, result.output
    assert re.search(r"resumed from earlier run\s*│\s*100 ", result.output), result.output
    assert _sorted_lines(out) == _sorted_lines(cli_rows)


def test_check_equals_the_cli(inputs: list[str], cli_rows: Path) -> None:
    for checked_inputs in (inputs[:2], [str(cli_rows)]):  # structured records; extraction rows (with pages)
        local = runner.invoke(app, ["check", *checked_inputs, "--format", "jsonl", "--keep-going"])
        on_ray = runner.invoke(app, ["check", *checked_inputs, "--format", "jsonl", "--keep-going", "--engine", "ray"])
        assert local.exit_code == on_ray.exit_code == 0, on_ray.output
        findings = sorted(line for line in local.stdout.splitlines() if line.startswith("{"))
        assert findings, "the shared records have findings"
        assert sorted(line for line in on_ray.stdout.splitlines() if line.startswith("{")) == findings


def test_pages_through_actors_against_a_live_endpoint(records_dir: Path, tmp_path: Path) -> None:
    """Each actor's LLM client asks the endpoint and fills the response cache, as the CLI's does."""
    fake = FakeOpenAI(owned_by="vllm").start()
    fake.responder = fake_step
    try:
        rows = {}
        for engine in ("local", "ray"):
            out = tmp_path / f"{engine}.jsonl"
            result = runner.invoke(
                app,
                [
                    "extract",
                    str(records_dir / "pages"),
                    "-o",
                    str(out),
                    "--base-url",
                    fake.base_url,
                    "--model",
                    "fake-model",
                    "--strategy",
                    "sectioned",
                    "--cache-dir",
                    str(tmp_path / f"cache-{engine}"),
                    "--engine",
                    engine,
                ],
            )
            assert result.exit_code == 0, result.output
            rows[engine] = _sorted_lines(out)
        assert rows["ray"] == rows["local"]
        assert len(fake.chat_requests) == 2 * 6  # six questions per run, none answered from the other run's cache
        assert len(list((tmp_path / "cache-ray").rglob("*.json"))) == 6
    finally:
        fake.stop()


def test_parquet_holds_the_same_rows(inputs: list[str], cli_rows: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    folder = tmp_path / "rows.parquet"
    result = _extract(inputs, folder, "--engine", "ray", "--output-format", "parquet")
    assert result.exit_code == 0, result.output
    table = pq.read_table(folder).to_pylist()
    expected = {
        (r["source"]["path"], r["source"]["id"]): r for r in map(orjson.loads, cli_rows.read_bytes().splitlines())
    }
    assert len(table) == len(expected)
    for row in table:
        want = expected[(row["source_path"], row["source_id"])]
        assert (row["source_kind"], row["source_sha256"], row["status"]) == (
            want["source"]["kind"],
            want["source"]["sha256"],
            want["status"],
        )
        assert (orjson.loads(row["record"]) if row["record"] else None) == want["record"]
        assert (orjson.loads(row["error"]) if row["error"] else None) == want["error"]
    # a folder with files in it is not overwritten
    again = _extract(inputs, folder, "--engine", "ray", "--output-format", "parquet")
    assert again.exit_code == 2


def test_an_input_named_twice_gives_its_rows_twice_and_resumes(records_dir: Path, tmp_path: Path) -> None:
    """Rows out = records in, also when the same folder is named twice; a torn run resumes exactly."""
    twice = [str(records_dir / "ctgov-v2"), str(records_dir / "ctgov-v2")]
    local, on_ray = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    assert _extract(twice, local).exit_code == 0
    assert len(local.read_bytes().splitlines()) == 2 * 13
    assert _extract(twice, on_ray, "--engine", "ray").exit_code == 0
    assert _sorted_lines(on_ray) == _sorted_lines(local)
    # keep the first 20 rows written (whichever they are); the resumed run writes the 6 missing ones
    kept = on_ray.read_bytes().splitlines(keepends=True)[:20]
    on_ray.write_bytes(b"".join(kept))
    result = _extract(twice, on_ray, "--engine", "ray")
    assert result.exit_code == 0, result.output
    assert re.search(r"resumed from earlier run\s*│\s*20 ", result.output), result.output
    assert _sorted_lines(on_ray) == _sorted_lines(local)
