"""LLM infrastructure: the embedded model, its server, endpoint/mode selection, transport retries,
the response cache, and `LLM.ask` on top of instructor + the openai SDK.

    config = EndpointConfig.from_options(base_url=..., model=..., api_key=..., mode="auto")
    async with open_llm(config) as llm:
        answer, stats = await llm.ask(question="side", messages=[...], response_model=Side, prompt_hash=h)
"""

from extract.model.provenance import CallStats

from .cache import CachedAnswer, ResponseCache, cache_key
from .client import LLM, EndpointConfig, open_llm, safe_url
from .local_model import MODEL_ID, ensure_model, resolve_model_file, user_cache_dir
from .modes import AUTO_MODES, MODE_NAMES, EndpointKind, kind_from_models, kind_from_url, resolve_mode
from .server import EmbeddedServer, ServerSettings, embedded_server
from .transport import RetryPolicy, redact

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
