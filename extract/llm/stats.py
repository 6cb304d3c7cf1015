"""What one model question cost: carried by its answer, or by the LLMError that ended it, so a
record's cost is complete whether it ended ok or not."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CallStats:
    """One `LLM.ask`. `attempts` is every HTTP request sent to the endpoint for it: instructor's
    model calls (1 + re-asks) plus our transport resends (timeouts, 429, 5xx), which are also
    counted alone in `transport_retries`. A cache hit sent nothing: 0 attempts."""

    question: str
    cache_hit: bool
    attempts: int
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    transport_retries: int = 0
    mode: str = ""
    model_id: str = ""
