"""Grounding share: spans whose text is the value."""

from __future__ import annotations

from extract.score.grounding import measure

TEXT = "Title Line\nConditions: Asthma\n- Must be 18"
START = TEXT.index("Must be 18")


def test_verified_wrong_and_absent_spans_and_removed_values() -> None:
    record = {
        "brief_title": "Title Line",
        "conditions": ["Asthma", "COPD"],
        "eligibility": {
            "inclusion": [{"text": "Must be 18", "span": {"start": START, "end": START + 10}}],
            "exclusion": [],
        },
        "spans": {"brief_title": {"start": 0, "end": 10}, "conditions[0]": {"start": 0, "end": 6}},
    }
    result = measure(record, TEXT, removed=1)
    assert result.values == 5  # title, two conditions, one criterion, one removed value
    assert result.verified == 2  # the title and the criterion
    assert result.unverified == ["conditions[0]", "conditions[1]"]
    assert result.share == 0.4


def test_nothing_extracted_has_no_share() -> None:
    assert measure({}, TEXT).share is None
