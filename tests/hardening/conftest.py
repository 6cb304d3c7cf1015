"""Hardening tests reuse the fake OpenAI server from tests/llm."""

from tests.llm.conftest import fake_openai, llm_config  # noqa: F401  (pytest fixtures)
