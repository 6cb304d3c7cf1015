"""An item's derived columns: counts, the most severe open finding, status, search text, version."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from extract.check.finding import severity_rank


def now() -> str:
    """UTC time, to the second, as stored everywhere in the queue: 2025-01-31T12:00:00Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def refresh(conn: sqlite3.Connection, item_id: int, *, reopen: bool = False, bump: bool = True) -> None:
    """Recompute an item's counts and rank from its current findings, and its status:
    'open' when `reopen` (a changed record) or while a current finding is still open, else 'done'
    once every current finding is decided. Bumps `version` (optimistic locking) when `bump`."""
    rows = conn.execute(
        "SELECT rule, severity, state FROM findings WHERE item_id = ? AND current = 1", (item_id,)
    ).fetchall()
    open_rows = [r for r in rows if r["state"] == "open"]
    ranked = open_rows or rows
    rank = max((severity_rank(r["severity"]) for r in ranked), default=0)
    item = conn.execute(
        "SELECT i.status, i.nct_id, i.source_id, i.title, i.record_id FROM items i WHERE i.id = ?", (item_id,)
    ).fetchone()
    if reopen or open_rows:
        status = "open"
    else:
        decided_now = conn.execute(
            "SELECT 1 FROM decisions WHERE item_id = ? AND record_id = ? LIMIT 1", (item_id, item["record_id"])
        ).fetchone()
        status = "done" if decided_now else item["status"]
    rules = " ".join(sorted({r["rule"] for r in rows}))
    words = dict.fromkeys(filter(None, [item["nct_id"], item["source_id"], item["title"], rules]))
    search = " ".join(words).lower()
    conn.execute(
        "UPDATE items SET severity_rank = ?, finding_count = ?, open_count = ?, status = ?, search_text = ?,"
        " version = version + ?, updated_at = ? WHERE id = ?",
        (rank, len(rows), len(open_rows), status, search, 1 if bump else 0, now(), item_id),
    )
