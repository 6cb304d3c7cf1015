"""Coded values (dates, counts, ages, statuses) keep the span of the text they were read from, and
grounding checks that the span shows them: a span that drifted off its value loses the value."""

from __future__ import annotations

from extract.ground import ground, shows
from extract.model import Span

PAGE = "Recruitment status: Recruiting\nDate of first enrolment: 5 August 2014\nTarget sample size: 1,200\nAge from: 18.00 Year(s)\n"


def span_of(text: str) -> Span:
    start = PAGE.index(text)
    return Span(start=start, end=start + len(text))


def test_values_whose_spans_show_them_are_kept_with_their_spans():
    data = {
        "overall_status": "RECRUITING",
        "start_date": {"date": "2014-08-05"},
        "enrollment": {"count": 1200},
        "eligibility": {"minimum_age": "18 Years"},
    }
    spans = {
        "overall_status": span_of("Recruiting"),
        "start_date.date": span_of("5 August 2014"),
        "enrollment.count": span_of("1,200"),
        "eligibility.minimum_age": span_of("18.00 Year(s)"),
    }
    grounded = ground(data, dict(spans), PAGE)
    assert grounded.ungrounded == []
    assert grounded.data["start_date"]["date"] == "2014-08-05" and grounded.data["enrollment"]["count"] == 1200
    assert {path: grounded.spans[path] for path in spans} == spans


def test_a_value_whose_span_points_elsewhere_is_removed_and_listed():
    data = {"start_date": {"date": "2014-08-05"}, "enrollment": {"count": 1200}, "overall_status": "RECRUITING"}
    spans = {
        "start_date.date": span_of("Recruiting"),  # drifted onto another value
        "enrollment.count": span_of("18.00"),
        "overall_status": Span(start=len(PAGE) + 5, end=len(PAGE) + 15),  # past the end of the page
    }
    grounded = ground(data, spans, PAGE)
    assert grounded.data["start_date"]["date"] is None and grounded.data["enrollment"]["count"] is None
    assert grounded.data["overall_status"] is None
    assert {entry["path"] for entry in grounded.ungrounded} == {"start_date.date", "enrollment.count", "overall_status"}
    assert not set(grounded.spans) & {"start_date.date", "enrollment.count", "overall_status"}


def test_what_a_span_must_show():
    assert shows("2014-08", "August 2014") and shows("2014-08-05", "05/08/2014") and shows("1981-08-24", "24-08-1981")
    assert not shows("2014-09", "August 2014")  # wrong month
    assert not shows("2015-08-05", "5 August 2014")  # wrong year
    assert not shows("2014-08-06", "5 August 2014")  # wrong day
    assert shows(1600, 'Total Sample Size="1600"') and shows(1200, "1 200 participants")
    assert not shows(160, 'Total Sample Size="1600"')  # digits of another number
    assert shows("18 Years", "18.00 Year(s)") and not shows("18 Years", "80 years")
    assert shows("COMPLETED", "Closed: follow-up complete")  # a spelling read through the tables or the model
    assert not shows("COMPLETED", "   ")  # but never from blank text


ARMS_PAGE = "Arm 1: Placebo Comparator: Sugar pill\nArm 2: Experimental: Drug X 10 mg\nInterventions: Drug: Drug X\n"


def arms_span(text: str, after: int = 0) -> Span:
    start = ARMS_PAGE.index(text, after)
    return Span(start=start, end=start + len(text))


def test_an_items_coded_values_keep_their_spans_when_items_are_renumbered():
    """The first arm's label is not in the page, so the arm is dropped and the second becomes arms[0]:
    its type's span and its intervention reference's span move with it."""
    data = {
        "arms": [
            {"label": "Arm 9", "type": "PLACEBO_COMPARATOR"},
            {"label": "Arm 2", "type": "EXPERIMENTAL", "intervention_names": ["Drug: Drug X"]},
        ]
    }
    spans = {
        "arms[1].label": arms_span("Arm 2"),
        "arms[1].type": arms_span("Experimental"),
        "arms[1].intervention_names[0]": arms_span("Drug X", ARMS_PAGE.index("Interventions")),
    }
    grounded = ground(data, spans, ARMS_PAGE)
    assert [arm["label"] for arm in grounded.data["arms"]] == ["Arm 2"]
    assert grounded.spans["arms[0].type"] == spans["arms[1].type"]
    assert grounded.spans["arms[0].intervention_names[0]"] == spans["arms[1].intervention_names[0]"]
    assert "arms[1].type" not in grounded.spans


def test_an_items_coded_value_whose_span_shows_nothing_is_removed_and_listed():
    data = {"interventions": [{"name": "Drug X", "type": "DRUG", "arm_labels": ["Arm 2"]}]}
    spans = {
        "interventions[0].name": arms_span("Drug X"),
        "interventions[0].type": Span(start=len(ARMS_PAGE), end=len(ARMS_PAGE) + 4),  # past the page's end
        "interventions[0].arm_labels[0]": arms_span("Arm 2"),
    }
    grounded = ground(data, spans, ARMS_PAGE)
    assert grounded.data["interventions"][0]["type"] is None
    assert grounded.data["interventions"][0]["arm_labels"] == ["Arm 2"]
    assert [entry["path"] for entry in grounded.ungrounded] == ["interventions[0].type"]
