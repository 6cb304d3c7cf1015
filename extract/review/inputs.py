"""Reading `review load`'s inputs: JSONL lines sorted into extraction rows and findings by the
fields they have. Lines that are neither, and rows without a valid source, are reported, never
fatal; a row whose record fails the model becomes an error row (queued, not dropped)."""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from extract.check import Finding
from extract.errors import describe_validation_error
from extract.model.provenance import Provenance
from extract.rows import ExtractionRow, SourceInfo


@dataclass
class Inputs:
    rows: list[ExtractionRow] = field(default_factory=list)
    findings: dict[str, list[Finding]] = field(default_factory=lambda: defaultdict(list))
    findings_seen: bool = False
    problems: list[str] = field(default_factory=list)


def _lines(name: str) -> Iterator[tuple[int, bytes]]:
    if name == "-":
        yield from enumerate(sys.stdin.buffer, start=1)
        return
    with Path(name).open("rb") as handle:
        yield from enumerate(handle, start=1)


def read_inputs(names: Iterable[str]) -> Inputs:
    """Every line of every file, sorted into extraction rows and findings (by the fields they have)."""
    out = Inputs()
    for name in names:
        for number, line in _lines(name):
            if not line.strip():
                continue
            where = f"{name}:{number}"
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                out.problems.append(f"{where}: not JSON ({exc})")
                continue
            if isinstance(value, dict) and {"source", "status"} <= value.keys():
                row = _row(value, where, out.problems)
                if row is not None:
                    out.rows.append(row)
            elif isinstance(value, dict) and {"rule", "evidence"} <= value.keys():
                out.findings_seen = True
                try:
                    finding = Finding.model_validate(value)
                except ValidationError as exc:
                    out.problems.append(f"{where}: not a finding ({describe_validation_error(exc)})")
                    continue
                out.findings[finding.nct_id or ""].append(finding)
            else:
                out.problems.append(f"{where}: neither an extraction row nor a finding")
    return out


def _row(value: dict[str, Any], where: str, problems: list[str]) -> ExtractionRow | None:
    """The row validated; a row whose record fails the model is queued as an error row. Provenance is
    read leniently (`Provenance.lenient`): what made a record never decides whether it is queued."""
    provenance = Provenance.lenient(value.get("provenance"))
    try:
        return ExtractionRow.model_validate({**value, "provenance": provenance})
    except ValidationError as exc:
        try:
            source = SourceInfo.model_validate(value.get("source"))
        except ValidationError:
            problems.append(f"{where}: extraction row without a valid source ({describe_validation_error(exc)})")
            return None
        return ExtractionRow(
            source=source,
            status="error",
            error={"type": "RecordInvalid", "message": describe_validation_error(exc)},
            provenance=provenance,
        )
