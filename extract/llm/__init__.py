"""LLM infrastructure: the embedded model, its server, endpoint/mode selection, transport retries,
the response cache, and `LLM.ask` on top of instructor + the openai SDK.

    config = EndpointConfig.from_options(base_url=..., model=..., api_key=..., mode="auto")
    async with open_llm(config) as llm:
        answer, stats = await llm.ask(question="side", messages=[...], response_model=Side, prompt_hash=h)
"""

import importlib
from typing import Any

from extract.model.provenance import CallStats

# Where each public name lives. Resolved on first use (PEP 562), so that `import extract.llm...`
# for the configuration does not import instructor and the openai SDK (about 1.5 s).
_EXPORTS = {
    "CachedAnswer": "cache",
    "ResponseCache": "cache",
    "cache_key": "cache",
    "LLM": "client",
    "open_llm": "client",
    "safe_url": "client",
    "EndpointConfig": "config",
    "MODEL_ID": "local_model",
    "ensure_model": "local_model",
    "resolve_model_file": "local_model",
    "user_cache_dir": "local_model",
    "AUTO_MODES": "modes",
    "MODE_NAMES": "config",
    "EndpointKind": "modes",
    "kind_from_models": "modes",
    "kind_from_url": "modes",
    "resolve_mode": "modes",
    "EmbeddedServer": "server",
    "ServerSettings": "server",
    "embedded_server": "server",
    "RetryPolicy": "transport",
    "redact": "transport",
}


def __getattr__(name: str) -> Any:
    if name == "CallStats":
        from extract.model.provenance import CallStats

        return CallStats
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "AUTO_MODES",
    "LLM",
    "MODEL_ID",
    "MODE_NAMES",
    "CachedAnswer",
    "CallStats",
    "EmbeddedServer",
    "EndpointConfig",
    "EndpointKind",
    "ResponseCache",
    "RetryPolicy",
    "ServerSettings",
    "cache_key",
    "embedded_server",
    "ensure_model",
    "kind_from_models",
    "kind_from_url",
    "open_llm",
    "redact",
    "resolve_mode",
    "resolve_model_file",
    "safe_url",
    "user_cache_dir",
]
