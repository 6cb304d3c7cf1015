"""The response cache: keys, hits, replay, determinism, and no secrets on disk."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from extract.errors import CacheMiss
from extract.llm import LLM, CachedAnswer, CallStats, EndpointConfig, ResponseCache, cache_key

from .conftest import TEST_KEY
from .fake_openai import FakeOpenAI, answer
from .models import GOOD, MESSAGES, CriterionSide, Side

BASE_KEY: dict[str, Any] = {
    "model_id": "m",
    "mode": "tools",
    "messages": MESSAGES,
    "schema": CriterionSide.model_json_schema(),
    "temperature": 0.0,
    "seed": 0,
    "max_tokens": 64,
    "prompt_hash": "p1",
}


def ask_many(config: EndpointConfig, calls: list[dict[str, Any]]) -> list[tuple[Any, CallStats]]:
    async def run() -> list[tuple[Any, CallStats]]:
        llm = LLM(config, model_id="fake-model")
        try:
            results = []
            for call in calls:
                options = {"question": "criterion_side", "messages": MESSAGES, "prompt_hash": "p1", **call}
                results.append(await llm.ask(response_model=CriterionSide, **options))
            return results
        finally:
            await llm.aclose()

    return asyncio.run(run())


def cache_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_second_call_is_a_cache_hit_with_zero_tokens(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    fake_openai.script(answer(GOOD, prompt_tokens=50, completion_tokens=6))
    (first, s1), (second, s2) = ask_many(llm_config(), [{}, {}])
    assert first == second and second.side is Side.INCLUSION
    assert (s1.cache_hit, s1.prompt_tokens) == (False, 50)
    assert (s2.cache_hit, s2.attempts, s2.prompt_tokens, s2.completion_tokens) == (True, 0, 0, 0)
    assert len(fake_openai.chat_requests) == 1


def test_changing_the_prompt_hash_changes_the_key(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    fake_openai.script(answer(GOOD), answer({"side": "EXCLUSION"}))
    (_a, s1), (b, s2) = ask_many(llm_config(), [{"prompt_hash": "p1"}, {"prompt_hash": "p2"}])
    assert not s1.cache_hit and not s2.cache_hit and b.side is Side.EXCLUSION
    assert len(fake_openai.chat_requests) == 2
    assert cache_key(**BASE_KEY) != cache_key(**{**BASE_KEY, "prompt_hash": "p2"})


@pytest.mark.parametrize(
    "change",
    [
        {"model_id": "other"},
        {"mode": "json_schema"},
        {"messages": [*MESSAGES[:-1], {"role": "user", "content": "Criterion: Age 18 or older"}]},
        {"schema": {"type": "object"}},
        {"temperature": 0.2},
        {"seed": 1},
        {"max_tokens": 65},
        {"prompt_hash": "p9"},
    ],
)
def test_every_request_field_is_in_the_key(change: dict[str, Any]):
    assert cache_key(**BASE_KEY) != cache_key(**{**BASE_KEY, **change})


def test_key_is_stable():
    reordered = {k: BASE_KEY[k] for k in reversed(list(BASE_KEY))}
    assert cache_key(**BASE_KEY) == cache_key(**reordered)
    # Pinned: a change here silently invalidates every committed cache (bump CACHE_FORMAT on purpose instead).
    assert cache_key(**BASE_KEY) == "192ce8551649ac68f1c27cf417fe666f59be229277cf92a83bb5acd6da026dec"


def test_replay_miss_raises_cache_miss_naming_the_question(llm_config: Callable[..., Any], fake_openai: FakeOpenAI):
    with pytest.raises(CacheMiss, match="'inclusion_side'"):
        ask_many(llm_config(replay=True), [{"question": "inclusion_side"}])
    assert fake_openai.chat_requests == []


def test_replay_hit_needs_no_endpoint(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    fake_openai.script(answer(GOOD))
    ask_many(llm_config(), [{}])
    dead = llm_config(base_url="http://127.0.0.1:9/v1", replay=True)  # nothing listens on port 9
    [(value, stats)] = ask_many(dead, [{}])
    assert value.side is Side.INCLUSION and stats.cache_hit


def test_api_key_appears_nowhere_in_the_cache(fake_openai: FakeOpenAI, llm_config: Callable[..., Any], tmp_path: Path):
    fake_openai.script(answer(GOOD), answer({"side": "MAYBE"}), answer({"side": "EXCLUSION"}))
    ask_many(llm_config(), [{}, {"prompt_hash": "p2"}])
    files = cache_files(tmp_path / "responses")
    assert len(files) == 2
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert TEST_KEY not in text and "Bearer" not in text
    assert fake_openai.chat_headers[0]["authorization"] == f"Bearer {TEST_KEY}"  # it was used, just not stored


def test_cache_file_is_sharded_deterministic_and_complete(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    fake_openai.script(answer({"side": "MAYBE"}, prompt_tokens=11), answer(GOOD, prompt_tokens=13))
    config = llm_config()
    ask_many(config, [{}])
    [path] = cache_files(config.responses_dir)
    key = path.stem
    assert path.parent.name == key[:2] and len(key) == 64
    text = path.read_text(encoding="utf-8")
    entry = ResponseCache(config.responses_dir).get(key)
    assert entry == CachedAnswer(
        answer=GOOD,
        attempts=2,
        prompt_tokens=24,
        completion_tokens=10,
        question="criterion_side",
        prompt_hash="p1",
        model_id="fake-model",
        mode="tools",
    )
    rewritten = ResponseCache(config.responses_dir).put(key, entry)
    assert rewritten.read_text(encoding="utf-8") == text  # no timestamps: same entry, same bytes
    assert list(path.parent.glob("*.tmp")) == []


def test_damaged_entry_is_a_miss(tmp_path: Path):
    cache = ResponseCache(tmp_path)
    key = cache_key(**BASE_KEY)
    entry = CachedAnswer(GOOD, 1, 1, 1, "q", "p1", "m", "tools")
    cache.put(key, entry)
    assert cache.get(key) == entry
    cache.path_for(key).write_text('{"format": 1, "key": "', encoding="utf-8")
    assert cache.get(key) is None
    assert cache.get("ab" + "0" * 62) is None


def test_cached_answer_failing_the_current_model_is_asked_again(
    fake_openai: FakeOpenAI, llm_config: Callable[..., Any]
):
    config = llm_config()
    key = cache_key(**{**BASE_KEY, "model_id": "fake-model", "max_tokens": 512})
    ResponseCache(config.responses_dir).put(
        key, CachedAnswer({"side": "MAYBE"}, 1, 1, 1, "q", "p1", "fake-model", "tools")
    )
    fake_openai.script(answer(GOOD))
    [(value, stats)] = ask_many(config, [{}])
    assert value.side is Side.INCLUSION and not stats.cache_hit
    assert len(fake_openai.chat_requests) == 1
