"""Fixtures for LLM tests: a live fake OpenAI-compatible server and a config pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from extract.llm import EndpointConfig

from .fake_openai import FakeOpenAI

TEST_KEY = "sk-test-9f8e7d6c5b4a-SECRET"


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A started fake server (see tests/llm/fake_openai.py for the scripting API); stopped afterwards."""
    fake = FakeOpenAI().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def llm_config(fake_openai: FakeOpenAI, tmp_path: Path) -> Callable[..., EndpointConfig]:
    """`llm_config(mode="tools", **overrides)`: fast timeouts and backoff, cache in tmp_path."""

    def make(**overrides: Any) -> EndpointConfig:
        options: dict[str, Any] = {
            "base_url": fake_openai.base_url,
            "model": "fake-model",
            "api_key": TEST_KEY,
            "mode": "tools",
            "cache_dir": tmp_path / "responses",
            "timeout_s": 2.0,
            "max_transport_retries": 3,
            "backoff_base_s": 0.01,
            "backoff_cap_s": 0.05,
        }
        options.update(overrides)
        return EndpointConfig(**options)

    return make
