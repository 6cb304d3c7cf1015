"""Date rules: order, date types against status and the last update, narrative dates against the fields.

"Now" is never read from the clock: a date is past or future relative to the record's own
`last_update_date`, so the same record gives the same findings on any day.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extract.check.context import Context
from extract.check.finding import Evidence
from extract.check.registry import Hit, hit, rule
from extract.check.text import Screen, sentence_around
from extract.model import StudyDate
from extract.model.vocab import OPEN_STATUSES, DateType, OverallStatus
from extract.normalize import MONTHS

_FIELDS = ("start_date", "primary_completion_date", "completion_date")
_LABEL = {"start_date": "start", "primary_completion_date": "primary completion", "completion_date": "completion"}
STALE_MONTHS = 12  # an open study whose completion date is this far behind its last update is stale


def _ym(value: str) -> tuple[int, int]:
    return int(value[:4]), int(value[5:7])


def _key(value: str) -> tuple[int, int, int]:
    """Comparable date; a 'YYYY-MM' date compares equal to any day of its month (day 0 = unknown)."""
    return int(value[:4]), int(value[5:7]), int(value[8:10]) if len(value) >= 10 else 0


def _before(a: str, b: str) -> bool:
    """a is strictly earlier than b, at the precision both give."""
    ka, kb = _key(a), _key(b)
    if ka[2] == 0 or kb[2] == 0:
        return ka[:2] < kb[:2]
    return ka < kb


def _months_between(a: str, b: str) -> int:
    ya, ma = _ym(a)
    yb, mb = _ym(b)
    return (yb - ya) * 12 + (mb - ma)


def _date_field(ctx: Context, name: str) -> Evidence:
    value: StudyDate | None = getattr(ctx.record, name)
    shown = "" if value is None else f"{value.date} ({value.type.value})" if value.type else value.date
    return ctx.field(name, shown)


@rule(
    "dates.order",
    "error",
    example="start_date 2021-06 after primary_completion_date 2021-03",
)
def order(ctx: Context) -> Iterator[Hit]:
    """The study dates are out of order: start <= primary completion <= completion must hold.

    An inverted pair is a typing error in one of the dates (often a wrong year) and makes every
    duration computed from the record wrong. Dates are compared at the precision both give.
    """
    record = ctx.record
    pairs = (
        ("start_date", "primary_completion_date"),
        ("primary_completion_date", "completion_date"),
        ("start_date", "completion_date"),
    )
    reported: set[str] = set()
    for first, second in pairs:
        a, b = getattr(record, first), getattr(record, second)
        if a is None or b is None or not _before(b.date, a.date):
            continue
        if first in reported and second in reported:
            continue
        reported.update((first, second))
        yield hit(
            f"{_LABEL[first]} date {a.date} is after {_LABEL[second]} date {b.date}",
            _date_field(ctx, first),
            _date_field(ctx, second),
        )


@rule(
    "dates.status_vs_dates",
    "warning",
    example="overall_status RECRUITING, completion_date 2019-12 (ESTIMATED), last update 2023-05",
)
def status_vs_dates(ctx: Context) -> Iterator[Hit]:
    """The status contradicts the dates: NOT_YET_RECRUITING with an ACTUAL start, COMPLETED with
    ESTIMATED dates, or an open status whose completion date is long past the last update.

    NCI CTRP and PRS rules: a study that has not started has no actual start; a completed study's
    dates are actual; and a "recruiting" study whose completion date passed more than a year
    before its own last update is a stale record (24% of recruiting trials in Pfiffner et al.
    2014). Staleness is measured against `last_update_date`, never today's date.
    """
    record = ctx.record
    status = record.overall_status
    if status is None:
        return
    if status == OverallStatus.NOT_YET_RECRUITING and record.start_date and record.start_date.type == DateType.ACTUAL:
        yield hit(
            "status is NOT_YET_RECRUITING but the start date is ACTUAL",
            ctx.field("overall_status", status.value),
            _date_field(ctx, "start_date"),
        )
    if status == OverallStatus.COMPLETED:
        estimated = [n for n in _FIELDS if getattr(record, n) and getattr(record, n).type == DateType.ESTIMATED]
        if estimated:
            names = ", ".join(_LABEL[n] for n in estimated)
            yield hit(
                f"status is COMPLETED but the {names} date is ESTIMATED",
                ctx.field("overall_status", status.value),
                *[_date_field(ctx, n) for n in estimated],
            )
    if status in OPEN_STATUSES and record.last_update_date:
        name = "completion_date" if record.completion_date else "primary_completion_date"
        end = getattr(record, name)
        if end is not None and _months_between(end.date, record.last_update_date) > STALE_MONTHS:
            yield hit(
                f"status is {status.value} but the {_LABEL[name]} date {end.date} is more than "
                f"{STALE_MONTHS} months before the last update ({record.last_update_date})",
                ctx.field("overall_status", status.value),
                _date_field(ctx, name),
                ctx.field("last_update_date", record.last_update_date),
            )


@rule(
    "dates.actual_in_future",
    "error",
    example="completion_date 2026-03 (ACTUAL) on a record last updated 2024-11",
)
def actual_in_future(ctx: Context) -> Iterator[Hit]:
    """A date typed ACTUAL lies after the record's last update, i.e. in the future when it was written.

    An actual date cannot be later than the moment it was reported; the type (or the date) is
    wrong, and the study's progress is misread. Compared by month.
    """
    record = ctx.record
    if not record.last_update_date:
        return
    for name in _FIELDS:
        value: StudyDate | None = getattr(record, name)
        if value and value.type == DateType.ACTUAL and _ym(value.date) > _ym(record.last_update_date):
            yield hit(
                f"{_LABEL[name]} date {value.date} is ACTUAL but after the last update ({record.last_update_date})",
                _date_field(ctx, name),
                ctx.field("last_update_date", record.last_update_date),
            )


# --- narrative dates ----------------------------------------------------------------------------

_MONTHS = {
    name: index
    for index, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_START_WORD = re.compile(
    r"\b(?:start(?:ed|s|ing)?|beg[ai]n(?:s|ning)?|commenc\w*|initiat\w*|launch\w*)\b", re.IGNORECASE
)
_END_WORD = re.compile(r"\b(?:end(?:ed|s)?|complet(?:ed|es|e|ion)|finish\w*|conclud\w*)\b", re.IGNORECASE)
_STUDY_SUBJECT = re.compile(r"\b(?:study|trial|project|research)\b", re.IGNORECASE)
_OTHER_STUDY = re.compile(
    r"\b(?:previous|prior|earlier|published|preceding|parent|another|other|pilot|original|first)\s+"
    r"(?:(?:\w+\s+){0,2})?(?:study|studies|trial|trials)\b",
    re.IGNORECASE,
)
_RECRUIT_SUBJECT = re.compile(r"\b(?:recruit\w*|enrol\w*|accrual|inclusion|screening)\b", re.IGNORECASE)


_YEAR = re.compile(r"[12][09]\d\d\b")  # no leading lookbehind (slow); 19xx / 20xx checked below
# A month name (and an optional day) right before a year: "January 2019", "Dec. 2020", "June 1, 2022".
_MONTH_BEFORE = re.compile(
    r"\b(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?$"
)


# Any text holding a "Month YYYY" holds a month's first three letters (any case) at most 24 characters
# before a 19xx / 20xx year: most narratives have none, and RE2 proves it in one pass.
_MONTH_YEAR_SCREEN = Screen(r"(?is)(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec).{0,24}?(?:19|20)\p{Nd}\p{Nd}")


def _month_years(text: str) -> Iterator[tuple[int, int, int, int]]:
    """(start, end, year, month) of each "Month YYYY" in `text`: the years are found first (one fast
    scan), then a month name is looked for just before each."""
    if not _MONTH_YEAR_SCREEN.could_match(text):
        return
    for year in _YEAR.finditer(text):
        if year.group(0)[:2] not in ("19", "20") or (year.start() and text[year.start() - 1].isdigit()):
            continue
        window_start = max(0, year.start() - 24)
        month = _MONTH_BEFORE.search(text[window_start : year.start()].lower())
        if month is not None:
            yield window_start + month.start(), year.end(), int(year.group(0)), _MONTHS[month["month"][:3]]


def _narrative_dates(ctx: Context, path: str) -> Iterator[tuple[str, tuple[int, int], int, int]]:
    """(start|end, (year, month), sentence start, sentence end) for each dated start/end statement
    about the study itself. Recruitment start counts as the study start; recruitment end does not
    count as the study's end."""
    value = getattr(ctx.record, path)
    if not value:
        return
    dated: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    for start, end, year, month in _month_years(value):
        dated.setdefault(sentence_around(value, start, end), []).append((start, year, month))
    for (offset, end), stamps in sorted(dated.items()):
        sentence = value[offset:end]
        if not _STUDY_SUBJECT.search(sentence) or _OTHER_STUDY.search(sentence):
            continue
        words = [(m.start(), "start") for m in _START_WORD.finditer(sentence)]
        words += [(m.start(), "end") for m in _END_WORD.finditer(sentence)]
        words.sort()
        for start, year, month in stamps:
            at = start - offset
            before = [w for w in words if w[0] < at and at - w[0] <= 40]
            if not before:
                continue
            _, kind = before[-1]
            if kind == "end" and _RECRUIT_SUBJECT.search(sentence[:at]):
                continue
            yield kind, (year, month), offset, end


def _month_name(ym: tuple[int, int]) -> str:
    return f"{MONTHS[ym[1] - 1]} {ym[0]}"


@rule(
    "dates.text_vs_fields",
    "info",  # judged precision below 0.8 on real records (docs/check_review_sample.md): a hint, not a defect
    example="'The study started in January 2019 and ended in December 2019. ... will end in December 2020.'",
)
def text_vs_fields(ctx: Context) -> Iterator[Hit]:
    """The summary or description dates the study's start or end differently from the date fields,
    or gives two different dates for the same event.

    Narrative dates are written once and forgotten when the fields are updated; a record that
    says both "ended in December 2019" and "will end in December 2020" cannot be right twice.
    Only sentences about the study (or trial) with a month and year next to a start / end verb
    are read, not sentences about another (previous, parent, pilot) study; a recruitment end is
    not taken for the study's end.
    """
    record = ctx.record
    statements: dict[str, list[tuple[tuple[int, int], Evidence]]] = {"start": [], "end": []}
    for path in ("brief_summary", "detailed_description"):
        for kind, ym, start, end in _narrative_dates(ctx, path):
            statements[kind].append((ym, ctx.excerpt(path, getattr(record, path), start, end)))
    for kind, found in statements.items():
        distinct = sorted({ym for ym, _ in found})
        if len(distinct) > 1:
            shown = " and ".join(_month_name(ym) for ym in distinct)
            evidence: list[Evidence] = []
            for _, item in found:
                if all((item.path, item.text) != (e.path, e.text) for e in evidence):
                    evidence.append(item)
            yield hit(f"the narrative gives two {kind} dates for the study: {shown}", *evidence)
        fields = ("start_date",) if kind == "start" else ("primary_completion_date", "completion_date")
        have = [(n, getattr(record, n)) for n in fields if getattr(record, n) is not None]
        if not have:
            continue
        for ym, evidence_item in found:
            if all(_ym(v.date) != ym for _, v in have):
                listed = " / ".join(f"{_LABEL[n]} {v.date}" for n, v in have)
                yield hit(
                    f"the narrative dates the study {kind} {_month_name(ym)} but the record says {listed}",
                    evidence_item,
                    *[_date_field(ctx, n) for n, _ in have],
                )
                break
