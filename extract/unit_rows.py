"""One input unit -> what `extract` writes for it, computed where the unit is sent (a worker process).

Structured records (v2 JSON, legacy XML) and load errors come back as finished JSON lines; pages come
back as loaded sources, for the LLM strategies that run in the main process.
"""

from __future__ import annotations

from dataclasses import dataclass

from extract.load.detect import SourceRecord
from extract.load.units import Unit
from extract.structured.rows import extract_structured

RowKey = tuple[str, str, str]  # (path, source id, sha256)


@dataclass(frozen=True)
class UnitRow:
    """One record's outcome: its finished row (`line`), or the page still to extract (`page`)."""

    key: RowKey
    line: bytes | None = None
    status: str = "ok"
    error_type: str | None = None
    page: SourceRecord | None = None


def row_key(source: SourceRecord) -> RowKey:
    return (source.path, source.id, source.sha256)


def extract_unit(unit: Unit, *, max_bytes: int) -> list[UnitRow]:
    rows: list[UnitRow] = []
    for source in unit.records(max_bytes):
        if source.is_page:
            rows.append(UnitRow(row_key(source), page=source))
            continue
        row = extract_structured(source)
        rows.append(UnitRow(row_key(source), row.to_json_line(), row.status, row.error.type if row.error else None))
    return rows
