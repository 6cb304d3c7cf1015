"""`trialqa review load`: extraction rows (and findings) -> queue items.

A row becomes an item when it has something for a person to decide: checker findings (read from
findings JSONL, or made here by running the checker on the row), values the extractor could not
ground in the source text (`provenance.ungrounded`), or an error row. Every such thing is stored
as a finding; the two that are not checker rules are named `extract.ungrounded` and
`extract.error`.

Idempotent: an item is one source id in one input file (two files with the same NCT id are two
items); a record version is (source id, digest of the row's
sha256, record and error). Loading the same row again changes nothing; the same record with a
finding not seen before adds it; a changed record replaces the item's record, retires the old
findings (kept, with their decisions, as `current = 0`) and reopens the item.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from extract.check import CheckConfig, Finding, active_rules, check_record
from extract.model.provenance import SPAN_BASE_SOURCE
from extract.review.capture import Captured, capture
from extract.review.inputs import read_inputs
from extract.review.tally import now, refresh
from extract.rows import ExtractionRow

UNGROUNDED_RULE = "extract.ungrounded"
ERROR_RULE = "extract.error"


@dataclass(frozen=True)
class Flag:
    """One thing to decide on a record: a finding, an ungrounded value, or the row's error."""

    rule: str
    severity: str
    message: str
    evidence: list[dict[str, Any]]
    origin: str  # "check" | "findings-file" | "extraction"

    @property
    def fingerprint(self) -> str:
        """Same rule and same evidence = same finding (the message's wording may change)."""
        key = [self.rule, [[e.get("path"), e.get("text"), e.get("span")] for e in self.evidence]]
        return hashlib.sha256(orjson.dumps(key, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]


@dataclass
class LoadSummary:
    rows: int = 0
    new: int = 0
    reopened: int = 0
    updated: int = 0
    unchanged: int = 0
    clean: int = 0
    findings_added: int = 0
    unmatched_findings: int = 0
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"rows: {self.rows}  new items: {self.new}  reopened: {self.reopened}  updated: {self.updated}"
            f"  unchanged: {self.unchanged}  clean (not queued): {self.clean}  findings added: {self.findings_added}"
        ]
        if self.unmatched_findings:
            out.append(f"findings for records not in this load (skipped): {self.unmatched_findings}")
        out.extend(f"skipped: {problem}" for problem in self.problems)
        return out


# --- flags ---------------------------------------------------------------------------------------


def _finding_flag(finding: Finding, origin: str) -> Flag:
    data = finding.to_json()
    return Flag(data["rule"], data["severity"], data["message"], data["evidence"], origin)


def extraction_flags(row: ExtractionRow) -> list[Flag]:
    """What the extraction row itself asks a person to look at: its error, or ungrounded values."""
    if row.status == "error":
        error = row.error
        message = f"{error.type}: {error.message}" if error else "the row is an error row"
        return [Flag(ERROR_RULE, "error", message, [], "extraction")]
    flags = []
    for entry in row.provenance.ungrounded or []:
        if not isinstance(entry, dict):
            continue
        value = entry.get("value")
        shown = value if isinstance(value, str) else orjson.dumps(value).decode()
        path = str(entry.get("path") or "")
        reason = str(entry.get("reason") or "not found in the source text")
        message = f"the extractor's value for {path} was removed: {reason}"
        flags.append(
            Flag(UNGROUNDED_RULE, "warning", message, [{"path": path, "text": shown, "span": None}], "extraction")
        )
    return flags


# --- storing ---------------------------------------------------------------------------------------


def _digest(row: ExtractionRow) -> str:
    key = {
        "sha256": row.source.sha256,
        "record": row.record.model_dump(mode="json") if row.record else None,
        "error": row.error.model_dump() if row.error else None,
    }
    return hashlib.sha256(orjson.dumps(key, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _record_id(conn: sqlite3.Connection, row: ExtractionRow, digest: str, captured: Captured) -> int:
    conn.execute(
        "INSERT OR IGNORE INTO records (source_id, sha256, digest, kind, path, status, record_json, error_json,"
        " provenance_json, span_base, source_name, source_bytes, source_text, source_note, loaded_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row.source.id,
            row.source.sha256,
            digest,
            row.source.kind,
            row.source.path,
            row.status,
            orjson.dumps(row.record.model_dump(mode="json")).decode() if row.record else None,
            orjson.dumps(row.error.model_dump()).decode() if row.error else None,
            orjson.dumps(row.provenance.model_dump(mode="json")).decode(),
            captured.span_base,
            captured.name,
            captured.data,
            captured.text,
            captured.note,
            now(),
        ),
    )
    found = conn.execute(
        "SELECT id FROM records WHERE source_id = ? AND digest = ?", (row.source.id, digest)
    ).fetchone()
    return int(found["id"])


def _insert_flags(conn: sqlite3.Connection, item_id: int, record_id: int, flags: list[Flag]) -> int:
    added = 0
    for flag in flags:
        cursor = conn.execute(
            "INSERT OR IGNORE INTO findings (item_id, record_id, fingerprint, rule, severity, message, evidence_json, origin)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item_id,
                record_id,
                flag.fingerprint,
                flag.rule,
                flag.severity,
                flag.message,
                orjson.dumps(flag.evidence).decode(),
                flag.origin,
            ),
        )
        added += cursor.rowcount
    return added


def store_row(conn: sqlite3.Connection, row: ExtractionRow, flags: list[Flag], captured: Captured) -> tuple[str, int]:
    """Queue one row, in one transaction. Returns (outcome, findings added); outcome is
    new | reopened | updated | unchanged | clean."""
    digest = _digest(row)
    record = row.record
    nct_id = record.nct_id if record else None
    title = (record.brief_title or record.official_title) if record else None
    conn.execute("BEGIN IMMEDIATE")
    try:
        item = conn.execute(
            "SELECT id, record_id FROM items WHERE source_id = ? AND path = ?", (row.source.id, row.source.path)
        ).fetchone()
        if item is None and not flags:
            conn.execute("COMMIT")
            return "clean", 0
        record_id = _record_id(conn, row, digest, captured)
        if item is None:
            stamp = now()
            cursor = conn.execute(
                "INSERT INTO items (source_id, path, record_id, nct_id, title, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (row.source.id, row.source.path, record_id, nct_id, title, stamp, stamp),
            )
            item_id = int(cursor.lastrowid or 0)
            added = _insert_flags(conn, item_id, record_id, flags)
            refresh(conn, item_id, reopen=True, bump=False)
            outcome = "new"
        elif item["record_id"] != record_id:
            item_id = int(item["id"])
            conn.execute("UPDATE findings SET current = (record_id = ?) WHERE item_id = ?", (record_id, item_id))
            conn.execute(
                "UPDATE items SET record_id = ?, nct_id = ?, title = ? WHERE id = ?",
                (record_id, nct_id, title, item_id),
            )
            added = _insert_flags(conn, item_id, record_id, flags)
            refresh(conn, item_id, reopen=True)
            outcome = "reopened"
        else:
            item_id = int(item["id"])
            added = _insert_flags(conn, item_id, record_id, flags)
            if added:
                refresh(conn, item_id)
            outcome = "updated" if added else "unchanged"
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return outcome, added


def load(
    conn: sqlite3.Connection,
    names: Iterable[str],
    *,
    run_checker: bool | None = None,
    config: CheckConfig | None = None,
) -> LoadSummary:
    """Load extraction JSONL and findings JSONL files into the queue.

    `run_checker`: None (default) runs the checker only when no findings were given; True runs
    it as well (its findings merge with the given ones); False never runs it."""
    inputs = read_inputs(names)
    summary = LoadSummary(rows=len(inputs.rows), problems=list(inputs.problems))
    check = (not inputs.findings_seen) if run_checker is None else run_checker
    rules = active_rules(config) if check else None
    matched: set[str] = set()
    for row in inputs.rows:
        provenance = row.provenance
        record_json = row.record.model_dump(mode="json") if row.record else None
        captured = capture(row.source.model_dump(), record_json, provenance)
        flags = extraction_flags(row)
        if row.record is not None:
            keys = {row.source.id, row.record.nct_id or row.source.id}
            for key in sorted(keys):
                if key in inputs.findings:
                    matched.add(key)
                    flags.extend(_finding_flag(f, "findings-file") for f in inputs.findings[key])
            if rules is not None:
                text = captured.text if captured.span_base == SPAN_BASE_SOURCE else None
                found = check_record(row.record, text, record_id=row.source.id, rules=rules)
                flags.extend(_finding_flag(f, "check") for f in found)
        outcome, added = store_row(conn, row, _unique(flags), captured)
        setattr(summary, outcome, getattr(summary, outcome) + 1)
        summary.findings_added += added
    summary.unmatched_findings = sum(len(v) for k, v in inputs.findings.items() if k not in matched)
    return summary


def _unique(flags: list[Flag]) -> list[Flag]:
    """First of each fingerprint (a findings file and the checker may both report a finding)."""
    seen: dict[str, Flag] = {}
    for flag in flags:
        seen.setdefault(flag.fingerprint, flag)
    return list(seen.values())
