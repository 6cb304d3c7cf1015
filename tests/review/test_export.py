"""Export: every decision as JSONL, and corrected records as eval fixtures exactly as
evals/FIXTURES.md lays them out (and, when the eval harness is there, as it loads them)."""

from __future__ import annotations

import importlib.util
import io
import sqlite3
from pathlib import Path

import orjson
import pytest

from extract.model import TrialRecord
from extract.review.actions import Action, Kind, apply
from extract.review.export import export_fixtures, iter_decisions, write_decisions
from tests.review.conftest import MISSION, finding_id, item_id, version

PLACEBO = "arms.placebo_arm_gets_active_drug"
WRONG_HEADER = "eligibility.inclusion_item_in_exclusion"
OPEN_LABEL = "design.placebo_in_open_label"
GOLD_KEYS = {"id", "set", "source", "record", "findings", "judgement_calls"}


def _decide(conn: sqlite3.Connection) -> None:
    item = item_id(conn)
    steps = [
        Action(Kind.CONFIRM, item, 0, "ann", finding_id=finding_id(conn, WRONG_HEADER)),
        Action(Kind.CONFIRM, item, 0, "ann", finding_id=finding_id(conn, PLACEBO)),
        Action(
            Kind.DISMISS, item, 0, "bo", finding_id=finding_id(conn, OPEN_LABEL), reason="the arm type is the error"
        ),
        Action(
            Kind.CORRECT,
            item,
            0,
            "bo",
            path="arms[1].type",
            value="ACTIVE_COMPARATOR",
            reason="chemo + QL1706, no placebo",
        ),
        Action(Kind.NOTE, item, 0, "ann", reason="reported to the registry"),
    ]
    for step in steps:
        apply(conn, Action(**{**step.__dict__, "version": version(conn, item)}))


def test_decisions_jsonl_holds_every_decision(queue: sqlite3.Connection) -> None:
    _decide(queue)
    out = io.BytesIO()
    assert write_decisions(queue, out) == 5
    rows = [orjson.loads(line) for line in out.getvalue().splitlines()]
    assert [r["kind"] for r in rows] == ["confirm", "confirm", "dismiss", "correct", "note"]
    dismiss, correct = rows[2], rows[3]
    assert dismiss["finding"]["rule"] == OPEN_LABEL and dismiss["reason"] == "the arm type is the error"
    assert dismiss["finding"]["evidence"][0]["path"] == "design.masking"
    assert (correct["field_path"], correct["old_value"], correct["new_value"]) == (
        "arms[1].type",
        "PLACEBO_COMPARATOR",
        "ACTIVE_COMPARATOR",
    )
    assert correct["item"] == {"id": item_id(queue), "source_id": MISSION, "nct_id": MISSION}
    assert correct["record"]["current"] is True and len(correct["record"]["sha256"]) == 64
    assert rows == list(iter_decisions(queue))


def test_fixture_export_follows_the_fixture_format(
    queue: sqlite3.Connection, seed_files: tuple[Path, Path], tmp_path: Path
) -> None:
    _decide(queue)
    summary = export_fixtures(queue, tmp_path / "fixtures")
    folder = tmp_path / "fixtures" / "curated" / MISSION
    assert summary.written == [folder] and summary.skipped == []
    assert sorted(p.name for p in folder.iterdir()) == ["gold.json", "source.txt"]
    page = seed_files[0].parent / "pages" / f"{MISSION}.txt"
    assert (folder / "source.txt").read_bytes() == page.read_bytes()  # the input, unchanged
    gold = orjson.loads((folder / "gold.json").read_bytes())
    assert set(gold) == GOLD_KEYS
    assert gold["id"] == MISSION and gold["set"] == "curated"
    assert gold["source"]["file"] == "source.txt" and gold["source"]["origin"] == str(page)
    record = gold["record"]
    assert "spans" not in record
    items = record["eligibility"]["inclusion"] + record["eligibility"]["exclusion"]
    assert items and all(set(i) == {"text", "label", "level"} for i in items)
    assert record["eligibility"]["minimum_age"] == "18 Years"
    validated = TrialRecord.model_validate(record)
    assert validated.arms[1].type.value == "ACTIVE_COMPARATOR"  # gold = the curator's corrected record
    assert set(record) == set(TrialRecord.model_fields) - {"spans"}  # every field, null or [] where unstated
    assert gold["findings"]["must_raise"] == [
        {"rule": PLACEBO, "path": "arms[1]"},
        {"rule": WRONG_HEADER, "path": "eligibility.exclusion[0]"},
    ]
    assert gold["findings"]["must_not_raise"] == [OPEN_LABEL]
    calls = "\n".join(gold["judgement_calls"])
    assert 'corrected arms[1].type: "PLACEBO_COMPARATOR" -> "ACTIVE_COMPARATOR" (bo,' in calls
    assert "dismissed design.placebo_in_open_label at design.masking, arms[1] (bo," in calls
    assert "2 finding(s) still undecided" in calls  # the second exclusion item and the numbering finding


def test_only_corrected_items_are_exported(queue: sqlite3.Connection, tmp_path: Path) -> None:
    item = item_id(queue)
    apply(queue, Action(Kind.CONFIRM, item, version(queue, item), "ann", finding_id=finding_id(queue, PLACEBO)))
    assert export_fixtures(queue, tmp_path / "curated").written == []


def test_export_into_the_set_folder_itself(queue: sqlite3.Connection, tmp_path: Path) -> None:
    _decide(queue)
    summary = export_fixtures(queue, tmp_path / "curated")
    assert summary.written == [tmp_path / "curated" / MISSION]


@pytest.mark.skipif(
    importlib.util.find_spec("extract.score") is None, reason="the eval harness (extract.score) is not in this tree"
)
def test_exported_fixture_loads_in_the_eval_harness(queue: sqlite3.Connection, tmp_path: Path) -> None:
    from extract.score.fixtures import load_fixtures

    _decide(queue)
    export_fixtures(queue, tmp_path / "fixtures")
    (fixture,) = load_fixtures(tmp_path / "fixtures", ("curated",))
    assert fixture.key == f"curated/{MISSION}" and fixture.set == "curated"
    assert fixture.gold.record.arms[1].type.value == "ACTIVE_COMPARATOR"
    assert [m.rule for m in fixture.gold.findings.must_raise] == [PLACEBO, WRONG_HEADER]
    assert fixture.source_text().startswith("A Phase 2 Randomized, Controlled Trial of QL1706")
