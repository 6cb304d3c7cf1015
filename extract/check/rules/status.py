"""Status rules: stopped studies without a reason, enrollment type against status."""

from __future__ import annotations

from collections.abc import Iterator

from extract.check.context import Context
from extract.check.registry import Hit, hit, rule
from extract.model.vocab import EnrollmentType, OverallStatus

_STOPPED = (OverallStatus.SUSPENDED, OverallStatus.TERMINATED, OverallStatus.WITHDRAWN)


@rule(
    "status.why_stopped_missing",
    "warning",
    example="overall_status TERMINATED with no why_stopped",
)
def why_stopped_missing(ctx: Context) -> Iterator[Hit]:
    """A SUSPENDED, TERMINATED or WITHDRAWN study does not say why it stopped.

    ClinicalTrials.gov requires the reason; without it readers cannot tell a safety stop from a
    funding one.
    """
    record = ctx.record
    if record.overall_status in _STOPPED and not (record.why_stopped or "").strip():
        yield hit(
            f"status is {record.overall_status.value} but why_stopped is empty",
            ctx.field("overall_status", record.overall_status.value),
        )


@rule(
    "enrollment.type_vs_status",
    "warning",
    example="overall_status COMPLETED with enrollment type ESTIMATED",
)
def enrollment_type_vs_status(ctx: Context) -> Iterator[Hit]:
    """The enrollment count or type contradicts the status: a finished study with an ESTIMATED count,
    a WITHDRAWN study with participants, a NOT_YET_RECRUITING study with an ACTUAL count.

    Once recruitment ends the count must be the actual one (NCI CTRP and PRS rules); a withdrawn
    study enrolled nobody (actual 0), and a study not yet recruiting has no actual count.
    """
    record = ctx.record
    status, enrollment = record.overall_status, record.enrollment
    if status is None or enrollment is None:
        return
    shown = f"{enrollment.count if enrollment.count is not None else '?'} ({enrollment.type.value if enrollment.type else '?'})"
    problem = None
    if status in (OverallStatus.COMPLETED, OverallStatus.TERMINATED) and enrollment.type == EnrollmentType.ESTIMATED:
        problem = f"status is {status.value} but enrollment is ESTIMATED"
    elif status == OverallStatus.WITHDRAWN and (enrollment.count or 0) > 0:
        problem = f"status is WITHDRAWN but enrollment is {enrollment.count}, not 0"
    elif (
        status == OverallStatus.NOT_YET_RECRUITING
        and enrollment.type == EnrollmentType.ACTUAL
        and (enrollment.count or 0) > 0
    ):
        problem = f"status is NOT_YET_RECRUITING but enrollment is an ACTUAL {enrollment.count}"
    if problem:
        yield hit(problem, ctx.field("overall_status", status.value), ctx.field("enrollment", shown))


@rule(
    "enrollment.finished_with_none",
    "warning",
    example="overall_status COMPLETED with enrollment 0 (ACTUAL)",
)
def enrollment_finished_with_none(ctx: Context) -> Iterator[Hit]:
    """A COMPLETED or TERMINATED study reports an enrollment of 0.

    A study that stopped before its first participant is WITHDRAWN (CT.gov's definition); a
    completed or terminated study with nobody enrolled has either the wrong status or the wrong
    count. A WITHDRAWN study with 0, or any study with a count above 0, is not reported.
    """
    record = ctx.record
    status, enrollment = record.overall_status, record.enrollment
    if status not in (OverallStatus.COMPLETED, OverallStatus.TERMINATED) or enrollment is None:
        return
    if enrollment.count == 0:
        shown = f"0 ({enrollment.type.value if enrollment.type else '?'})"
        why = "a study that enrolled nobody is WITHDRAWN" if enrollment.type else "an untyped 0 is a placeholder"
        yield hit(
            f"status is {status.value} but enrollment is 0 ({why}): the status or the count is wrong",
            ctx.field("overall_status", status.value),
            ctx.field("enrollment", shown),
        )
