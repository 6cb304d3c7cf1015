"""Typed provenance: a row writes exactly what its producer set, and reading untrusted rows never loses them."""

from __future__ import annotations

import orjson

from extract.model.provenance import SPAN_BASE_SOURCE, CallStats, CallTotals, Provenance
from extract.rows import StoredRow


def test_only_the_keys_set_are_written_in_field_order() -> None:
    provenance = Provenance(config="structured/1", extractor="structured.ctgov_v2")
    provenance.span_base = "eligibility.criteria_text"
    assert list(provenance.model_dump()) == ["extractor", "config", "span_base"]
    assert Provenance(config="internal").model_dump() == {"config": "internal"}


def test_keys_other_writers_added_survive_a_round_trip() -> None:
    written = {"extractor": "llm.sectioned", "span_base": "source", "reviewer": "ana"}
    assert Provenance.model_validate(written).model_dump() == written


def test_a_bad_provenance_keeps_the_row_and_its_span_base() -> None:
    row = StoredRow.parse(
        {
            "source": {"id": "x"},
            "status": "ok",
            "record": {},
            "provenance": {"llm_calls": "many", "span_base": "source"},
        }
    )
    assert row is not None and row.provenance.span_base == SPAN_BASE_SOURCE and row.provenance.page
    assert StoredRow.parse({"status": "ok", "provenance": "not an object"}).provenance.model_dump() == {}  # type: ignore[union-attr]
    assert StoredRow.parse(["not", "a", "row"]) is None


def test_call_totals_add_up_answered_failed_and_cached_calls() -> None:
    calls = [
        CallStats("title_line", cache_hit=True, attempts=0, prompt_tokens=0, completion_tokens=0, seconds=0.0),
        CallStats(
            "arm_type", False, attempts=3, prompt_tokens=10, completion_tokens=2, seconds=1.0, transport_retries=2
        ),
    ]
    totals = CallTotals.of(calls)
    assert totals == CallTotals(
        llm_calls=2, attempts=3, transport_retries=2, prompt_tokens=10, completion_tokens=2, cache_hits=1
    )
    provenance = Provenance()
    provenance.set_totals(totals + totals)
    assert orjson.loads(orjson.dumps(provenance.model_dump()))["attempts"] == 6
    assert provenance["cache_hits"] == 2


def test_review_queues_a_row_whose_provenance_is_malformed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from extract.review.inputs import read_inputs

    row = {
        "source": {"id": "NCT00000001", "kind": "ctgov_v2", "path": "x.json", "sha256": "0" * 64},
        "status": "ok",
        "record": {"nct_id": "NCT00000001", "brief_title": "A trial"},
        "error": None,
        "provenance": {"span_base": "eligibility.criteria_text", "wall_seconds": "slow"},
    }
    path = tmp_path / "rows.jsonl"
    path.write_bytes(orjson.dumps(row) + b"\n")
    inputs = read_inputs([str(path)])
    assert inputs.problems == []
    [loaded] = inputs.rows
    assert loaded.status == "ok" and loaded.record is not None and loaded.record.brief_title == "A trial"
    assert loaded.provenance.span_base == "eligibility.criteria_text"
