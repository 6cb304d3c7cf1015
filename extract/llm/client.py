"""One way to ask a model a question and get a validated pydantic answer back.

`open_llm(config)` gives an `LLM` for the configured endpoint (the embedded model server when no base
URL is configured anywhere) and `LLM.ask` does: response cache -> instructor over AsyncOpenAI (re-asks
on validation errors, at most `max_reasks`) -> our transport retry loop under each attempt (timeouts,
429, 5xx; the SDK's own retries are off) -> cache write. Every call returns CallStats: attempts and
tokens counted per attempt with instructor's "completion:response" hook, never from instructor's own
running total (which differs between versions). `attempts` counts every HTTP request sent (model
calls and transport resends); a failed ask carries its CallStats on the LLMError it raises.

instructor 1.17.0 semantics we rely on (pinned by tests/llm/test_client.py):
- `max_retries=N` means N re-asks after the first attempt, so at most N+1 model calls;
- only parse/validation errors are re-asked; any other exception from the create function ends the
  loop at once, wrapped in InstructorRetryException (we unwrap our LLMTransportError from it);
- `context=None` means no Jinja templating of our messages (record text may contain "{{").
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import instructor
import openai
from instructor import Mode, Provider
from instructor.core import Hooks, IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel, ValidationError

from extract.errors import (
    CacheMiss,
    LLMError,
    LLMInvalidAnswer,
    LLMTransportError,
    RequestDeferred,
    describe_validation_error,
)
from extract.model.provenance import CallStats

from .cache import CachedAnswer, ResponseCache, cache_key
from .config import EndpointConfig
from .local_model import MODEL_FILENAME, MODEL_ID, model_id_for, resolve_model_file, user_cache_dir
from .modes import EndpointKind, adapt_request, fetch_models, kind_from_models, kind_from_url, mode_name, model_ids
from .modes import resolve_mode as resolve_instructor_mode
from .server import EmbeddedServer, server_log_path
from .transport import describe, redact, send_with_retries

T = TypeVar("T", bound=BaseModel)

log = logging.getLogger("extract.llm")
setup_log = logging.getLogger("extract.llm.setup")  # what a user waits for on a first run (shown by the CLI)
# instructor logs every failed attempt at ERROR; with no logging configured Python would print those
# to stderr. We report failures ourselves (error rows), so keep its records off the terminal.
logging.getLogger("instructor").addHandler(logging.NullHandler())

NO_KEY = "sk-no-key"  # the SDK insists on a key; local servers ignore it


def safe_url(url: str | None) -> str | None:
    """The URL without user:password@ and query (both may carry credentials), for provenance and logs."""
    if url is None:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@dataclass
class _Tally:
    """Per-call counters fed by instructor's hooks and our retry loop."""

    attempts: int = 0  # instructor's model calls (1 + re-asks)
    requests: int = 0  # HTTP requests sent: model calls plus transport resends
    prompt_tokens: int = 0
    completion_tokens: int = 0
    transport_retries: int = 0
    last_text: str = ""

    def on_kwargs(self, *args: Any, **kwargs: Any) -> None:
        self.attempts += 1

    def on_response(self, response: Any) -> None:
        usage = getattr(response, "usage", None)
        self.prompt_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
        self.completion_tokens += int(getattr(usage, "completion_tokens", 0) or 0)
        self.last_text = _answer_text(response)


def _answer_text(response: Any) -> str:
    """The raw answer of a completion (tool arguments or content), for error messages."""
    try:
        message = response.choices[0].message
        if message.tool_calls:
            return str(message.tool_calls[0].function.arguments or "")
        return str(message.content or "")
    except (AttributeError, IndexError, TypeError):
        return ""


def _describe_parse_error(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return describe_validation_error(exc)
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"


class LLM:
    """Asks one endpoint; `ask` is safe to call concurrently (bound concurrency outside)."""

    def __init__(
        self,
        config: EndpointConfig,
        *,
        model_id: str,
        kind: EndpointKind | None = None,
        client: openai.AsyncOpenAI | None = None,
        server_health: Callable[[float], None] | None = None,
    ) -> None:
        """`server_health(grace_s)` raises ModelServerDied once the embedded server's process is gone."""
        self.config = config
        self._server_health = server_health
        self._model_id = model_id
        self._kind = kind if kind is not None else (EndpointKind.EMBEDDED if config.embedded else None)
        self._mode: Mode | None = None
        self._model: str | None = config.model
        self._cache = ResponseCache(config.responses_dir)
        self._policy = config.retry_policy()
        self._rng = random.Random()
        self._ready_lock = asyncio.Lock()
        self._client = client
        if self._client is None and config.base_url is not None and not config.replay:
            self._client = openai.AsyncOpenAI(
                base_url=config.base_url,
                api_key=config.api_key or NO_KEY,
                max_retries=0,  # every retry is ours (transport.py), counted and bounded
                timeout=config.timeout_s,
            )

    @property
    def model_id(self) -> str:
        """Cache-key and provenance id: as given, else the model name resolved by `ready()`."""
        return self._model_id or self._model or ""

    @property
    def kind(self) -> EndpointKind | None:
        return self._kind

    @property
    def mode(self) -> Mode | None:
        """The resolved instructor mode (None until `ready()` or the first `ask`)."""
        return self._mode

    @property
    def recommended_concurrency(self) -> int:
        """llama.cpp-based local servers run one request at a time; parallel calls only queue there."""
        local = {EndpointKind.EMBEDDED, EndpointKind.LLAMA_CPP_PYTHON, EndpointKind.LLAMA_CPP, EndpointKind.OLLAMA}
        return 1 if self._kind in local else 8

    def provenance(self) -> dict[str, Any]:
        """What produced the answers, for output rows: never the key, never credentials in the URL."""
        return {
            "model_id": self.model_id,
            "model": self._model,
            "endpoint_kind": self._kind.value if self._kind else None,
            "mode": mode_name(self._mode) if self._mode else None,
            "base_url": None if self._kind is EndpointKind.EMBEDDED else safe_url(self.config.base_url),
            "temperature": self.config.temperature,
            "seed": self.config.seed,
            "max_reasks": self.config.max_reasks,
        }

    async def ready(self) -> None:
        """Resolve the endpoint kind (mode auto) and the model name (when not configured); once."""
        async with self._ready_lock:
            if self._mode is not None:
                return
            payload: Any = None
            fetched = False
            base_url, key, probe_timeout = self.config.base_url, self.config.api_key, min(10.0, self.config.timeout_s)
            if self._kind is None and base_url is not None:
                self._kind = kind_from_url(base_url)  # free; the /models probe only when the mode depends on it
                if self._kind is None and self.config.mode == "auto":
                    payload, fetched = await fetch_models(base_url, key, probe_timeout), True
                    self._kind = kind_from_models(payload)
            if self._model is None and base_url is not None:
                if not fetched:
                    payload = await fetch_models(base_url, key, probe_timeout)
                ids = model_ids(payload)
                if len(ids) != 1:
                    listed = f"it lists {', '.join(ids[:10])}" if ids else "its /models did not answer"
                    raise LLMTransportError(
                        redact(
                            f"no --model given and the endpoint does not name exactly one model ({listed})",
                            self.config.api_key,
                        )
                    )
                self._model = ids[0]
            self._mode = resolve_instructor_mode(self.config.mode, self._kind or EndpointKind.UNKNOWN)
            log.info("LLM endpoint kind=%s mode=%s model=%s", self._kind, mode_name(self._mode), self._model)

    def request_key(
        self, *, messages: list[dict[str, str]], response_model: type[BaseModel], prompt_hash: str, max_tokens: int
    ) -> str:
        """The response-cache key of one question (after `ready()`): what `ask` looks up and stores under."""
        assert self._mode is not None, "ready() first"
        return cache_key(
            model_id=self.model_id,
            mode=mode_name(self._mode),
            messages=messages,
            schema=response_model.model_json_schema(),
            temperature=self.config.temperature,
            seed=self.config.seed,
            max_tokens=max_tokens,
            prompt_hash=prompt_hash,
        )

    async def ask(
        self,
        *,
        question: str,
        messages: list[dict[str, str]],
        response_model: type[T],
        prompt_hash: str,
        max_tokens: int = 512,
    ) -> tuple[T, CallStats]:
        """The validated answer and its cost; raises CacheMiss, LLMTransportError or LLMInvalidAnswer."""
        started = time.perf_counter()
        await self.ready()
        assert self._mode is not None
        mode = mode_name(self._mode)
        model_id = self.model_id
        key = self.request_key(
            messages=messages, response_model=response_model, prompt_hash=prompt_hash, max_tokens=max_tokens
        )
        cached = self._cache.get(key)
        if cached is not None:
            try:
                value = response_model.model_validate(cached.answer)
            except ValidationError:
                value = None  # the answer model's validators changed: ask again
            if value is not None:
                seconds = time.perf_counter() - started
                return value, CallStats(question, True, 0, 0, 0, seconds, 0, mode, model_id)
        if self.config.replay:
            raise CacheMiss(
                f"--replay: no cached answer for question {question!r} (model {model_id}, mode {mode}, "
                f"key {key[:16]}, cache {self._cache.root})"
            )

        tally = _Tally()
        try:
            value = await self._call(tally, messages, response_model, max_tokens)
        except LLMError as exc:
            exc.stats = self._stats(question, tally, started, mode)  # the failure's cost, for its error row
            raise
        stats = self._stats(question, tally, started, mode)
        answer_json = value.model_dump(mode="json")
        # Rebuild from JSON, as a cache hit does: the same object either way, without instructor's
        # private _raw_response riding along (it would also make hit and miss answers compare unequal).
        value = response_model.model_validate(answer_json)
        self._cache.put(
            key,
            CachedAnswer(
                answer=answer_json,
                attempts=tally.requests,
                prompt_tokens=tally.prompt_tokens,
                completion_tokens=tally.completion_tokens,
                question=question,
                prompt_hash=prompt_hash,
                model_id=model_id,
                mode=mode,
            ),
        )
        return value, stats

    def _stats(self, question: str, tally: _Tally, started: float, mode: str) -> CallStats:
        return CallStats(
            question=question,
            cache_hit=False,
            attempts=tally.requests,
            prompt_tokens=tally.prompt_tokens,
            completion_tokens=tally.completion_tokens,
            seconds=time.perf_counter() - started,
            transport_retries=tally.transport_retries,
            mode=mode,
            model_id=self.model_id,
        )

    def _instructor(self, tally: _Tally) -> instructor.AsyncInstructor:
        """instructor over our retrying create function (one per call, so counters never mix)."""
        client = self._client
        assert client is not None and self._mode is not None
        secret = self.config.api_key

        def on_retry(exc: BaseException, wait: float) -> None:
            tally.transport_retries += 1
            log.info("LLM transport retry in %.2fs: %s", wait, redact(describe(exc), secret))

        health = self._server_health

        async def check_peer(after_failure: bool) -> None:
            assert health is not None
            if after_failure:  # the connection broke: give a dying server a moment to be seen as dead
                await asyncio.to_thread(health, 2.0)
            else:
                health(0.0)

        async def create(**kwargs: Any) -> Any:
            request = adapt_request(self._kind, kwargs)

            def send() -> Any:
                tally.requests += 1
                return client.chat.completions.create(**request)

            return await send_with_retries(
                send,
                self._policy,
                secret=secret,
                on_retry=on_retry,
                rng=self._rng,
                check_peer=check_peer if health is not None else None,
            )

        patched = instructor.patch(create=create, mode=self._mode, provider=Provider.OPENAI)
        return instructor.AsyncInstructor(client=client, create=patched, mode=self._mode, provider=Provider.OPENAI)

    async def _call(self, tally: _Tally, messages: list[dict[str, str]], response_model: type[T], max_tokens: int) -> T:
        hooks = Hooks()
        hooks.on("completion:kwargs", tally.on_kwargs)
        hooks.on("completion:response", tally.on_response)
        token_limit = "max_completion_tokens" if self._kind is EndpointKind.OPENAI else "max_tokens"
        secret = self.config.api_key
        try:
            value, _completion = await self._instructor(tally).create_with_completion(
                messages=[dict(message) for message in messages],  # type: ignore[misc]
                response_model=response_model,
                max_retries=self.config.max_reasks,
                strict=False,  # lax parsing ("1" for 1) is kinder to small models; the schema still rules
                hooks=hooks,
                model=self._model,
                temperature=self.config.temperature,
                seed=self.config.seed,
                **{token_limit: max_tokens},
            )
        except InstructorRetryException as exc:
            cause = exc.__cause__
            if isinstance(cause, RequestDeferred):  # batch prepare: the request was written down, not sent
                raise cause from None
            if isinstance(cause, LLMTransportError):
                raise type(cause)(  # keep the subclass: a refused request stays LLMRequestRefused
                    redact(f"{cause} (on model call {tally.attempts} of at most {self.config.max_reasks + 1})", secret)
                ) from None
            detail = _describe_parse_error(cause) if cause is not None else str(exc)[:300]
            raise LLMInvalidAnswer(
                redact(
                    f"the answer failed its schema after {tally.attempts} attempts "
                    f"(max_reasks={self.config.max_reasks}): {detail}; last answer: {tally.last_text[:200]!r}",
                    secret,
                )
            ) from None
        except IncompleteOutputException:
            raise LLMInvalidAnswer(
                redact(f"the answer was cut off at max_tokens={max_tokens}: {tally.last_text[:200]!r}", secret)
            ) from None
        return value

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()


@contextlib.asynccontextmanager
async def open_llm(config: EndpointConfig) -> AsyncIterator[LLM]:
    """An LLM for `config`; with no base URL, starts the embedded model server and stops it afterwards.

    With `replay=True` nothing is started and nothing is sent: every answer must come from the cache.
    """
    if not config.embedded:
        llm = LLM(config, model_id=config.model or "", kind=None)
        try:
            await llm.ready()
            yield llm
        finally:
            await llm.aclose()
        return

    model_id = embedded_model_id(config)
    if config.replay:
        llm = LLM(dataclasses.replace(config, model=model_id), model_id=model_id, kind=EndpointKind.EMBEDDED)
        await llm.ready()
        yield llm
        return

    model_file = await asyncio.to_thread(resolve_model_file, config.local_model, progress=_AssemblyLog())
    settings = dataclasses.replace(config.server, model_alias=model_id)
    server = EmbeddedServer(model_file, server_log_path(user_cache_dir() / "logs"), settings)
    setup_log.info("starting the embedded model server (loading %s)", model_file.name)
    server.spawn()  # in this thread, so the child is tied to the caller, not to a worker thread
    llm: LLM | None = None
    try:
        await asyncio.to_thread(server.wait_ready)
        setup_log.info("embedded model server ready in %.1f s", server.startup_seconds or 0.0)
        embedded = dataclasses.replace(config, base_url=server.base_url, model=model_id, api_key=None)
        llm = LLM(embedded, model_id=model_id, kind=EndpointKind.EMBEDDED, server_health=server.raise_if_dead)
        await llm.ready()
        yield llm
    finally:
        if llm is not None:
            await llm.aclose()
        server.stop()


@dataclass
class _AssemblyLog:
    """Progress of the first run's model assembly (1.1 GB, tens of seconds), logged every 10%."""

    next_percent: int = 0

    def __call__(self, done: int, total: int) -> None:
        percent = 100 * done // max(1, total)
        if percent >= self.next_percent:
            setup_log.info("assembling the embedded model: %d%% of %.1f GB", percent, total / 1e9)
            self.next_percent = percent - percent % 10 + 10


def embedded_model_id(config: EndpointConfig) -> str:
    """The embedded model's id without assembling it (so --replay works where the model is absent)."""
    if config.local_model is None:
        return MODEL_ID
    path = Path(config.local_model).expanduser()
    if path.name == MODEL_FILENAME:
        return MODEL_ID
    if not path.is_file():
        from extract.errors import ModelSetupError

        raise ModelSetupError(f"--local-model: no such file: {path}")
    return model_id_for(path)
