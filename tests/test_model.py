"""The record model rejects impossible values and says which field path failed."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from extract.errors import describe_validation_error
from extract.model import Age, CriterionItem, TrialRecord
from extract.model.vocab import AgeUnit


def _error_text(**fields: object) -> str:
    with pytest.raises(ValidationError) as caught:
        TrialRecord.model_validate(fields)
    return describe_validation_error(caught.value)


def test_negative_enrollment_is_rejected_with_its_path() -> None:
    assert "enrollment.count" in _error_text(enrollment={"count": -5, "type": "ACTUAL"})


def test_unknown_enum_value_is_rejected_with_its_path() -> None:
    message = _error_text(arms=[{"label": "A", "type": "PLACEBO"}])
    assert message.startswith("arms[0].type:")
    assert "'PLACEBO'" in message


def test_human_spelling_is_not_accepted_by_the_model() -> None:
    # The model speaks v2 vocabulary only; translating "Phase 2" is the mappers' job.
    assert "phases[0]" in _error_text(phases=["Phase 2"])


def test_impossible_dates_are_rejected() -> None:
    assert "start_date.date" in _error_text(start_date={"date": "2020-13", "type": "ACTUAL"})
    assert "completion_date.date" in _error_text(completion_date={"date": "2021-02-30"})
    assert "last_update_date" in _error_text(last_update_date="June 2020")


def test_bad_nct_id_is_rejected() -> None:
    assert "nct_id" in _error_text(nct_id="NCT123")


def test_minimum_age_above_maximum_is_rejected() -> None:
    message = _error_text(eligibility={"minimum_age": "18 Years", "maximum_age": "6 Months"})
    assert message.startswith("eligibility:")


def test_age_is_normalised_from_registry_text() -> None:
    age = Age.model_validate("18 Years")
    assert (age.value, age.unit, age.text) == (18, AgeUnit.YEARS, "18 Years")
    assert Age.model_validate("6 Months").in_years() == pytest.approx(0.5)
    assert Age.model_validate("1 Year").unit is AgeUnit.YEARS
    with pytest.raises(ValidationError):
        Age.model_validate("18 Decades")


def test_criterion_item_needs_text_and_an_ordered_span() -> None:
    with pytest.raises(ValidationError):
        CriterionItem.model_validate({"text": "", "label": "1."})
    with pytest.raises(ValidationError):
        CriterionItem.model_validate({"text": "x", "span": {"start": 9, "end": 3}})


def test_unknown_field_is_rejected() -> None:
    assert "brief_tittle" in _error_text(brief_tittle="typo")


def test_record_round_trips_through_json() -> None:
    record = TrialRecord.model_validate(
        {"nct_id": "NCT07271602", "phases": ["PHASE2"], "eligibility": {"minimum_age": "18 Years"}}
    )
    again = TrialRecord.model_validate_json(record.model_dump_json())
    assert again == record
