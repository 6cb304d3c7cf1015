"""Check many inputs, one record at a time: load, map to a record, run the rules, hand back the result.

Streams: each source is loaded, checked and handed back before the next is read, so memory stays
flat however many records there are. Bad inputs become error results, never exceptions.

What each input kind becomes:
- structured (v2 JSON, legacy XML): mapped by `extract.pipeline.extract_structured`; criterion
  spans index `eligibility.criteria_text`, so there is no separate source text;
- extraction rows (trialqa's own JSONL): the row's record, validated again (rows are untrusted);
  its source text is the file the row names, when the file is there, its sha256 still matches,
  and the row's spans index it (`provenance.span_base` is not "eligibility.criteria_text");
- page text / HTML: `extract_page(source)`, a page extractor the caller passes in (the checker
  knows nothing of models: the command line hands it one that answers from the response cache);
  without one the record is skipped with a message.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from extract import errors
from extract.check import Finding, Rule, Severity, check_record
from extract.load import DEFAULT_MAX_BYTES, Kind, SourceRecord, iter_units
from extract.load.detect import PAGE_KINDS, STRUCTURED_KINDS, records_from_bytes, sha256
from extract.load.units import Unit, unit_bytes
from extract.model import TrialRecord
from extract.model.provenance import SPAN_BASE_CRITERIA
from extract.parallel import ordered_flat_map
from extract.rows import ExtractionRow, StoredRow
from extract.structured.rows import extract_structured

# A page source -> its extraction row (picklable when checks run in worker processes).
PageRows = Callable[[SourceRecord], ExtractionRow]


@dataclass
class Checked:
    """One input record's outcome: its findings, or why it could not be checked."""

    record_id: str
    path: str
    status: Literal["checked", "error", "skipped"]
    findings: list[Finding] = field(default_factory=list)
    problem: str | None = None  # "ErrorType: message" for error and skipped results


def iter_checked(
    inputs: Iterable[str],
    rules: list[tuple[Rule, Severity]],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    jobs: int = 1,
    extract_page: PageRows | None = None,
) -> Iterator[Checked]:
    """Every input record, checked, in input order; with `jobs` > 1 decoded and checked in that many
    worker processes (inputs are read here, in order, and the results come back in that order)."""
    units = iter_units(inputs, max_bytes=max_bytes)
    check = functools.partial(check_unit, rules=rules, max_bytes=max_bytes, extract_page=extract_page)
    yield from ordered_flat_map(check, units, jobs=jobs, weigh=unit_bytes)


def check_unit(
    unit: Unit, *, rules: list[tuple[Rule, Severity]], max_bytes: int, extract_page: PageRows | None = None
) -> list[Checked]:
    """One input unit (a file, a zip member, a JSONL line) -> the results of its records."""
    return [
        check_source(source, rules, max_bytes=max_bytes, extract_page=extract_page)
        for source in unit.records(max_bytes)
    ]


def check_source(
    source: SourceRecord,
    rules: list[tuple[Rule, Severity]],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    extract_page: PageRows | None = None,
) -> Checked:
    """One loaded source -> its findings (or an error / skipped result)."""
    if source.error is not None:
        return _error(source, source.error.type_name, str(source.error))
    if source.kind == Kind.EXTRACTION:
        return _check_row(source, source.payload, rules, max_bytes)
    if source.kind in STRUCTURED_KINDS:
        return _check_extracted(source, extract_structured(source), rules)
    if source.kind in PAGE_KINDS:
        if extract_page is None:
            return Checked(
                source.id,
                source.path,
                "skipped",
                problem="page input: checking page text needs a page extractor, and none was given",
            )
        return _check_extracted(source, extract_page(source), rules)
    return Checked(source.id, source.path, "skipped", problem=f"input kind {source.kind!r} cannot be checked")


def _check_extracted(source: SourceRecord, row: ExtractionRow, rules: list[tuple[Rule, Severity]]) -> Checked:
    """A row just extracted from `source`: its record checked against the source's text (pages)."""
    if row.status != "ok" or row.record is None:
        error = row.error
        return _error(source, error.type if error else "Error", error.message if error else "extraction failed")
    text = None if row.provenance.span_base == SPAN_BASE_CRITERIA else source.text
    return _checked(source, row.record, text, rules)


def _check_row(source: SourceRecord, value: Any, rules: list[tuple[Rule, Severity]], max_bytes: int) -> Checked:
    row = StoredRow.parse(value)
    if row is None:
        return _error(source, "NotAStudy", "extraction row is not a JSON object")
    if row.status != "ok":
        return _error(source, row.error_type or "ErrorRow", row.error_message or "error row")
    try:
        record = TrialRecord.model_validate(row.record)
    except ValidationError as exc:
        return _error(source, errors.RecordInvalid.__name__, errors.describe_validation_error(exc))
    text = None
    if row.provenance.span_base != SPAN_BASE_CRITERIA:
        text = _row_source_text(row.source, max_bytes)
    return _checked(source, record, text, rules)


def _row_source_text(info: dict[str, Any], max_bytes: int) -> str | None:
    """The text a page row's spans index: its source file re-read (and re-detected, so an HTML page
    gives its visible text), only if the file is there and unchanged (same sha256)."""
    if not isinstance(info.get("path"), str) or not info.get("sha256"):
        return None
    path = Path(info["path"])
    try:
        if not path.is_file() or path.stat().st_size > max_bytes:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if sha256(data) != info["sha256"]:
        return None
    for loaded in records_from_bytes(data, str(path), max_bytes=max_bytes):
        return loaded.text
    return None


def _checked(
    source: SourceRecord, record: TrialRecord, text: str | None, rules: list[tuple[Rule, Severity]]
) -> Checked:
    record_id = record.nct_id or source.id
    try:
        findings = check_record(record, text, record_id=record_id, rules=rules)
    except errors.TrialQAError as exc:  # RuleFailed: this record is an error row, the batch goes on
        return _error(source, exc.type_name, str(exc))
    return Checked(record_id, source.path, "checked", findings)


def _error(source: SourceRecord, error_type: str, message: str) -> Checked:
    return Checked(source.id, source.path, "error", problem=f"{error_type}: {message}")
