"""An LLM opened on first use: a batch of structured records never starts the model server."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import Any

from extract.llm.client import LLM, EndpointConfig, open_llm


class LazyLLM:
    """Opens `open_llm(config)` at the first `ask`; a failure to open is kept and re-raised."""

    def __init__(self, config: EndpointConfig) -> None:
        self.config = config
        self._stack = AsyncExitStack()
        self._llm: LLM | None = None
        self._failure: BaseException | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> LLM:
        async with self._lock:
            if self._failure is not None:
                raise self._failure
            if self._llm is None:
                try:
                    self._llm = await self._stack.enter_async_context(open_llm(self.config))
                except Exception as exc:
                    self._failure = exc
                    raise
            return self._llm

    @property
    def opened(self) -> LLM | None:
        return self._llm

    async def ask(self, **kwargs: Any) -> Any:
        return await (await self.get()).ask(**kwargs)

    async def aclose(self) -> None:
        await self._stack.aclose()
