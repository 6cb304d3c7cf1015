"""Check many inputs, one record at a time: load, map to a record, run the rules, hand back the result.

Streams: each source is loaded, checked and handed back before the next is read, so memory stays
flat however many records there are. Bad inputs become error results, never exceptions.

What each input kind becomes:
- structured (v2 JSON, legacy XML): mapped by `extract.pipeline.extract_structured`; criterion
  spans index `eligibility.criteria_text`, so there is no separate source text;
- extraction rows (trialqa's own JSONL): the row's record, validated again (rows are untrusted);
  its source text is the file the row names, when the file is there, its sha256 still matches,
  and the row's spans index it (`provenance.span_base` is not "eligibility.criteria_text");
- page text / HTML: `extract.pipeline.extract_for_check(source)` when the pipeline provides it
  (LLM page extraction), else the record is skipped with a message.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from extract import errors, pipeline
from extract.check import Finding, Rule, Severity, check_record
from extract.load import DEFAULT_MAX_BYTES, Kind, SourceRecord, iter_units
from extract.load.detect import records_from_bytes, sha256
from extract.load.units import Unit, unit_bytes
from extract.model import TrialRecord
from extract.parallel import ordered_flat_map

SPAN_BASE_CRITERIA = "eligibility.criteria_text"
_PAGE_KINDS = (Kind.PAGE_TEXT, Kind.PAGE_HTML)
_STRUCTURED_KINDS = (Kind.CTGOV_V2, Kind.CTGOV_XML)


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
) -> Iterator[Checked]:
    """Every input record, checked, in input order; with `jobs` > 1 decoded and checked in that many
    worker processes (inputs are read here, in order, and the results come back in that order)."""
    units = iter_units(inputs, max_bytes=max_bytes)
    yield from ordered_flat_map(
        functools.partial(check_unit, rules=rules, max_bytes=max_bytes), units, jobs=jobs, weigh=unit_bytes
    )


def check_unit(unit: Unit, *, rules: list[tuple[Rule, Severity]], max_bytes: int) -> list[Checked]:
    """One input unit (a file, a zip member, a JSONL line) -> the results of its records."""
    return [check_source(source, rules, max_bytes=max_bytes) for source in unit.records(max_bytes)]


def check_source(
    source: SourceRecord, rules: list[tuple[Rule, Severity]], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Checked:
    """One loaded source -> its findings (or an error / skipped result)."""
    if source.error is not None:
        return _error(source, source.error.type_name, str(source.error))
    if source.kind == Kind.EXTRACTION:
        return _check_row(source, source.payload, rules, max_bytes)
    if source.kind in _STRUCTURED_KINDS:
        row = pipeline.extract_structured(source)
        if row.status != "ok" or row.record is None:
            error = row.error
            return _error(source, error.type if error else "Error", error.message if error else "extraction failed")
        return _checked(source, row.record, None, rules)
    if source.kind in _PAGE_KINDS:
        extract_for_check = getattr(pipeline, "extract_for_check", None)
        if extract_for_check is None:
            return Checked(
                source.id,
                source.path,
                "skipped",
                problem="page input: checking page text needs extract.pipeline.extract_for_check "
                "(page extraction), which this installation does not provide",
            )
        row = extract_for_check(source)
        if getattr(row, "status", None) != "ok" or getattr(row, "record", None) is None:
            error = getattr(row, "error", None)
            return _error(source, getattr(error, "type", "Error"), getattr(error, "message", "page extraction failed"))
        span_base = (getattr(row, "provenance", None) or {}).get("span_base")
        text = None if span_base == SPAN_BASE_CRITERIA else source.text
        return _checked(source, row.record, text, rules)
    return Checked(source.id, source.path, "skipped", problem=f"input kind {source.kind!r} cannot be checked")


def _check_row(source: SourceRecord, row: Any, rules: list[tuple[Rule, Severity]], max_bytes: int) -> Checked:
    if not isinstance(row, dict):
        return _error(source, "NotAStudy", "extraction row is not a JSON object")
    if row.get("status") != "ok":
        error = row.get("error") if isinstance(row.get("error"), dict) else {}
        return _error(source, str(error.get("type") or "ErrorRow"), str(error.get("message") or "error row"))
    try:
        record = TrialRecord.model_validate(row.get("record"))
    except ValidationError as exc:
        return _error(source, errors.RecordInvalid.__name__, errors.describe_validation_error(exc))
    provenance = row.get("provenance") if isinstance(row.get("provenance"), dict) else {}
    text = None
    if provenance.get("span_base") != SPAN_BASE_CRITERIA:
        text = _row_source_text(row.get("source"), max_bytes)
    return _checked(source, record, text, rules)


def _row_source_text(info: Any, max_bytes: int) -> str | None:
    """The text a page row's spans index: its source file re-read (and re-detected, so an HTML page
    gives its visible text), only if the file is there and unchanged (same sha256)."""
    if not isinstance(info, dict) or not isinstance(info.get("path"), str) or not info.get("sha256"):
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
