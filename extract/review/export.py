"""`trialqa review export`: every decision as JSONL, and corrected records as eval fixtures.

Fixtures follow evals/FIXTURES.md: `<DIR>/curated/<fixture_id>/source.<ext>` (or
`<DIR>/<fixture_id>/` when DIR is itself the `curated` set folder) (the input exactly as
`trialqa extract` read it, captured at load time) and `gold.json` with set "curated", the
curator-corrected record (no spans), checker gold from confirmed / dismissed findings, and every
correction and dismissal written out as a judgement call. Only items with at least one correction
on their current record are exported: a record nobody corrected is not gold.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from extract.model import TrialRecord
from extract.review.load import ERROR_RULE, UNGROUNDED_RULE

FIXTURE_SET = "curated"
_SOURCE_NAMES = ("source.txt", "source.json", "source.xml", "source.html")
_NOT_CHECKER_RULES = (ERROR_RULE, UNGROUNDED_RULE)


def _json(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


def iter_decisions(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    """Every decision, oldest first, with its item, record version and finding spelled out."""
    rows = conn.execute(
        "SELECT d.*, i.source_id, i.nct_id, i.record_id AS current_record, r.sha256, r.digest,"
        " f.rule, f.severity, f.message, f.evidence_json"
        " FROM decisions d JOIN items i ON i.id = d.item_id JOIN records r ON r.id = d.record_id"
        " LEFT JOIN findings f ON f.id = d.finding_id ORDER BY d.id"
    )
    for row in rows:
        finding = None
        if row["finding_id"] is not None:
            finding = {
                "id": row["finding_id"],
                "rule": row["rule"],
                "severity": row["severity"],
                "message": row["message"],
                "evidence": _json(row["evidence_json"]),
            }
        yield {
            "id": row["id"],
            "at": row["at"],
            "curator": row["curator"],
            "kind": row["kind"],
            "item": {"id": row["item_id"], "source_id": row["source_id"], "nct_id": row["nct_id"]},
            "record": {
                "sha256": row["sha256"],
                "digest": row["digest"],
                "current": row["record_id"] == row["current_record"],
            },
            "finding": finding,
            "field_path": row["field_path"],
            "old_value": _json(row["old_value_json"]),
            "new_value": _json(row["new_value_json"]),
            "reason": row["reason"],
            "item_version": row["item_version"],
        }


def write_decisions(conn: sqlite3.Connection, out: BinaryIO) -> int:
    count = 0
    for decision in iter_decisions(conn):
        out.write(orjson.dumps(decision, option=orjson.OPT_APPEND_NEWLINE))
        count += 1
    return count


# --- fixtures ------------------------------------------------------------------------------------


@dataclass
class FixtureSummary:
    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def fixture_id(nct_id: str | None, source_id: str) -> str:
    """A folder name: the NCT id, else the source id with anything but [A-Za-z0-9._-] replaced."""
    name = nct_id or re.sub(r"[^A-Za-z0-9._-]+", "_", source_id).strip("._") or "record"
    return name[:120]


def without_spans(value: Any) -> Any:
    """The gold record: no `spans` map, no `span` on criterion items or headers, ages as a
    labeller writes them ("18 Years"; the model parses the text)."""
    if isinstance(value, dict):
        if set(value) == {"text", "value", "unit"}:
            return value["text"]
        return {k: without_spans(v) for k, v in value.items() if k not in ("spans", "span")}
    if isinstance(value, list):
        return [without_spans(v) for v in value]
    return value


def set_folder(out_dir: Path) -> Path:
    """Where fixture folders go: `out_dir` itself when it is the set's folder (…/curated), else
    `out_dir/curated` (out_dir is the fixtures root, e.g. evals/fixtures)."""
    return out_dir if out_dir.name == FIXTURE_SET else out_dir / FIXTURE_SET


def _shown(value: Any) -> str:
    return orjson.dumps(value).decode()


def gold_for(conn: sqlite3.Connection, item: sqlite3.Row, fid: str) -> dict[str, Any]:
    record_id = item["record_id"]
    corrected = conn.execute(
        "SELECT corrected_json FROM corrections WHERE item_id = ? AND record_id = ?", (item["id"], record_id)
    ).fetchone()
    record = TrialRecord.model_validate(orjson.loads(corrected["corrected_json"]))
    findings = conn.execute(
        "SELECT rule, state, evidence_json FROM findings WHERE item_id = ? AND current = 1 ORDER BY id", (item["id"],)
    ).fetchall()
    checker = [f for f in findings if f["rule"] not in _NOT_CHECKER_RULES]
    must_raise: list[dict[str, str]] = []
    for finding in checker:
        if finding["state"] != "confirmed":
            continue
        evidence = orjson.loads(finding["evidence_json"])
        entry = {"rule": finding["rule"], **({"path": evidence[0]["path"]} if evidence else {})}
        if entry not in must_raise:
            must_raise.append(entry)
    held = {f["rule"] for f in checker if f["state"] != "dismissed"}
    must_not_raise = sorted({f["rule"] for f in checker if f["state"] == "dismissed"} - held)
    calls = [
        "gold record = the record as corrected by curators in the review queue; fields no curator "
        "corrected are the extractor's values as the curators reviewed them"
    ]
    decisions = conn.execute(
        "SELECT d.*, f.rule, f.evidence_json FROM decisions d LEFT JOIN findings f ON f.id = d.finding_id"
        " WHERE d.item_id = ? AND d.record_id = ? ORDER BY d.id",
        (item["id"], record_id),
    ).fetchall()
    for d in decisions:
        why = f": {d['reason']}" if d["reason"] else ""
        if d["kind"] == "correct":
            calls.append(
                f"corrected {d['field_path']}: {d['old_value_json']} -> {d['new_value_json']} ({d['curator']}, {d['at']}){why}"
            )
        elif d["kind"] == "dismiss":
            paths = ", ".join(e["path"] for e in orjson.loads(d["evidence_json"] or "[]")) or "no evidence path"
            calls.append(f"dismissed {d['rule']} at {paths} ({d['curator']}, {d['at']}){why}")
    open_count = sum(1 for f in findings if f["state"] == "open")
    if open_count:
        calls.append(
            f"exported with {open_count} finding(s) still undecided in the queue; they are in neither findings list"
        )
    source = conn.execute("SELECT path, sha256, source_name FROM records WHERE id = ?", (record_id,)).fetchone()
    return {
        "id": fid,
        "set": FIXTURE_SET,
        "source": {
            "file": source["source_name"],
            "origin": source["path"],
            "note": f"copied unchanged (sha256 {source['sha256']}, captured by trialqa review load)",
        },
        "record": without_spans(record.model_dump(mode="json")),
        "findings": {"must_raise": must_raise, "must_not_raise": must_not_raise},
        "judgement_calls": calls,
    }


def export_fixtures(conn: sqlite3.Connection, out_dir: Path) -> FixtureSummary:
    """One fixture folder per item with corrections on its current record."""
    summary = FixtureSummary()
    items = conn.execute(
        "SELECT i.*, r.source_name, r.source_bytes, r.source_note FROM items i"
        " JOIN corrections c ON c.item_id = i.id AND c.record_id = i.record_id"
        " JOIN records r ON r.id = i.record_id ORDER BY i.source_id"
    ).fetchall()
    used: set[str] = set()
    for item in items:
        fid = fixture_id(item["nct_id"], item["source_id"])
        if fid in used:
            fid = f"{fid}_{item['id']}"
        used.add(fid)
        if item["source_bytes"] is None or not item["source_name"]:
            summary.skipped.append(f"{item['source_id']}: its source was not captured at load ({item['source_note']})")
            continue
        gold = gold_for(conn, item, fid)
        folder = set_folder(out_dir) / fid
        folder.mkdir(parents=True, exist_ok=True)
        for stale in _SOURCE_NAMES:
            if stale != item["source_name"] and (folder / stale).exists():
                (folder / stale).unlink()
        (folder / item["source_name"]).write_bytes(item["source_bytes"])
        (folder / "gold.json").write_bytes(
            orjson.dumps(gold, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)
        )
        summary.written.append(folder)
    return summary
