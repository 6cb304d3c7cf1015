"""Date rules: each fires on a minimal record and stays silent on its near miss. None reads the clock."""

from __future__ import annotations

from tests.check.conftest import paths, record, run


def _dates(start: str | None, primary: str | None, completion: str | None, kind: str = "ESTIMATED") -> dict:
    out = {}
    for name, value in (("start_date", start), ("primary_completion_date", primary), ("completion_date", completion)):
        if value:
            out[name] = {"date": value, "type": kind}
    return out


def test_dates_out_of_order_fire() -> None:
    rec = record(**_dates("2021-06", "2021-03", "2022-01"))
    findings = run("dates.order", rec)
    assert [f.message for f in findings] == ["start date 2021-06 is after primary completion date 2021-03"]
    assert paths(findings) == [["start_date", "primary_completion_date"]]
    inverted_end = record(**_dates("2020-01", "2022-05-10", "2022-05-01"))
    assert [f.message for f in run("dates.order", inverted_end)] == [
        "primary completion date 2022-05-10 is after completion date 2022-05-01"
    ]


def test_ordered_dates_and_same_month_at_different_precision_stay_silent() -> None:
    assert run("dates.order", record(**_dates("2020-01", "2021-06", "2021-06"))) == []
    assert run("dates.order", record(**_dates("2020-01-15", "2020-01", None))) == []


def test_status_against_dates_fires() -> None:
    not_started = record(overall_status="NOT_YET_RECRUITING", **_dates("2020-01-01", None, None, "ACTUAL"))
    assert [f.message for f in run("dates.status_vs_dates", not_started)] == [
        "status is NOT_YET_RECRUITING but the start date is ACTUAL"
    ]
    completed = record(
        overall_status="COMPLETED",
        start_date={"date": "2018-01", "type": "ACTUAL"},
        completion_date={"date": "2019-01", "type": "ESTIMATED"},
    )
    assert [f.message for f in run("dates.status_vs_dates", completed)] == [
        "status is COMPLETED but the completion date is ESTIMATED"
    ]
    stale = record(
        overall_status="RECRUITING", last_update_date="2023-05-01", **_dates("2017-01", "2019-06", "2019-12")
    )
    findings = run("dates.status_vs_dates", stale)
    assert [f.message for f in findings] == [
        "status is RECRUITING but the completion date 2019-12 is more than 12 months before the last update (2023-05-01)"
    ]
    assert paths(findings) == [["overall_status", "completion_date", "last_update_date"]]


def test_status_and_dates_that_agree_stay_silent() -> None:
    recent = record(
        overall_status="RECRUITING", last_update_date="2020-06-01", **_dates("2019-01", "2019-12", "2020-01")
    )
    completed = record(overall_status="COMPLETED", **_dates("2018-01", "2019-01", "2019-02", "ACTUAL"))
    not_started = record(overall_status="NOT_YET_RECRUITING", **_dates("2026-01", None, "2028-01"))
    for rec in (recent, completed, not_started):
        assert run("dates.status_vs_dates", rec) == []


def test_actual_date_after_the_last_update_fires() -> None:
    rec = record(last_update_date="2024-11-02", completion_date={"date": "2026-03", "type": "ACTUAL"})
    assert paths(run("dates.actual_in_future", rec)) == [["completion_date", "last_update_date"]]
    same_month = record(last_update_date="2024-11-02", completion_date={"date": "2024-11-20", "type": "ACTUAL"})
    estimated = record(last_update_date="2024-11-02", completion_date={"date": "2026-03", "type": "ESTIMATED"})
    assert run("dates.actual_in_future", same_month) == []
    assert run("dates.actual_in_future", estimated) == []


NARRATIVE = (
    "44 cases are expected. The study started in January 2019 and ended in December 2019. "
    "It is expected that the trial will end in December 2020."
)


def test_narrative_dates_that_contradict_each_other_and_the_fields_fire() -> None:
    rec = record(detailed_description=NARRATIVE, **_dates("2019-01", "2020-12", "2020-12"))
    findings = run("dates.text_vs_fields", rec)
    assert [f.message for f in findings] == [
        "the narrative gives two end dates for the study: December 2019 and December 2020",
        "the narrative dates the study end December 2019 but the record says primary completion 2020-12 / "
        "completion 2020-12",
    ]
    assert [e.text for e in findings[0].evidence] == [
        "The study started in January 2019 and ended in December 2019.",
        "It is expected that the trial will end in December 2020.",
    ]


def test_narrative_dates_that_agree_or_are_not_the_study_dates_stay_silent() -> None:
    agrees = record(
        brief_summary="The study will start in March 2021 and is expected to complete in June 2023.",
        **_dates("2021-03", "2023-01", "2023-06"),
    )
    recruitment = record(
        brief_summary="Recruitment of the study will end in May 2022.", **_dates("2021-03", "2023-01", "2023-06")
    )
    other = record(brief_summary="A previous trial of Drug X began in May 2010.", **_dates("2021-03", None, "2023-06"))
    for rec in (agrees, recruitment, other):
        assert run("dates.text_vs_fields", rec) == []


def test_narrative_evidence_on_a_page_record_points_into_the_page_text() -> None:
    page = "Brief Summary:\n" + NARRATIVE + "\nMore page text."
    start = page.index(NARRATIVE)
    rec = record(
        brief_summary=NARRATIVE,
        spans={"brief_summary": {"start": start, "end": start + len(NARRATIVE)}},
        **_dates("2019-01", "2020-12", "2020-12"),
    )
    findings = run("dates.text_vs_fields", rec, source_text=page)
    sentence = findings[0].evidence[0]
    assert sentence.span is not None
    assert (
        page[sentence.span.start : sentence.span.end] == "The study started in January 2019 and ended in December 2019."
    )
    # without the page (a structured record), the same evidence has no span: it would not index anything
    assert run("dates.text_vs_fields", rec)[0].evidence[0].span is None
