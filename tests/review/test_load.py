"""Loading extraction rows and findings into the queue: what becomes an item, idempotence, and a
changed record reopening its item."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import orjson

from extract.review.actions import Action, Kind, apply
from extract.review.load import ERROR_RULE, UNGROUNDED_RULE, load
from extract.review.store import connect
from tests.review.conftest import MISSION, finding_id, hostile_row, item_id, version

MISSION_RULES = {"eligibility.inclusion_item_in_exclusion", "arms.placebo_arm_gets_active_drug"}


def _snapshot(conn: sqlite3.Connection) -> list[tuple]:
    return [
        tuple(r)
        for r in conn.execute(
            "SELECT i.source_id, i.version, i.status, i.open_count, i.finding_count, f.fingerprint, f.current"
            " FROM items i JOIN findings f ON f.item_id = i.id ORDER BY f.id"
        )
    ]


def test_seeds_with_findings_become_items(queue: sqlite3.Connection, seed_files: tuple[Path, Path]) -> None:
    items = {r["source_id"]: r for r in queue.execute("SELECT * FROM items")}
    # NCT04550949 has no findings and nothing ungrounded: not queued.
    assert set(items) == {"NCT03792542", "NCT06406205", "NCT06935409", MISSION}
    mission = items[MISSION]
    assert mission["severity_rank"] == 2 and mission["status"] == "open" and mission["version"] == 1
    rules = {r[0] for r in queue.execute("SELECT rule FROM findings WHERE item_id = ?", (mission["id"],))}
    assert rules >= MISSION_RULES
    assert mission["finding_count"] == mission["open_count"] == 5
    record = queue.execute("SELECT * FROM records WHERE id = ?", (mission["record_id"],)).fetchone()
    page = (seed_files[0].parent / "pages" / f"{MISSION}.txt").read_bytes()
    assert record["source_bytes"] == page and record["source_name"] == "source.txt"
    assert record["source_text"] == page.decode("utf-8") and record["span_base"] == "source"
    assert record["sha256"] == hashlib.sha256(page).hexdigest()


def test_loading_again_changes_nothing(queue: sqlite3.Connection, seed_files: tuple[Path, Path]) -> None:
    before = _snapshot(queue)
    again = load(queue, [str(p) for p in seed_files])
    assert (again.new, again.reopened, again.updated, again.unchanged, again.clean) == (0, 0, 0, 4, 1)
    # The checker run here finds the same findings the findings file holds: still the same items.
    checked = load(queue, [str(seed_files[0])])
    assert checked.unchanged == 4 and checked.findings_added == 0
    assert _snapshot(queue) == before


def test_changed_record_reopens_its_item_and_keeps_decisions(
    queue: sqlite3.Connection, seed_files: tuple[Path, Path], tmp_path: Path
) -> None:
    item = item_id(queue)
    for rule in sorted(MISSION_RULES):
        apply(queue, Action(Kind.CONFIRM, item, version(queue, item), "ann", finding_id=finding_id(queue, rule)))
    for fid in [r[0] for r in queue.execute("SELECT id FROM findings WHERE item_id = ? AND state = 'open'", (item,))]:
        apply(queue, Action(Kind.DISMISS, item, version(queue, item), "ann", finding_id=fid, reason="not a defect"))
    assert queue.execute("SELECT status FROM items WHERE id = ?", (item,)).fetchone()[0] == "done"
    seen = version(queue, item)

    rows = [orjson.loads(line) for line in seed_files[0].read_bytes().splitlines()]
    for row in rows:
        if row["source"]["id"] == MISSION:
            row["record"]["brief_title"] = "A retitled trial"
            row["source"]["sha256"] = "0" * 64
    changed = tmp_path / "changed.jsonl"
    changed.write_bytes(b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in rows))
    summary = load(queue, [str(changed)])
    assert summary.reopened == 1 and summary.unchanged == 3

    state = queue.execute("SELECT * FROM items WHERE id = ?", (item,)).fetchone()
    assert state["status"] == "open" and state["version"] == seen + 1 and state["title"] == "A retitled trial"
    assert queue.execute("SELECT count(*) FROM findings WHERE item_id = ? AND current = 0", (item,)).fetchone()[0] == 5
    assert state["open_count"] == 5  # the new record's findings, all open again
    assert queue.execute("SELECT count(*) FROM decisions WHERE item_id = ?", (item,)).fetchone()[0] == 5
    record = queue.execute(
        "SELECT source_text, source_note FROM records WHERE id = ?", (state["record_id"],)
    ).fetchone()
    assert record["source_text"] is None and "changed since extraction" in record["source_note"]
    assert load(queue, [str(changed)]).unchanged == 4


def test_error_rows_and_ungrounded_values_are_queued(tmp_path: Path) -> None:
    rows = [
        {
            "source": {"id": "broken.json", "kind": "unknown", "path": "broken.json", "sha256": "1" * 64},
            "status": "error",
            "record": None,
            "error": {"type": "InvalidJSON", "message": "JSON ends early"},
            "provenance": {},
        },
        {  # a record the model rejects: queued as an error row, not dropped
            "source": {"id": "NCT00000002", "kind": "ctgov_v2", "path": "x.json", "sha256": "2" * 64},
            "status": "ok",
            "record": {"nct_id": "NCT00000002", "overall_status": "NOT_A_STATUS"},
            "error": None,
            "provenance": {"span_base": "eligibility.criteria_text"},
        },
    ]
    data = tmp_path / "rows.jsonl"
    data.write_bytes(b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in rows) + b"not json\n")
    conn = connect(tmp_path / "q.sqlite")
    summary = load(conn, [str(data), str(hostile_row(tmp_path))])
    assert summary.new == 3 and len(summary.problems) == 1 and "not JSON" in summary.problems[0]
    found = {
        (r["source_id"], r["rule"]): r
        for r in conn.execute(
            "SELECT i.source_id, f.rule, f.message, f.evidence_json FROM findings f JOIN items i ON i.id = f.item_id"
        )
    }
    assert found[("broken.json", ERROR_RULE)]["message"] == "InvalidJSON: JSON ends early"
    assert "RecordInvalid: record.overall_status: Input should be" in found[("NCT00000002", ERROR_RULE)]["message"]
    ungrounded = found[("NCT09999999", UNGROUNDED_RULE)]
    assert orjson.loads(ungrounded["evidence_json"])[0]["path"] == "official_title"


def test_findings_for_records_not_loaded_are_reported(seed_files: tuple[Path, Path], tmp_path: Path) -> None:
    conn = connect(tmp_path / "q.sqlite")
    summary = load(conn, [str(seed_files[1])])
    assert summary.rows == 0 and summary.unmatched_findings == len(seed_files[1].read_bytes().splitlines())
    assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == 0
