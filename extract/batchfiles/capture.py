"""Write model questions down instead of sending them: the LLM stand-in behind `trialqa batch prepare`.

The page extractor runs as in `extract`, through the real `LLM` (response cache, instructor in the
resolved mode, the openai SDK), but the SDK's HTTP transport captures the request instead of sending
it. So a batch line's body is, by construction, exactly what a live run would POST, and its
`custom_id` is the response-cache key that a live run would store the answer under. A question whose
answer is cached is answered from the cache; one that is not raises `RequestDeferred`, which stops
that page (later questions may depend on this answer), so each round emits the questions reachable
with the answers cached so far.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, TypeVar

import httpx
import openai
import orjson
from pydantic import BaseModel

from extract.errors import RequestDeferred
from extract.llm.client import LLM, NO_KEY, EndpointConfig, embedded_model_id
from extract.llm.modes import EndpointKind

T = TypeVar("T", bound=BaseModel)

# The embedded model has no URL until its server starts; batch prepare never starts it.
UNSENT_BASE_URL = "http://batch.invalid/v1"


@dataclass(frozen=True)
class PendingQuestion:
    """What `batch ingest` needs to check and store an answer: the question's schema and cache-entry fields."""

    key: str
    question: str
    prompt_hash: str
    model_id: str
    mode: str
    schema: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PendingQuestion:
        return cls(
            key=str(data["key"]),
            question=str(data["question"]),
            prompt_hash=str(data["prompt_hash"]),
            model_id=str(data["model_id"]),
            mode=str(data["mode"]),
            schema=dict(data["schema"]),
        )


@dataclass(frozen=True)
class BatchRequest:
    """One OpenAI Batch input line: custom_id = the response-cache key, body = the exact request."""

    pending: PendingQuestion
    body: dict[str, Any]

    @property
    def key(self) -> str:
        return self.pending.key

    def to_line(self) -> bytes:
        line = {"custom_id": self.key, "method": "POST", "url": "/v1/chat/completions", "body": self.body}
        return orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE)


class _Captured(Exception):  # a signal carrying the body, never shown
    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__("request captured")
        self.body = body


class _CaptureTransport(httpx.AsyncBaseTransport):
    """An httpx transport that keeps the request body and sends nothing."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise _Captured(orjson.loads(request.content))


class _Completions:
    def __init__(self, sdk: openai.AsyncOpenAI) -> None:
        self._sdk = sdk

    async def create(self, **kwargs: Any) -> Any:
        try:
            return await self._sdk.chat.completions.create(**kwargs)
        except openai.APIConnectionError as exc:  # the SDK wraps whatever its transport raises
            if isinstance(exc.__cause__, _Captured):
                body = exc.__cause__.body
                raise RequestDeferred("no cached answer yet: the request goes to the batch file", body) from None
            raise


class CapturingClient:
    """Stands in for `openai.AsyncOpenAI` inside `LLM`: `chat.completions.create` builds the request with
    the real SDK, then raises RequestDeferred carrying its JSON body."""

    def __init__(self, base_url: str, api_key: str | None) -> None:
        self._http = httpx.AsyncClient(transport=_CaptureTransport())
        self._sdk = openai.AsyncOpenAI(
            base_url=base_url, api_key=api_key or NO_KEY, max_retries=0, http_client=self._http
        )
        self.chat = SimpleNamespace(completions=_Completions(self._sdk))

    async def close(self) -> None:
        await self._sdk.close()
        await self._http.aclose()


async def capturing_llm(config: EndpointConfig) -> LLM:
    """An `LLM` for `config` that answers from the cache and defers everything else; nothing is started
    or sent (the mode is resolved as `extract` resolves it, which may ask a reachable endpoint's /models)."""
    config = dataclasses.replace(config, replay=False)
    if config.embedded:
        model_id = embedded_model_id(config)
        config = dataclasses.replace(config, model=model_id)
        client = CapturingClient(UNSENT_BASE_URL, None)
        llm = LLM(config, model_id=model_id, kind=EndpointKind.EMBEDDED, client=client)  # type: ignore[arg-type]
    else:
        assert config.base_url is not None
        client = CapturingClient(config.base_url, config.api_key)
        llm = LLM(config, model_id=config.model or "", kind=None, client=client)  # type: ignore[arg-type]
    await llm.ready()
    return llm


@dataclass
class RecordingAsker:
    """The `Asker` the strategies see during prepare: cached answers pass through, misses are recorded."""

    llm: LLM
    deferred: dict[str, BatchRequest] = field(default_factory=dict)

    async def ask(
        self,
        *,
        question: str,
        messages: list[dict[str, str]],
        response_model: type[T],
        prompt_hash: str,
        max_tokens: int = 512,
    ) -> tuple[T, Any]:
        try:
            return await self.llm.ask(
                question=question,
                messages=messages,
                response_model=response_model,
                prompt_hash=prompt_hash,
                max_tokens=max_tokens,
            )
        except RequestDeferred as exc:
            key = self.llm.request_key(
                messages=messages, response_model=response_model, prompt_hash=prompt_hash, max_tokens=max_tokens
            )
            mode = self.llm.provenance()["mode"]
            pending = PendingQuestion(
                key=key,
                question=question,
                prompt_hash=prompt_hash,
                model_id=self.llm.model_id,
                mode=str(mode),
                schema=response_model.model_json_schema(),
            )
            self.deferred.setdefault(key, BatchRequest(pending, exc.body))
            raise
