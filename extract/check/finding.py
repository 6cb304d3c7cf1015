"""What a check reports: a finding with its evidence, and the severity scale.

A finding is `{nct_id, rule, severity, message, evidence: [{path, text, span}]}`. `path` is the
record field the evidence comes from (`eligibility.exclusion[0]`, `arms[2]`, `design.masking`),
`text` the value a curator reads, and `span` its offsets in the record's source text when known
(the page text for page inputs, `eligibility.criteria_text` for structured inputs).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from extract.model import Span


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe: info 0, warning 1, error 2."""
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


def severity_rank(name: str) -> int:
    """The rank of a severity as stored text ("warning" -> 1); an unknown name ranks lowest (0)."""
    try:
        return Severity(name).rank
    except ValueError:
        return 0


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    text: str
    span: Span | None = None


class Finding(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    nct_id: str | None
    rule: str
    severity: Severity
    message: str
    evidence: list[Evidence]

    def to_json(self) -> dict[str, Any]:
        """The finding as plain JSON types, keys in the documented order."""
        return {
            "nct_id": self.nct_id,
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "evidence": [
                {
                    "path": e.path,
                    "text": e.text,
                    "span": None if e.span is None else {"start": e.span.start, "end": e.span.end},
                }
                for e in self.evidence
            ],
        }
