"""Which kind of endpoint we talk to, and which instructor mode fits it.

Structured output is enforced differently by each server, so `--mode auto` picks per endpoint kind.
The table is backed by the servers' own behaviour (see docs in AUTO_MODES below); every choice is
pinned by a test that captures the real request body at a fake server (tests/llm/test_modes.py).

Detection, cheapest first: the embedded server is llama-cpp-python by construction; the URL host
api.openai.com means OpenAI; port 11434 or "ollama" in the URL means Ollama; otherwise one
GET {base}/models and its `owned_by` (vLLM says "vllm", llama.cpp's llama-server "llamacpp",
llama-cpp-python's server "me"). Anything else is UNKNOWN and gets the mode that sends nothing a
server could reject (MD_JSON: schema in the prompt, validated and re-asked on our side).
"""

from __future__ import annotations

import enum
from typing import Any
from urllib.parse import urlsplit

import httpx
from instructor import Mode

from .config import MODE_NAMES, ModeName  # noqa: F401  (re-exported: the names live with the configuration)

_EXPLICIT: dict[str, Mode] = {
    "tools": Mode.TOOLS,
    "json_schema": Mode.JSON_SCHEMA,
    "json": Mode.JSON,
    "md_json": Mode.MD_JSON,
}


class EndpointKind(enum.StrEnum):
    """The server software behind an OpenAI-compatible base URL."""

    EMBEDDED = "embedded"  # our own llama-cpp-python server (extract.llm.server)
    LLAMA_CPP_PYTHON = "llama-cpp-python"
    LLAMA_CPP = "llama.cpp"  # ggml-org llama-server (C++)
    OPENAI = "openai"
    VLLM = "vllm"
    OLLAMA = "ollama"
    UNKNOWN = "unknown"


AUTO_MODES: dict[EndpointKind, Mode] = {
    # llama-cpp-python 0.3.36 compiles a grammar from either a named tool_choice or a response_format
    # {"type": "json_object", "schema": ...}; it refuses OpenAI's {"type": "json_schema"} (HTTP 500).
    # JSON_SCHEMA, rewritten to the json_object form by `adapt_request`, is the one that keeps the
    # schema out of the prompt: with TOOLS the chat template prints every tool's schema and a calling
    # protocol into the system message (measured: 669 -> 468 prompt tokens for the label question),
    # and that prefix is re-read on the first question of each kind on each page (docs/llm.md).
    EndpointKind.EMBEDDED: Mode.JSON_SCHEMA,
    EndpointKind.LLAMA_CPP_PYTHON: Mode.JSON_SCHEMA,
    # llama-server reads tool_choice as a string only: the named-function object instructor sends
    # silently falls back to "auto" (model may answer in prose), while response_format
    # json_schema is compiled into a grammar ("schema-constrained JSON response format").
    EndpointKind.LLAMA_CPP: Mode.JSON_SCHEMA,
    # instructor's default for OpenAI: a forced named tool call is honoured.
    EndpointKind.OPENAI: Mode.TOOLS,
    # vLLM docs, "Named Function Calling": on by default, no server flags, arguments guaranteed to
    # parse against the tool's JSON schema (structured-outputs backend).
    EndpointKind.VLLM: Mode.TOOLS,
    # Ollama ignores tool_choice (ollama/ollama#8421, #17921: a forced tool returns plain text) but
    # enforces response_format json_schema with llama.cpp's grammar since v0.5.
    EndpointKind.OLLAMA: Mode.JSON_SCHEMA,
    # Unknown server: send no tools/response_format a server could reject; validate + re-ask.
    EndpointKind.UNKNOWN: Mode.MD_JSON,
}

_OWNED_BY: dict[str, EndpointKind] = {
    "vllm": EndpointKind.VLLM,
    "llamacpp": EndpointKind.LLAMA_CPP,
    "llama.cpp": EndpointKind.LLAMA_CPP,
    "llama-cpp": EndpointKind.LLAMA_CPP,
    "me": EndpointKind.LLAMA_CPP_PYTHON,  # llama_cpp/server/app.py: "owned_by": "me"
    "ollama": EndpointKind.OLLAMA,
}


def kind_from_url(base_url: str) -> EndpointKind | None:
    """The kind when the URL alone says it; None when the server must be asked."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if host == "api.openai.com":
        return EndpointKind.OPENAI
    try:
        port = parts.port
    except ValueError:
        port = None
    if port == 11434 or "ollama" in base_url.lower():
        return EndpointKind.OLLAMA
    return None


def kind_from_models(payload: Any) -> EndpointKind:
    """The kind from a GET /models answer's `owned_by` fields; UNKNOWN when they say nothing we know."""
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list):
        return EndpointKind.UNKNOWN
    for entry in data:
        owner = entry.get("owned_by") if isinstance(entry, dict) else None
        if isinstance(owner, str) and owner.strip().lower() in _OWNED_BY:
            return _OWNED_BY[owner.strip().lower()]
    return EndpointKind.UNKNOWN


async def fetch_models(base_url: str, api_key: str | None, timeout_s: float) -> Any | None:
    """One GET {base}/models; None when it fails in any way (detection then falls back)."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    url = base_url.rstrip("/") + "/models"
    try:
        async with httpx.AsyncClient(timeout=timeout_s) as http:
            response = await http.get(url, headers=headers)
        if response.status_code != 200:
            return None
        return response.json()
    except (httpx.HTTPError, ValueError):
        return None


def model_ids(payload: Any) -> list[str]:
    """The model ids a GET /models answer lists."""
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list):
        return []
    return [entry["id"] for entry in data if isinstance(entry, dict) and isinstance(entry.get("id"), str)]


# Servers that take a JSON schema only as response_format {"type": "json_object", "schema": ...}.
_SCHEMA_AS_JSON_OBJECT = frozenset({EndpointKind.EMBEDDED, EndpointKind.LLAMA_CPP_PYTHON})


def adapt_request(kind: EndpointKind | None, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The chat-completion arguments `kind` accepts for what instructor built; `kwargs` is not changed.

    Bad: sending llama-cpp-python OpenAI's structured-output form, which it refuses with HTTP 500::

        {"response_format": {"type": "json_schema", "json_schema": {"name": "A", "schema": S}}}

    Sent instead, the form it compiles into the same grammar::

        {"response_format": {"type": "json_object", "schema": S}}

    Every other server, and every other request, is sent exactly as instructor built it.
    """
    response_format = kwargs.get("response_format")
    if (
        kind not in _SCHEMA_AS_JSON_OBJECT
        or not isinstance(response_format, dict)
        or response_format.get("type") != "json_schema"
    ):
        return kwargs
    schema = (response_format.get("json_schema") or {}).get("schema")
    return {**kwargs, "response_format": {"type": "json_object", "schema": schema}}


def resolve_mode(mode: str, kind: EndpointKind) -> Mode:
    """The instructor mode for `--mode` (auto picks by endpoint kind)."""
    if mode == "auto":
        return AUTO_MODES[kind]
    try:
        return _EXPLICIT[mode]
    except KeyError:
        raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODE_NAMES)}") from None


def mode_name(mode: Mode) -> str:
    """Our short name for an instructor mode (what goes into cache keys and provenance)."""
    for name, value in _EXPLICIT.items():
        if value is mode:
            return name
    return mode.value
