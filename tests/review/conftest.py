"""Review-queue test helpers: the seed pages' real extraction (replayed, no model) and findings,
queue files loaded from them, and hand-made rows for edge cases."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from cli import app
from extract.review.load import load
from extract.review.store import connect
from tests.conftest import REPO

CACHE = REPO / "evals" / "llm-cache"
MISSION = "NCT07271602"
runner = CliRunner()


@pytest.fixture(scope="session")
def seed_files(records_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(extraction JSONL, findings JSONL) of the five seed pages, made by the real commands.
    The pages are copied first so tests may change or delete them."""
    folder = tmp_path_factory.mktemp("seeds")
    pages = folder / "pages"
    shutil.copytree(records_dir / "pages", pages)
    rows, findings = folder / "seeds.jsonl", folder / "findings.jsonl"
    result = runner.invoke(
        app, ["extract", str(pages), "-o", str(rows), "--replay", "--cache-dir", str(CACHE), "--no-resume"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["check", str(rows), "-f", "jsonl"])
    assert result.exit_code == 0, result.output
    findings.write_bytes(result.stdout_bytes)
    return rows, findings


@pytest.fixture
def queue(seed_files: tuple[Path, Path], tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """A fresh queue file loaded with the seeds' extraction and findings."""
    conn = connect(tmp_path / "queue.sqlite")
    load(conn, [str(p) for p in seed_files])
    yield conn
    conn.close()


def item_id(conn: sqlite3.Connection, source_id: str = MISSION) -> int:
    return int(conn.execute("SELECT id FROM items WHERE source_id = ?", (source_id,)).fetchone()[0])


def finding_id(conn: sqlite3.Connection, rule: str, source_id: str = MISSION) -> int:
    row = conn.execute(
        "SELECT f.id FROM findings f JOIN items i ON i.id = f.item_id"
        " WHERE i.source_id = ? AND f.rule = ? AND f.current = 1 ORDER BY f.id LIMIT 1",
        (source_id, rule),
    ).fetchone()
    return int(row[0])


def version(conn: sqlite3.Connection, item: int) -> int:
    return int(conn.execute("SELECT version FROM items WHERE id = ?", (item,)).fetchone()[0])


XSS = "<script>alert(1)</script>"
XSS_IMG = '<img src=x onerror="alert(2)">'


def hostile_row(folder: Path) -> Path:
    """An extraction row (and its page file) whose title, criteria and an ungrounded value carry
    markup: a queue item that must render as inert text."""
    title = f"Study of {XSS} in adults"
    inclusion = f"Adults who can {XSS} consent"
    exclusion = f"Patients with {XSS_IMG} allergy"
    page = (
        f"{title}\n\nNCT ID: NCT09999999\n\nInclusion Criteria:\n\n1. {inclusion}\n\n"
        f"Exclusion Criteria:\n\n1. {exclusion}\n"
    )
    page_file = folder / "NCT09999999.txt"
    page_file.write_text(page, encoding="utf-8")

    def span(text: str) -> dict[str, int]:
        start = page.index(text)
        return {"start": start, "end": start + len(text)}

    record: dict[str, Any] = {
        "nct_id": "NCT09999999",
        "brief_title": title,
        "eligibility": {
            "inclusion": [{"text": inclusion, "label": "1.", "level": 0, "span": span(inclusion)}],
            "exclusion": [{"text": exclusion, "label": "1.", "level": 0, "span": span(exclusion)}],
            "criteria_text": page[page.index("Inclusion Criteria:") :],
        },
        "spans": {"brief_title": span(title)},
    }
    row = {
        "source": {
            "id": "NCT09999999",
            "kind": "page_text",
            "path": str(page_file),
            "sha256": hashlib.sha256(page.encode()).hexdigest(),
        },
        "status": "ok",
        "record": record,
        "error": None,
        "provenance": {
            "extractor": "test",
            "span_base": "source",
            "ungrounded": [{"path": "official_title", "value": f"{XSS_IMG} official", "reason": "not found"}],
        },
    }
    out = folder / "hostile.jsonl"
    out.write_bytes(orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE))
    return out
