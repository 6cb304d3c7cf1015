"""One source record -> one extraction row.

Structured kinds (v2 JSON, legacy XML) are mapped without a model (`extract.structured.rows`).
Page kinds (text, HTML) go through a page strategy (`extract.page`), then grounding, then the
record model's validation. Whatever fails becomes an error row with the failure's type; nothing
raises out of here.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from extract import __version__, errors
from extract.ground import ground
from extract.llm.lazy import LazyLLM
from extract.llm.prompts import load_prompt
from extract.load.detect import SourceRecord
from extract.model import TrialRecord
from extract.model.provenance import SPAN_BASE_SOURCE, Provenance
from extract.page import sectioned, whole
from extract.page import strategy as page_strategy
from extract.page.draft import Ledger, PageDraft
from extract.page.names import StrategyName, default_timeout
from extract.rows import ExtractionRow
from extract.structured.rows import STRUCTURED_CONFIG, extract_structured

if TYPE_CHECKING:
    from extract.llm.config import EndpointConfig

StrategyFn = Callable[[str, Any, Ledger], Awaitable[PageDraft]]
STRATEGIES: dict[str, tuple[StrategyFn, tuple[str, ...]]] = {
    sectioned.STRATEGY: (
        page_strategy.extract_page,  # generic label discovery + the seed-layout sectioner (extract/page)
        (
            "title_line",
            "conditions_split",
            "primary_outcomes",
            "arm_type",
            "intervention_type",
            *page_strategy.QUESTIONS,
        ),
    ),
    whole.STRATEGY: (whole.extract_page, ("whole_record",)),
}


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
        provenance = Provenance(
            extractor=f"llm.{self.strategy}", version=__version__, config=self.fingerprint(), strategy=self.strategy
        )
        text = source.text or ""
        extract_fn = STRATEGIES[self.strategy][0]
        ledger = Ledger()  # ours, not the draft's: a failed record still reports every call it made
        try:
            draft = await extract_fn(text, self.llm, ledger)
        except errors.TrialQAError as exc:
            self._account(provenance, ledger, started)
            return ExtractionRow.failed(source, exc, provenance)
        grounded = ground(draft.data, draft.spans, text, draft.readers)
        self._account(provenance, ledger, started)
        provenance.set(span_base=SPAN_BASE_SOURCE, ungrounded=grounded.ungrounded, unmapped=draft.unmapped)
        try:
            record = TrialRecord.model_validate({**grounded.data, "spans": grounded.spans})
        except ValidationError as exc:
            return ExtractionRow.failed(source, errors.RecordInvalid(errors.describe_validation_error(exc)), provenance)
        return ExtractionRow.ok(source, record, provenance)

    def _account(self, provenance: Provenance, ledger: Ledger, started: float) -> None:
        """The record's cost (every request sent, answered or failed) and what answered it."""
        opened = self.llm.opened
        if opened is not None:
            provenance.set(**opened.provenance())
        provenance.set(prompt_hashes=dict(sorted(ledger.prompt_hashes.items())))
        provenance.set_totals(ledger.totals())
        provenance.wall_seconds = round(time.perf_counter() - started, 3)


__all__ = [
    "STRATEGIES",
    "STRUCTURED_CONFIG",
    "PageExtractor",
    "StrategyName",
    "default_concurrency",
    "default_timeout",
    "extract_structured",
    "page_extractor",
    "resolve_strategy",
]
