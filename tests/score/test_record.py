"""One gold record against one prediction: scalars, text threshold, lists, sub-fields, failures."""

from __future__ import annotations

from typing import Any

from extract.model import TrialRecord
from extract.score.record import score_record


def rec(**data: Any) -> TrialRecord:
    return TrialRecord.model_validate(data)


def statuses(gold: TrialRecord, pred: TrialRecord | None, field: str, threshold: float = 0.9) -> list[str]:
    return [d.status for d in score_record(gold, pred, threshold).diffs if d.field == field]


def test_scalar_missing_invented_wrong_ok() -> None:
    gold = rec(overall_status="RECRUITING", study_type="INTERVENTIONAL", why_stopped=None)
    assert statuses(gold, rec(), "overall_status") == ["missing"]
    assert statuses(rec(), rec(overall_status="COMPLETED"), "overall_status") == ["invented"]
    assert statuses(gold, rec(overall_status="COMPLETED"), "overall_status") == ["wrong"]
    assert statuses(gold, rec(overall_status="RECRUITING"), "overall_status") == ["ok"]
    assert statuses(rec(), rec(), "why_stopped") == []  # both empty: nothing to count


def test_counts_keep_missing_and_invented_apart() -> None:
    gold = rec(overall_status="RECRUITING", acronym="ABC")
    pred = rec(study_type="INTERVENTIONAL", acronym="ABC")
    score = score_record(gold, pred)
    assert score.fields["overall_status"].missing == 1
    assert score.fields["study_type"].invented == 1
    assert score.fields["acronym"].tp == 1


def test_free_text_uses_the_similarity_threshold() -> None:
    gold = rec(brief_title="A Study of Drug X in Adults With Asthma")
    close = rec(brief_title="A study of drug X in adults with asthma.")  # case and final period only
    typo = rec(brief_title="A Study of Drug Y in Adults With Asthma")  # one character
    other = rec(brief_title="Drug X for Children")
    assert statuses(gold, close, "brief_title") == ["ok"]
    assert statuses(gold, typo, "brief_title", threshold=0.95) == ["ok"]
    assert statuses(gold, typo, "brief_title", threshold=0.999) == ["wrong"]
    assert statuses(gold, other, "brief_title") == ["wrong"]


def test_dates_and_ages_are_exact_after_normalising() -> None:
    gold = rec(start_date={"date": "2019-01", "type": "ESTIMATED"}, eligibility={"minimum_age": "18 Years"})
    assert statuses(gold, rec(start_date={"date": "2019-01-15"}), "start_date.date") == ["wrong"]
    assert statuses(gold, rec(start_date={"date": "2019-01"}), "start_date.type") == ["missing"]
    assert statuses(gold, rec(eligibility={"minimum_age": "18 years"}), "eligibility.minimum_age") == ["ok"]
    assert statuses(gold, rec(eligibility={"minimum_age": "216 Months"}), "eligibility.minimum_age") == ["wrong"]


def test_list_items_matched_by_assignment_then_precision_and_recall() -> None:
    gold = rec(conditions=["Asthma", "COPD", "Bronchiectasis"])
    pred = rec(conditions=["copd", "asthma", "Cough"])
    score = score_record(gold, pred)
    c = score.fields["conditions"]
    assert (c.tp, c.missing, c.invented, c.wrong) == (2, 1, 1, 0)
    assert c.precision == c.recall == round(2 / 3, 4)


def test_sub_fields_are_scored_on_matched_items_only() -> None:
    gold = rec(
        arms=[
            {"label": "Placebo", "type": "PLACEBO_COMPARATOR", "intervention_names": ["Drug: Placebo"]},
            {"label": "Drug X 10 mg", "type": "EXPERIMENTAL"},
        ]
    )
    pred = rec(arms=[{"label": "Placebo", "type": "EXPERIMENTAL", "intervention_names": ["Drug: Placebo"]}])
    score = score_record(gold, pred)
    assert (score.fields["arms"].tp, score.fields["arms"].missing) == (1, 1)
    assert score.fields["arms[].type"].wrong == 1  # the missing arm's type is not counted again
    assert score.fields["arms[].intervention_names"].tp == 1


def test_criteria_items_compare_label_and_level_on_matched_text() -> None:
    item = {"text": "Signed informed consent", "label": "1.", "level": 0}
    gold = rec(eligibility={"inclusion": [item]})
    pred = rec(eligibility={"inclusion": [{**item, "label": "*", "level": 1}], "exclusion": [item]})
    score = score_record(gold, pred)
    assert score.fields["eligibility.inclusion"].tp == 1
    assert score.fields["eligibility.criteria[].label"].wrong == 1
    assert score.fields["eligibility.criteria[].level"].wrong == 1
    assert score.fields["eligibility.exclusion"].invented == 1


def test_a_failed_extraction_makes_every_gold_value_missing() -> None:
    gold = rec(nct_id="NCT01234567", brief_title="Title", conditions=["A", "B"])
    score = score_record(gold, None)
    assert {name: c.missing for name, c in score.fields.items()} == {"nct_id": 1, "brief_title": 1, "conditions": 2}
    assert all(c.tp == 0 and c.invented == 0 for c in score.fields.values())
