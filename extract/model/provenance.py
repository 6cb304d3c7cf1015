"""How a record was made: the typed provenance of an extraction row and the cost of its model calls.

Invariant: a row's provenance holds exactly the keys its producer set, in the order the fields
are declared here (unset fields are not written; keys this version does not know, from rows
other tools or versions wrote, are kept as they came). So the JSON a row writes is stable and
what a reader sees is what the producer said.

`span_base` says what a record's `Span` offsets index: the page text (`SPAN_BASE_SOURCE`) for
page inputs, `eligibility.criteria_text` (`SPAN_BASE_CRITERIA`) for structured inputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, ValidationError, model_serializer

SPAN_BASE_SOURCE = "source"
SPAN_BASE_CRITERIA = "eligibility.criteria_text"


@dataclass(frozen=True)
class CallStats:
    """One `LLM.ask`, carried by its answer or by the LLMError that ended it, so a record's cost is
    complete whether it ended ok or not. `attempts` is every HTTP request sent to the endpoint for it:
    instructor's model calls (1 + re-asks) plus our transport resends (timeouts, 429, 5xx), which are
    also counted alone in `transport_retries`. A cache hit sent nothing: 0 attempts."""

    question: str
    cache_hit: bool
    attempts: int
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    transport_retries: int = 0
    mode: str = ""
    model_id: str = ""


@dataclass(frozen=True)
class CallTotals:
    """The summed cost of a record's model calls (or of a whole run's): what rows and summaries add up."""

    llm_calls: int = 0
    attempts: int = 0  # HTTP requests sent, transport resends included
    transport_retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0

    @classmethod
    def of(cls, calls: Iterable[CallStats]) -> CallTotals:
        listed = list(calls)
        return cls(
            llm_calls=len(listed),
            attempts=sum(c.attempts for c in listed),
            transport_retries=sum(c.transport_retries for c in listed),
            prompt_tokens=sum(c.prompt_tokens for c in listed),
            completion_tokens=sum(c.completion_tokens for c in listed),
            cache_hits=sum(1 for c in listed if c.cache_hit),
        )

    def __add__(self, other: CallTotals) -> CallTotals:
        return CallTotals(
            self.llm_calls + other.llm_calls,
            self.attempts + other.attempts,
            self.transport_retries + other.transport_retries,
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.cache_hits + other.cache_hits,
        )


class Provenance(BaseModel):
    """An extraction row's provenance: extractor and configuration, the endpoint that answered (page
    rows), the record's call totals, and what grounding and mapping left out."""

    model_config = ConfigDict(extra="allow", protected_namespaces=())

    extractor: str | None = None
    version: str | None = None
    config: str | None = None  # resume fingerprint: rows of the same config are interchangeable
    strategy: str | None = None
    # the endpoint (page rows): never a key, never credentials in the URL
    model_id: str | None = None
    model: str | None = None
    endpoint_kind: str | None = None
    mode: str | None = None
    base_url: str | None = None
    temperature: float | None = None
    seed: int | None = None
    max_reasks: int | None = None
    prompt_hashes: dict[str, str] | None = None
    # the record's cost (every request sent, answered or failed)
    llm_calls: int = 0
    attempts: int = 0
    transport_retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0
    wall_seconds: float | None = None
    span_base: str | None = None
    ungrounded: list[dict[str, Any]] | None = None  # {path, value, reason}: removed, not found in the source
    unmapped: list[dict[str, Any]] | None = None  # {path, value, reason}: a value no field could hold

    @classmethod
    def lenient(cls, value: Any) -> Provenance:
        """Provenance read from an untrusted row: as written when it is valid; else only its span base
        (what readers of old or foreign rows need), so a bad provenance never loses the row."""
        if not isinstance(value, dict):
            return cls()
        try:
            return cls.model_validate(value)
        except ValidationError:
            span_base = value.get("span_base")
            return cls(span_base=span_base) if isinstance(span_base, str) else cls()

    @model_serializer(mode="wrap")
    def _as_set(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        kept = self.model_fields_set | set(self.model_extra or ())
        return {key: value for key, value in data.items() if key in kept}

    def __getitem__(self, key: str) -> Any:
        """A written key, as the row's JSON has it (`row.provenance["unmapped"]`); KeyError otherwise."""
        if key in self.model_fields_set:
            return getattr(self, key)
        if self.model_extra and key in self.model_extra:
            return self.model_extra[key]
        raise KeyError(key)

    def set(self, **values: Any) -> None:
        """Set fields (they are then written), in place."""
        for key, value in values.items():
            setattr(self, key, value)

    def set_totals(self, totals: CallTotals) -> None:
        self.set(
            llm_calls=totals.llm_calls,
            attempts=totals.attempts,
            transport_retries=totals.transport_retries,
            prompt_tokens=totals.prompt_tokens,
            completion_tokens=totals.completion_tokens,
            cache_hits=totals.cache_hits,
        )

    @property
    def totals(self) -> CallTotals:
        return CallTotals(
            self.llm_calls,
            self.attempts,
            self.transport_retries,
            self.prompt_tokens,
            self.completion_tokens,
            self.cache_hits,
        )

    @property
    def page(self) -> bool:
        """Spans index the page text (a page row), not the criteria text (a structured row)."""
        return self.span_base == SPAN_BASE_SOURCE
