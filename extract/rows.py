"""The extraction row: one JSON line per input record, ok or error, with its provenance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from extract.errors import TrialQAError
from extract.load.detect import SourceRecord
from extract.model import TrialRecord
from extract.model.provenance import Provenance


class SourceInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    kind: str
    path: str
    sha256: str


class ErrorInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str
    message: str


class ExtractionRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: SourceInfo
    status: Literal["ok", "error"]
    record: TrialRecord | None = None
    error: ErrorInfo | None = None
    provenance: Provenance = Field(default_factory=Provenance)

    @classmethod
    def ok(cls, source: SourceRecord, record: TrialRecord, provenance: Provenance) -> ExtractionRow:
        return cls(source=source_info(source), status="ok", record=record, provenance=provenance)

    @classmethod
    def failed(cls, source: SourceRecord, exc: TrialQAError, provenance: Provenance) -> ExtractionRow:
        return cls(
            source=source_info(source),
            status="error",
            error=ErrorInfo(type=exc.type_name, message=str(exc)),
            provenance=provenance,
        )

    def to_json_line(self) -> bytes:
        return orjson.dumps(self.model_dump(mode="json"), option=orjson.OPT_APPEND_NEWLINE)


def source_info(source: SourceRecord) -> SourceInfo:
    return SourceInfo(id=source.id, kind=source.kind, path=source.path, sha256=source.sha256)


@dataclass(frozen=True)
class StoredRow:
    """An extraction row read back from JSONL (resume, check, review), leniently: such rows are
    untrusted and may come from other versions, so only what the readers branch on is typed here and
    the record stays raw JSON until a reader validates it.

    `parse` returns None for a value that is not a JSON object.
    """

    source: dict[str, Any]
    status: str | None
    error_type: str | None
    error_message: str | None
    record: Any
    provenance: Provenance

    @classmethod
    def parse(cls, value: Any) -> StoredRow | None:
        if not isinstance(value, dict):
            return None
        error = value.get("error") if isinstance(value.get("error"), dict) else {}
        return cls(
            source=value["source"] if isinstance(value.get("source"), dict) else {},
            status=value.get("status") if isinstance(value.get("status"), str) else None,
            error_type=str(error["type"]) if error.get("type") else None,
            error_message=str(error["message"]) if error.get("message") else None,
            record=value.get("record"),
            provenance=Provenance.lenient(value.get("provenance")),
        )

    @property
    def key(self) -> tuple[str, str, str] | None:
        """(path, id, sha256): what resume matches a row to its input record by."""
        try:
            return (self.source["path"], self.source["id"], self.source["sha256"])
        except KeyError:
            return None
