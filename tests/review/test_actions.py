"""Curator actions: stored with curator and time, refused with a reason when invalid, and never
overwriting another curator's change (optimistic version check)."""

from __future__ import annotations

import re
import sqlite3

import orjson
import pytest

from extract.review.actions import Action, ActionError, Conflict, Kind, apply, corrected_record
from extract.review.correct import ValueMode
from tests.review.conftest import finding_id, item_id, version

PLACEBO = "arms.placebo_arm_gets_active_drug"
WRONG_HEADER = "eligibility.inclusion_item_in_exclusion"


def _decisions(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM decisions ORDER BY id").fetchall()


def test_each_action_is_stored_with_curator_time_and_values(queue: sqlite3.Connection) -> None:
    item = item_id(queue)
    start = version(queue, item)
    apply(queue, Action(Kind.CONFIRM, item, start, "ann", finding_id=finding_id(queue, PLACEBO)))
    apply(
        queue,
        Action(
            Kind.DISMISS,
            item,
            start + 1,
            "bo",
            finding_id=finding_id(queue, WRONG_HEADER),
            reason="items 9-10 are fine",
        ),
    )
    apply(
        queue,
        Action(
            Kind.CORRECT, item, start + 2, "ann", path="arms[1].type", value="ACTIVE_COMPARATOR", reason="no placebo"
        ),
    )
    apply(queue, Action(Kind.NOTE, item, start + 3, "bo", reason="asked the sponsor"))
    rows = _decisions(queue)
    assert [r["kind"] for r in rows] == ["confirm", "dismiss", "correct", "note"]
    assert [r["curator"] for r in rows] == ["ann", "bo", "ann", "bo"]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["at"]) for r in rows)
    assert [r["item_version"] for r in rows] == [start, start + 1, start + 2, start + 3]
    assert (rows[1]["old_value_json"], rows[1]["new_value_json"], rows[1]["reason"]) == (
        '"open"',
        '"dismissed"',
        "items 9-10 are fine",
    )
    assert rows[2]["field_path"] == "arms[1].type"
    assert orjson.loads(rows[2]["old_value_json"]) == "PLACEBO_COMPARATOR"
    assert orjson.loads(rows[2]["new_value_json"]) == "ACTIVE_COMPARATOR"
    assert corrected_record(queue, item)["arms"][1]["type"] == "ACTIVE_COMPARATOR"
    states = dict(queue.execute("SELECT id, state FROM findings WHERE item_id = ?", (item,)).fetchall())
    assert states[finding_id(queue, PLACEBO)] == "confirmed"
    assert states[finding_id(queue, WRONG_HEADER)] == "dismissed"
    assert version(queue, item) == start + 4


def test_later_corrections_build_on_earlier_ones(queue: sqlite3.Connection) -> None:
    item = item_id(queue)
    apply(
        queue, Action(Kind.CORRECT, item, version(queue, item), "ann", path="arms[1].type", value="ACTIVE_COMPARATOR")
    )
    apply(queue, Action(Kind.CORRECT, item, version(queue, item), "ann", path="enrollment.count", value="110"))
    record = corrected_record(queue, item)
    assert record["arms"][1]["type"] == "ACTIVE_COMPARATOR"
    assert record["enrollment"]["count"] == 110


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (dict(kind=Kind.DISMISS, finding=PLACEBO, reason="  "), "needs a reason"),
        (dict(kind=Kind.CONFIRM, finding=PLACEBO, curator=""), "curator name"),
        (dict(kind=Kind.CORRECT, path="arms[1].type", value="PLACEBO"), "arms[1].type: Input should be"),
        (
            dict(kind=Kind.CORRECT, path="enrollment", value='{"count": "many"}', mode=ValueMode.JSON),
            "enrollment.count",
        ),
        (dict(kind=Kind.NOTE, reason=""), "note is empty"),
        (dict(kind=Kind.CONFIRM, finding=None, finding_id=999999), "not one of this item's current findings"),
    ],
)
def test_invalid_actions_store_nothing(queue: sqlite3.Connection, action: dict, message: str) -> None:
    item = item_id(queue)
    before = version(queue, item)
    finding = action.pop("finding", None)
    fields = {"curator": "ann", **action}
    if finding:
        fields["finding_id"] = finding_id(queue, finding)
    with pytest.raises(ActionError, match=re.escape(message)):
        apply(queue, Action(item_id=item, version=before, **fields))
    assert _decisions(queue) == []
    assert version(queue, item) == before
    assert queue.execute("SELECT count(*) FROM corrections").fetchone()[0] == 0


def test_stale_version_is_a_conflict_naming_the_other_change(queue: sqlite3.Connection) -> None:
    item = item_id(queue)
    seen = version(queue, item)  # both curators opened the item at this version
    apply(
        queue,
        Action(Kind.CORRECT, item, seen, "ann", path="arms[1].type", value="ACTIVE_COMPARATOR", reason="ann's fix"),
    )
    with pytest.raises(Conflict) as caught:
        apply(queue, Action(Kind.CORRECT, item, seen, "bo", path="arms[1].type", value="EXPERIMENTAL"))
    conflict = caught.value
    assert (conflict.seen_version, conflict.current_version) == (seen, seen + 1)
    assert [(c["curator"], c["field_path"], c["reason"]) for c in conflict.changes] == [
        ("ann", "arms[1].type", "ann's fix")
    ]
    assert corrected_record(queue, item)["arms"][1]["type"] == "ACTIVE_COMPARATOR"
    assert [r["curator"] for r in _decisions(queue)] == ["ann"]


def test_item_is_done_once_every_finding_is_decided(queue: sqlite3.Connection) -> None:
    item = item_id(queue)
    ids = [r[0] for r in queue.execute("SELECT id FROM findings WHERE item_id = ? ORDER BY id", (item,))]
    for index, fid in enumerate(ids):
        status = queue.execute("SELECT status, open_count FROM items WHERE id = ?", (item,)).fetchone()
        assert tuple(status) == ("open", len(ids) - index)
        apply(queue, Action(Kind.CONFIRM, item, version(queue, item), "ann", finding_id=fid))
    row = queue.execute("SELECT status, open_count, severity_rank FROM items WHERE id = ?", (item,)).fetchone()
    assert tuple(row) == ("done", 0, 2)
