"""What a page strategy hands on: the record data it built, where each value came from, and the
cost of every model question it asked (kept whether the record ends ok or not)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extract.ground import Reader
from extract.model import Span
from extract.model.provenance import CallStats, CallTotals


@dataclass
class Ledger:
    """Every call one record's extraction made, answered or failed: for provenance and the batch summary."""

    calls: list[CallStats] = field(default_factory=list)
    prompt_hashes: dict[str, str] = field(default_factory=dict)

    def add(self, question: str, prompt_hash: str, stats: CallStats) -> None:
        self.calls.append(stats)
        self.prompt_hashes[question] = prompt_hash

    def totals(self) -> CallTotals:
        return CallTotals.of(self.calls)


@dataclass
class PageDraft:
    """A page's record data before grounding and validation, with where each value came from."""

    data: dict[str, Any]
    spans: dict[str, Span] = field(default_factory=dict)
    unmapped: list[dict[str, str]] = field(default_factory=list)
    ledger: Ledger = field(default_factory=Ledger)
    # path -> how a coded value was read from its span's text (an alias table, a recorded answer in the
    # layout map, a date or design-prose reader): grounding reads the span again with it and keeps the
    # value only if the same value comes out. Values read by a model's judgement of a passage have none.
    readers: dict[str, Reader] = field(default_factory=dict)
