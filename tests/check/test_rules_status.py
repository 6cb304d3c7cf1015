"""Status and enrollment rules: each fires on a minimal record and stays silent on its near miss."""

from __future__ import annotations

import pytest

from tests.check.conftest import paths, record, run


@pytest.mark.parametrize("status", ["SUSPENDED", "TERMINATED", "WITHDRAWN"])
def test_stopped_without_reason_fires(status: str) -> None:
    findings = run("status.why_stopped_missing", record(overall_status=status))
    assert [f.message for f in findings] == [f"status is {status} but why_stopped is empty"]
    assert paths(findings) == [["overall_status"]]


def test_stopped_with_reason_or_not_stopped_stays_silent() -> None:
    assert run("status.why_stopped_missing", record(overall_status="TERMINATED", why_stopped="Slow accrual")) == []
    assert run("status.why_stopped_missing", record(overall_status="COMPLETED")) == []


@pytest.mark.parametrize(
    ("status", "enrollment", "message"),
    [
        ("COMPLETED", {"count": 20, "type": "ESTIMATED"}, "status is COMPLETED but enrollment is ESTIMATED"),
        ("WITHDRAWN", {"count": 12, "type": "ACTUAL"}, "status is WITHDRAWN but enrollment is 12, not 0"),
        (
            "NOT_YET_RECRUITING",
            {"count": 5, "type": "ACTUAL"},
            "status is NOT_YET_RECRUITING but enrollment is an ACTUAL 5",
        ),
    ],
)
def test_enrollment_against_status_fires(status: str, enrollment: dict, message: str) -> None:
    findings = run("enrollment.type_vs_status", record(overall_status=status, enrollment=enrollment))
    assert [f.message for f in findings] == [message]
    assert paths(findings) == [["overall_status", "enrollment"]]


@pytest.mark.parametrize(
    ("status", "enrollment"),
    [
        ("COMPLETED", {"count": 20, "type": "ACTUAL"}),
        ("WITHDRAWN", {"count": 0, "type": "ACTUAL"}),
        ("NOT_YET_RECRUITING", {"count": 40, "type": "ESTIMATED"}),
        ("RECRUITING", {"count": 40, "type": "ESTIMATED"}),
    ],
)
def test_enrollment_that_fits_the_status_stays_silent(status: str, enrollment: dict) -> None:
    assert run("enrollment.type_vs_status", record(overall_status=status, enrollment=enrollment)) == []


# --- enrollment.finished_with_none ---------------------------------------------------------------


@pytest.mark.parametrize("status", ["COMPLETED", "TERMINATED"])
def test_finished_study_with_no_participants_fires(status: str) -> None:
    rec = record(overall_status=status, why_stopped="funding", enrollment={"count": 0, "type": "ACTUAL"})
    findings = run("enrollment.finished_with_none", rec)
    assert len(findings) == 1 and "enrollment is 0" in findings[0].message


@pytest.mark.parametrize(
    ("status", "count"), [("WITHDRAWN", 0), ("COMPLETED", 12), ("TERMINATED", 1), ("RECRUITING", 0)]
)
def test_withdrawn_with_none_or_finished_with_some_stays_silent(status: str, count: int) -> None:
    rec = record(overall_status=status, why_stopped="funding", enrollment={"count": count, "type": "ACTUAL"})
    assert run("enrollment.finished_with_none", rec) == []
