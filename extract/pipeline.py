"""One source record -> one extraction row.

Structured kinds (v2 JSON, legacy XML) are mapped without a model. Page kinds (text, HTML)
go through an LLM strategy, then grounding, then the record model's validation. Whatever
fails becomes an error row with the failure's type; nothing raises out of here.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from extract import __version__, errors
from extract.ground import ground
from extract.llm import sectioned, whole
from extract.llm.lazy import LazyLLM
from extract.llm.prompts import load_prompt
from extract.llm.questions import Ledger
from extract.llm.sectioned import PageDraft
from extract.load.detect import Kind, SourceRecord
from extract.model import TrialRecord
from extract.page import strategy as page_strategy
from extract.rows import ExtractionRow
from extract.structured import ctgov_v2, ctgov_xml

if TYPE_CHECKING:
    from extract.llm.client import EndpointConfig

# Each mapper returns the record and the values it left unmapped (one field emptied each).
_MAPPERS: dict[str, tuple[str, Callable[[Any], tuple[TrialRecord, list[dict[str, str]]]]]] = {
    Kind.CTGOV_V2: (ctgov_v2.EXTRACTOR, ctgov_v2.map_study_logged),
    Kind.CTGOV_XML: (ctgov_xml.EXTRACTOR, ctgov_xml.map_study_logged),
}
PAGE_KINDS = frozenset({Kind.PAGE_TEXT, Kind.PAGE_HTML})

SPAN_BASE_CRITERIA = "eligibility.criteria_text"
SPAN_BASE_SOURCE = "source"
STRUCTURED_CONFIG = f"structured/{__version__}"

StrategyFn = Callable[[str, Any, Ledger], Awaitable[PageDraft]]
STRATEGIES: dict[str, tuple[StrategyFn, tuple[str, ...]]] = {
    sectioned.STRATEGY: (
        page_strategy.extract_page,  # generic label discovery + the seed-layout sectioner (extract/page)
        ("title_line", "conditions_split", "primary_outcomes", "arm_type", "intervention_type", *page_strategy.QUESTIONS),
    ),
    whole.STRATEGY: (whole.extract_page, ("whole_record",)),
}
# Error types a re-run should try again (the input may well be fine); the rest are final.
RETRYABLE_ERRORS = frozenset({"LLMTransportError", "CacheMiss", "ModelSetupError", "ModelServerDied", "InternalError"})


class StrategyName(StrEnum):
    """`--strategy` as extract and eval take it; auto = sectioned for the embedded model, whole for endpoints."""

    auto = "auto"
    sectioned = "sectioned"
    whole = "whole"


def default_timeout(requested: str) -> float:
    """Seconds per model request: a whole record takes minutes at ~10 tokens/s on the embedded model."""
    return 1800.0 if requested == StrategyName.whole else 120.0


def default_concurrency(config: EndpointConfig) -> int:
    """One record at a time for the embedded server (llama.cpp runs one request at a time); replay and remote
    endpoints can overlap."""
    return 1 if config.embedded and not config.replay else 8


def page_extractor(config: EndpointConfig, requested: str = StrategyName.auto) -> PageExtractor:
    """The page extractor extract and eval run: `auto` resolved for this endpoint, its LLM opened lazily."""
    return PageExtractor(LazyLLM(config), resolve_strategy(config, requested))


def resolve_strategy(config: EndpointConfig, requested: str = StrategyName.auto) -> str:
    """`--strategy auto`: sectioned for the embedded model, whole for endpoints."""
    return requested if requested != StrategyName.auto else ("sectioned" if config.embedded else "whole")


def is_page(source: SourceRecord) -> bool:
    return source.kind in PAGE_KINDS and source.error is None


def extract_structured(source: SourceRecord) -> ExtractionRow:
    """A loaded structured record (or a load error) -> its extraction row."""
    extractor, mapper = _MAPPERS.get(source.kind, ("none", None))  # type: ignore[assignment]
    provenance: dict[str, Any] = {"extractor": extractor, "version": __version__, "config": STRUCTURED_CONFIG}
    if source.error is not None:
        return ExtractionRow.failed(source, source.error, provenance)
    if mapper is None:
        exc = errors.NotAStudy(f"no structured mapping for input kind {source.kind!r}")
        return ExtractionRow.failed(source, exc, provenance)
    try:
        record, unmapped = mapper(source.payload)
    except ValidationError as exc:
        return ExtractionRow.failed(source, errors.RecordInvalid(errors.describe_validation_error(exc)), provenance)
    except errors.TrialQAError as exc:
        return ExtractionRow.failed(source, exc, provenance)
    provenance["span_base"] = SPAN_BASE_CRITERIA
    if unmapped:
        provenance["unmapped"] = unmapped
    return ExtractionRow.ok(source, record, provenance)


@dataclass
class PageExtractor:
    """Extracts page records with one strategy through one (lazily opened) LLM."""

    llm: LazyLLM
    strategy: str = sectioned.STRATEGY

    def prompt_hashes(self) -> dict[str, str]:
        return {name: load_prompt(name).hash for name in STRATEGIES[self.strategy][1]}

    def fingerprint(self) -> str:
        """What makes two runs' page rows interchangeable (for resume)."""
        config = self.llm.config
        parts = [
            self.strategy,
            __version__,
            config.base_url or "embedded",
            config.model or "",
            config.local_model or "",
            config.mode,
            repr(sorted(self.prompt_hashes().items())),
        ]
        return f"{self.strategy}/" + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    async def __call__(self, source: SourceRecord) -> ExtractionRow:
        started = time.perf_counter()
        provenance: dict[str, Any] = {
            "extractor": f"llm.{self.strategy}",
            "version": __version__,
            "config": self.fingerprint(),
            "strategy": self.strategy,
        }
        text = source.text or ""
        extract_fn = STRATEGIES[self.strategy][0]
        ledger = Ledger()  # ours, not the draft's: a failed record still reports every call it made
        try:
            draft = await extract_fn(text, self.llm, ledger)
        except errors.TrialQAError as exc:
            provenance.update(self._accounting(ledger, started))
            return ExtractionRow.failed(source, exc, provenance)
        grounded = ground(draft.data, draft.spans, text)
        provenance.update(self._accounting(ledger, started))
        provenance.update(span_base=SPAN_BASE_SOURCE, ungrounded=grounded.ungrounded, unmapped=draft.unmapped)
        try:
            record = TrialRecord.model_validate({**grounded.data, "spans": grounded.spans})
        except ValidationError as exc:
            return ExtractionRow.failed(source, errors.RecordInvalid(errors.describe_validation_error(exc)), provenance)
        return ExtractionRow.ok(source, record, provenance)

    def _accounting(self, ledger: Ledger, started: float) -> dict[str, Any]:
        """The record's cost (every request sent, answered or failed) and what answered it."""
        opened = self.llm.opened
        return {
            **(opened.provenance() if opened is not None else {}),
            "prompt_hashes": dict(sorted(ledger.prompt_hashes.items())),
            **ledger.totals(),
            "wall_seconds": round(time.perf_counter() - started, 3),
        }


def extract_for_check(source: SourceRecord) -> ExtractionRow:
    """A page record for `trialqa check`: extracted from the default response cache, no model started.

    `check` is a fast, deterministic command; pages it meets are answered from the answers
    `trialqa extract` recorded. A page never extracted becomes a CacheMiss error row saying so.
    """
    import asyncio

    from extract.llm.client import EndpointConfig

    async def one() -> ExtractionRow:
        lazy = LazyLLM(EndpointConfig.from_options(replay=True))
        try:
            row = await PageExtractor(lazy, sectioned.STRATEGY)(source)
        finally:
            await lazy.aclose()
        if row.error is not None and row.error.type == "CacheMiss":
            row.error.message = (
                f"no recorded model answers for this page: run `trialqa extract` on it first ({row.error.message})"
            )
        return row

    if source.error is not None or not is_page(source):
        return extract_structured(source)
    return asyncio.run(one())
