"""The extraction row: one JSON line per input record, ok or error, with its provenance."""

from __future__ import annotations

from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from extract.errors import TrialQAError
from extract.load.detect import SourceRecord
from extract.model import TrialRecord


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
    provenance: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def ok(cls, source: SourceRecord, record: TrialRecord, provenance: dict[str, Any]) -> ExtractionRow:
        return cls(source=source_info(source), status="ok", record=record, provenance=provenance)

    @classmethod
    def failed(cls, source: SourceRecord, exc: TrialQAError, provenance: dict[str, Any]) -> ExtractionRow:
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
