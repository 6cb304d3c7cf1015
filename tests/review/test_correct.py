"""Dotted field paths and field corrections validated against the record model."""

from __future__ import annotations

import re
from typing import Any

import pytest

from extract.model import TrialRecord
from extract.model.paths import PathError, covers, get_value, parse, render, set_value
from extract.review.correct import CorrectionError, ValueMode, apply_correction


def _record() -> dict[str, Any]:
    return TrialRecord.model_validate(
        {
            "nct_id": "NCT07271602",
            "brief_title": "A Trial",
            "arms": [
                {"label": "A", "type": "EXPERIMENTAL"},
                {"label": "B", "type": "PLACEBO_COMPARATOR", "description": "chemo"},
            ],
            "eligibility": {"maximum_age": "75 Years"},
            "spans": {"arms[1].label": {"start": 0, "end": 1}, "arms[1].description": {"start": 2, "end": 7}},
        }
    ).model_dump(mode="json")


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("arms[1].type", ["arms", 1, "type"]),
        ("eligibility.minimum_age", ["eligibility", "minimum_age"]),
        ("conditions[0]", ["conditions", 0]),
        ("outcomes.primary[2].time_frame", ["outcomes", "primary", 2, "time_frame"]),
    ],
)
def test_paths_parse_and_render(path: str, parts: list[str | int]) -> None:
    assert parse(path) == parts
    assert render(parts) == path


@pytest.mark.parametrize("bad", ["", "[0]", "arms[x]", "arms..type", "arms[1]type", ".arms", "arms.", "arms[-1]"])
def test_malformed_paths_are_refused(bad: str) -> None:
    with pytest.raises(PathError):
        parse(bad)


def test_set_value_copies_and_creates_missing_objects() -> None:
    data = {"arms": [{"type": "A"}], "enrollment": None}
    changed = set_value(data, "enrollment.count", 5)
    assert changed["enrollment"] == {"count": 5} and data["enrollment"] is None
    assert set_value(data, "arms[1]", {"type": "B"})["arms"][1] == {"type": "B"}  # append
    with pytest.raises(PathError, match="past the end"):
        set_value(data, "arms[3]", {"type": "B"})
    with pytest.raises(PathError, match="no field 'arms\\[3\\]'"):
        set_value(data, "arms[3].type", "B")
    assert get_value(data, "arms[0].type") == "A"
    with pytest.raises(PathError):
        get_value(data, "arms[4]")
    assert covers("arms[1]", "arms[1].type") and not covers("arms[1]", "arms[10].type")


def test_enum_correction_validates_and_drops_stale_spans() -> None:
    fixed = apply_correction(_record(), "arms[1].type", "ACTIVE_COMPARATOR")
    assert (fixed.old_value, fixed.new_value) == ("PLACEBO_COMPARATOR", "ACTIVE_COMPARATOR")
    assert fixed.record["arms"][1]["type"] == "ACTIVE_COMPARATOR"
    TrialRecord.model_validate(fixed.record)
    whole = apply_correction(
        _record(), "arms[1]", '{"label": "Chemotherapy, QL1706", "type": "ACTIVE_COMPARATOR"}', ValueMode.JSON
    )
    assert "arms[1].label" not in whole.record["spans"] and "arms[1].description" not in whole.record["spans"]


def test_age_text_and_number_text_are_parsed_by_the_model() -> None:
    fixed = apply_correction(_record(), "eligibility.minimum_age", "18 Years")
    assert fixed.old_value is None
    assert fixed.new_value == {"text": "18 Years", "value": 18, "unit": "YEARS"}
    count = apply_correction(_record(), "enrollment.count", "104")
    assert count.new_value == 104 and count.record["enrollment"] == {"count": 104, "type": None}
    cleared = apply_correction(_record(), "arms[1].description", "")
    assert cleared.new_value is None


@pytest.mark.parametrize(
    ("path", "raw", "mode", "message"),
    [
        ("arms[1].type", "PLACEBO", ValueMode.TEXT, "does not validate: arms[1].type: Input should be"),
        ("eligibility.minimum_age", "80 Years", ValueMode.TEXT, "minimum_age '80 Years' is above maximum_age"),
        ("enrollment.count", "-3", ValueMode.TEXT, "greater than or equal to 0"),
        ("no_such_field", "x", ValueMode.TEXT, "Extra inputs are not permitted"),
        ("arms[9].type", "EXPERIMENTAL", ValueMode.TEXT, "has no field 'arms[9]'"),
        ("phases", "[PHASE2", ValueMode.JSON, "not valid JSON"),
        ("spans.brief_title", "{}", ValueMode.JSON, "not corrected by hand"),
        ("arms[1].type", "PLACEBO_COMPARATOR", ValueMode.TEXT, "already has that value"),
    ],
)
def test_invalid_corrections_say_why(path: str, raw: str, mode: ValueMode, message: str) -> None:
    with pytest.raises(CorrectionError, match=re.escape(message)):
        apply_correction(_record(), path, raw, mode)
