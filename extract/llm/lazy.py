"""An LLM opened on first need: structured-only batches never start the model server (nor import
the model client), and for the embedded model, answers already in the response cache are served
without starting it."""

from __future__ import annotations

import asyncio
import dataclasses
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

from extract.errors import CacheMiss
from extract.llm.config import EndpointConfig

if TYPE_CHECKING:
    from extract.llm.client import LLM


class LazyLLM:
    """Opens `open_llm(config)` at the first `ask` that needs it; a failure to open is kept and re-raised."""

    def __init__(self, config: EndpointConfig) -> None:
        self.config = config
        self._stack = AsyncExitStack()
        self._llm: LLM | None = None
        self._cached: LLM | None = None  # replay-only twin of the embedded model: no server, cache only
        self._failure: BaseException | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> LLM:
        async with self._lock:
            if self._failure is not None:
                raise self._failure
            if self._llm is None:
                from extract.llm.client import open_llm

                try:
                    self._llm = await self._stack.enter_async_context(open_llm(self.config))
                except Exception as exc:
                    self._failure = exc
                    raise
            return self._llm

    async def _cache_only(self) -> LLM | None:
        """For the embedded model only: starting its server costs seconds, a cache lookup nothing."""
        if not self.config.embedded or self.config.replay or self._llm is not None:
            return None
        async with self._lock:
            if self._cached is None:
                from extract.llm.client import open_llm

                replay = dataclasses.replace(self.config, replay=True)
                self._cached = await self._stack.enter_async_context(open_llm(replay))
            return self._cached

    @property
    def opened(self) -> LLM | None:
        return self._llm or self._cached

    async def ask(self, **kwargs: Any) -> Any:
        cached = await self._cache_only()
        if cached is not None:
            try:
                return await cached.ask(**kwargs)
            except CacheMiss:
                pass
        return await (await self.get()).ask(**kwargs)

    async def aclose(self) -> None:
        await self._stack.aclose()
