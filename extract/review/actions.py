"""Curator decisions: confirm or dismiss a finding, correct a field, add a note.

Every action names the item version the curator saw. It is applied in one write transaction
only if the item is still at that version; otherwise `Conflict` says what changed meanwhile and
nothing is written. Decisions are append-only: a later decision on the same finding supersedes
the finding's state but the earlier one stays in the log.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson

from extract.review.correct import CorrectionError, ValueMode, apply_correction
from extract.review.tally import now, refresh

MAX_TEXT = 4000
MAX_CURATOR = 100


class Kind(StrEnum):
    CONFIRM = "confirm"
    DISMISS = "dismiss"
    CORRECT = "correct"
    NOTE = "note"


class ActionError(ValueError):
    """The action is not valid as asked (missing reason, bad value, unknown finding); nothing stored."""


@dataclass
class Conflict(Exception):
    """The item changed since the curator loaded it."""

    item_id: int
    seen_version: int
    current_version: int
    changes: list[dict[str, Any]]  # decisions made since the seen version, oldest first
    record_replaced: bool  # a reload replaced the record since the seen version


@dataclass(frozen=True)
class Action:
    kind: Kind
    item_id: int
    version: int
    curator: str
    finding_id: int | None = None
    reason: str = ""
    path: str = ""
    value: str = ""
    mode: ValueMode = ValueMode.TEXT
    record_id: int | None = None  # the record version the curator saw, when the form says


def corrected_record(conn: sqlite3.Connection, item_id: int) -> dict[str, Any] | None:
    """The item's current record with every correction made on it applied (None for error rows)."""
    row = conn.execute(
        "SELECT r.record_json, c.corrected_json FROM items i JOIN records r ON r.id = i.record_id"
        " LEFT JOIN corrections c ON c.item_id = i.id AND c.record_id = r.id WHERE i.id = ?",
        (item_id,),
    ).fetchone()
    if row is None or row["record_json"] is None:
        return None
    return orjson.loads(row["corrected_json"] or row["record_json"])


def _validate(action: Action) -> None:
    curator = action.curator.strip()
    if not curator:
        raise ActionError("Set your curator name first: every decision is stored with who made it.")
    if len(curator) > MAX_CURATOR:
        raise ActionError(f"The curator name is longer than {MAX_CURATOR} characters.")
    if len(action.reason) > MAX_TEXT or len(action.value) > 200_000:
        raise ActionError("The text is too long.")
    if action.kind in (Kind.CONFIRM, Kind.DISMISS) and action.finding_id is None:
        raise ActionError("Which finding? The form did not name one.")
    if action.kind is Kind.DISMISS and not action.reason.strip():
        raise ActionError("A dismissal needs a reason: say why the finding does not hold.")
    if action.kind is Kind.NOTE and not action.reason.strip():
        raise ActionError("The note is empty.")
    if action.kind is Kind.CORRECT and not action.path.strip():
        raise ActionError("Name the field to correct, e.g. arms[1].type or eligibility.minimum_age.")


def _conflict(conn: sqlite3.Connection, action: Action, current: int, record_id: int) -> Conflict:
    rows = conn.execute(
        "SELECT d.*, f.rule FROM decisions d LEFT JOIN findings f ON f.id = d.finding_id"
        " WHERE d.item_id = ? AND d.item_version >= ? ORDER BY d.id",
        (action.item_id, action.version),
    ).fetchall()
    replaced = action.record_id is not None and action.record_id != record_id
    return Conflict(action.item_id, action.version, current, [dict(r) for r in rows], replaced)


def apply(conn: sqlite3.Connection, action: Action) -> int:
    """Store the action; return the decision's id. Raises ActionError or Conflict (nothing stored)."""
    _validate(action)
    conn.execute("BEGIN IMMEDIATE")
    try:
        decision_id = _apply_locked(conn, action)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return decision_id


def _apply_locked(conn: sqlite3.Connection, action: Action) -> int:
    item = conn.execute("SELECT id, version, record_id FROM items WHERE id = ?", (action.item_id,)).fetchone()
    if item is None:
        raise ActionError(f"There is no item {action.item_id}.")
    if item["version"] != action.version:
        raise _conflict(conn, action, int(item["version"]), int(item["record_id"]))
    record_id = int(item["record_id"])
    fields: dict[str, Any] = {"finding_id": None, "field_path": None, "old": None, "new": None}
    if action.kind in (Kind.CONFIRM, Kind.DISMISS):
        finding = conn.execute(
            "SELECT id, state FROM findings WHERE id = ? AND item_id = ? AND current = 1",
            (action.finding_id, action.item_id),
        ).fetchone()
        if finding is None:
            raise ActionError("That finding is not one of this item's current findings.")
        state = "confirmed" if action.kind is Kind.CONFIRM else "dismissed"
        conn.execute("UPDATE findings SET state = ? WHERE id = ?", (state, finding["id"]))
        fields.update(finding_id=finding["id"], old=finding["state"], new=state)
    elif action.kind is Kind.CORRECT:
        record = corrected_record(conn, action.item_id)
        if record is None:
            raise ActionError("This item is an error row: there is no record to correct.")
        try:
            correction = apply_correction(record, action.path, action.value, action.mode)
        except CorrectionError as exc:
            raise ActionError(str(exc)) from None
        conn.execute(
            "INSERT INTO corrections (item_id, record_id, corrected_json) VALUES (?, ?, ?)"
            " ON CONFLICT (item_id, record_id) DO UPDATE SET corrected_json = excluded.corrected_json",
            (action.item_id, record_id, orjson.dumps(correction.record).decode()),
        )
        fields.update(field_path=correction.path, old=correction.old_value, new=correction.new_value)
    cursor = conn.execute(
        "INSERT INTO decisions (item_id, record_id, kind, finding_id, field_path, old_value_json, new_value_json,"
        " reason, curator, at, item_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            action.item_id,
            record_id,
            action.kind.value,
            fields["finding_id"],
            fields["field_path"],
            None if action.kind is Kind.NOTE else orjson.dumps(fields["old"]).decode(),
            None if action.kind is Kind.NOTE else orjson.dumps(fields["new"]).decode(),
            action.reason.strip() or None,
            action.curator.strip(),
            now(),
            action.version,
        ),
    )
    refresh(conn, action.item_id)
    return int(cursor.lastrowid or 0)
