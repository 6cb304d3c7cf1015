"""Two input files naming the same NCT id are two queue items, each with its own findings; loading
them again changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from extract.review.load import load
from extract.review.store import connect

NCT = "NCT01234567"


def _error_row(path: str, sha: str, message: str) -> dict[str, Any]:
    return {
        "source": {"id": NCT, "kind": "page_text", "path": path, "sha256": sha},
        "status": "error",
        "record": None,
        "error": {"type": "LLMInvalidAnswer", "message": message},
        "provenance": {"extractor": "test"},
    }


def test_same_id_in_two_files_is_two_items(tmp_path: Path) -> None:
    rows = [
        _error_row("pages/site_a.txt", "a" * 64, "the answer failed its schema"),
        _error_row("pages/site_b.txt", "b" * 64, "the answer was cut off"),
        _error_row("copies/site_a.txt", "a" * 64, "the answer failed its schema"),  # same bytes, another file
    ]
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_bytes(b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in rows))
    conn = connect(tmp_path / "q.sqlite")
    first = load(conn, [str(jsonl)], run_checker=False)
    assert (first.new, first.reopened) == (3, 0)
    items = conn.execute(
        "SELECT i.path, count(f.id) FROM items i LEFT JOIN findings f ON f.item_id = i.id WHERE i.source_id = ?"
        " GROUP BY i.id ORDER BY i.path",
        (NCT,),
    ).fetchall()
    assert [tuple(r) for r in items] == [("copies/site_a.txt", 1), ("pages/site_a.txt", 1), ("pages/site_b.txt", 1)]
    again = load(conn, [str(jsonl)], run_checker=False)
    assert (again.new, again.reopened, again.unchanged) == (0, 0, 3)
