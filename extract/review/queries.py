"""What the pages read: the filtered, paged item list, and one item with everything about it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

import orjson

from extract.highlight import Mark, Segment, segments
from extract.review.actions import corrected_record
from extract.review.fields import FieldRow, field_anchors, field_rows

STATUSES = ("open", "done", "all")
PER_PAGE = 25


@dataclass(frozen=True)
class ListFilter:
    rule: str = ""
    status: str = "open"
    text: str = ""
    page: int = 1
    per_page: int = PER_PAGE


@dataclass
class ItemList:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_items(conn: sqlite3.Connection, flt: ListFilter) -> ItemList:
    """Items matching the filter, most severe open finding first, then most open findings."""
    where, params = [], []
    if flt.status in ("open", "done"):
        where.append("i.status = ?")
        params.append(flt.status)
    if flt.rule:
        where.append("EXISTS (SELECT 1 FROM findings f WHERE f.item_id = i.id AND f.current = 1 AND f.rule = ?)")
        params.append(flt.rule)
    if flt.text.strip():
        where.append("i.search_text LIKE ? ESCAPE '\\'")
        params.append(_like(flt.text.strip()))
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    total = conn.execute(f"SELECT count(*) FROM items i {clause}", params).fetchone()[0]
    pages = max(1, -(-total // flt.per_page))
    page = min(max(1, flt.page), pages)
    rows = conn.execute(
        "SELECT i.*, (SELECT group_concat(DISTINCT f.rule) FROM findings f WHERE f.item_id = i.id AND f.current = 1)"
        f" AS rules FROM items i {clause}"
        " ORDER BY i.severity_rank DESC, i.open_count DESC, i.finding_count DESC, i.source_id"
        " LIMIT ? OFFSET ?",
        [*params, flt.per_page, (page - 1) * flt.per_page],
    ).fetchall()
    out = []
    for row in rows:
        data = dict(row)
        data["rules"] = sorted((data["rules"] or "").split(",")) if data["rules"] else []
        out.append(data)
    return ItemList(out, total, page, pages)


def rule_counts(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Every rule with current findings in the queue, and on how many items."""
    rows = conn.execute(
        "SELECT rule, count(DISTINCT item_id) FROM findings WHERE current = 1 GROUP BY rule ORDER BY rule"
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


@dataclass
class ItemView:
    item: dict[str, Any]
    source: dict[str, Any]  # the record version's row, less the big columns
    record: dict[str, Any] | None  # as corrected so far
    error: dict[str, Any] | None
    findings: list[dict[str, Any]]
    retired: int  # findings of earlier record versions
    decisions: list[dict[str, Any]]
    fields: list[FieldRow] = field(default_factory=list)
    text: list[Segment] | None = None  # None when the source text was not available at load


def item_view(conn: sqlite3.Connection, item_id: int) -> ItemView | None:
    item = conn.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
    if item is None:
        return None
    source = conn.execute(
        "SELECT id, source_id, sha256, kind, path, status, error_json, span_base, source_text, source_note, loaded_at"
        " FROM records WHERE id = ?",
        (item["record_id"],),
    ).fetchone()
    findings = []
    for row in conn.execute(
        "SELECT * FROM findings WHERE item_id = ? AND current = 1 ORDER BY"
        " CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, id",
        (item_id,),
    ):
        finding = dict(row)
        finding["evidence"] = orjson.loads(finding.pop("evidence_json"))
        for index, evidence in enumerate(finding["evidence"]):
            evidence["anchor"] = f"ev-{finding['id']}-{index}"
        findings.append(finding)
    retired = conn.execute("SELECT count(*) FROM findings WHERE item_id = ? AND current = 0", (item_id,)).fetchone()[0]
    decisions = [
        dict(r)
        for r in conn.execute(
            "SELECT d.*, f.rule FROM decisions d LEFT JOIN findings f ON f.id = d.finding_id"
            " WHERE d.item_id = ? ORDER BY d.id DESC",
            (item_id,),
        )
    ]
    record = corrected_record(conn, item_id)
    text: str | None = source["source_text"]
    view = ItemView(
        item=dict(item),
        source={k: v for k, v in dict(source).items() if k != "source_text"},
        record=record,
        error=orjson.loads(source["error_json"]) if source["error_json"] else None,
        findings=findings,
        retired=retired,
        decisions=decisions,
    )
    if record is not None:
        view.fields = field_rows(record, findings, len(text) if text is not None else None)
    if text is not None:
        marks = [
            Mark(e["span"]["start"], e["span"]["end"], f["rule"], severity=f["severity"], anchor=e["anchor"])
            for f in findings
            for e in f["evidence"]
            if isinstance(e.get("span"), dict)
        ]
        # Evidence of retired findings and spans of corrected fields no longer apply to this text.
        view.text = segments(text, marks, field_anchors(view.fields))
    return view
