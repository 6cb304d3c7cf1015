"""LLM.ask against the scripted fake server: re-asks, transport retries, errors, token accounting."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from extract.errors import LLMInvalidAnswer, LLMRequestRefused, LLMTransportError
from extract.llm import LLM, CallStats, EndpointConfig

from .conftest import TEST_KEY
from .fake_openai import FakeOpenAI, answer, garbage, raw, sleep, status, truncated
from .models import GOOD, MESSAGES, CriterionSide, Side


def ask(config: EndpointConfig, *, messages: list[dict[str, str]] = MESSAGES, **kw: Any) -> tuple[Any, CallStats]:
    async def run() -> tuple[Any, CallStats]:
        llm = LLM(config, model_id="fake-model")
        try:
            return await llm.ask(
                question=kw.get("question", "criterion_side"),
                messages=messages,
                response_model=CriterionSide,
                prompt_hash=kw.get("prompt_hash", "p1"),
                max_tokens=kw.get("max_tokens", 64),
            )
        finally:
            await llm.aclose()

    return asyncio.run(run())


def ask_error(config: EndpointConfig, error: type[Exception]) -> Any:
    with pytest.raises(error) as caught:
        ask(config)
    return caught.value


def test_valid_answer_counts_one_attempt_and_its_tokens(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    fake_openai.script(answer(GOOD, prompt_tokens=123, completion_tokens=7))
    value, stats = ask(llm_config())
    assert value.side is Side.INCLUSION
    assert (stats.cache_hit, stats.attempts, stats.transport_retries) == (False, 1, 0)
    assert (stats.prompt_tokens, stats.completion_tokens) == (123, 7)
    assert stats.question == "criterion_side" and stats.mode == "tools" and stats.model_id == "fake-model"
    assert len(fake_openai.chat_requests) == 1


@pytest.mark.parametrize("bad", [raw("this is not JSON"), answer({"side": "MAYBE"}), answer({"wrong": 1})])
def test_bad_answer_is_reasked_and_tokens_of_every_attempt_count(
    fake_openai: FakeOpenAI, llm_config: Callable[..., Any], bad: Any
):
    fake_openai.script(bad, answer(GOOD, prompt_tokens=30, completion_tokens=4))
    value, stats = ask(llm_config())
    assert value.side is Side.INCLUSION
    assert stats.attempts == 2
    assert (stats.prompt_tokens, stats.completion_tokens) == (10 + 30, 5 + 4)
    reask = fake_openai.chat_requests[1]["messages"]
    assert len(reask) > len(fake_openai.chat_requests[0]["messages"])
    assert "Validation Error" in reask[-1]["content"]


@pytest.mark.parametrize("max_reasks", [0, 1, 2])
def test_reasks_are_bounded_by_max_reasks(fake_openai: FakeOpenAI, llm_config: Callable[..., Any], max_reasks: int):
    fake_openai.responder = lambda body: answer({"side": "MAYBE"})
    error = ask_error(llm_config(max_reasks=max_reasks), LLMInvalidAnswer)
    assert len(fake_openai.chat_requests) == max_reasks + 1  # instructor 1.17: max_retries = re-asks
    assert error.stats.attempts == max_reasks + 1
    assert error.stats.prompt_tokens == 10 * (max_reasks + 1)
    assert "side" in str(error) and "MAYBE" in str(error)


def test_rate_limit_is_retried_with_retry_after_without_a_reask(
    fake_openai: FakeOpenAI, llm_config: Callable[..., Any]
):
    fake_openai.script(status(429, "slow down", retry_after=0), status(503, "busy"), answer(GOOD))
    value, stats = ask(llm_config())
    assert value.side is Side.INCLUSION
    assert (stats.attempts, stats.transport_retries) == (3, 2)  # attempts = requests sent
    bodies = fake_openai.chat_requests
    assert len(bodies) == 3 and bodies[0] == bodies[1] == bodies[2]  # the same request resent, not a re-ask


def test_timeout_is_retried(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    fake_openai.script(sleep(3.0), answer(GOOD))
    value, stats = ask(llm_config(timeout_s=0.3))
    assert value.side is Side.INCLUSION
    assert (stats.attempts, stats.transport_retries) == (2, 1)


def test_garbage_http_body_is_a_transport_failure_not_a_reask(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    fake_openai.script(garbage(), answer(GOOD))
    _value, stats = ask(llm_config())
    assert (stats.attempts, stats.transport_retries) == (2, 1)
    assert fake_openai.chat_requests[0] == fake_openai.chat_requests[1]


def test_persistent_5xx_ends_in_transport_error_with_retries_counted(
    fake_openai: FakeOpenAI, llm_config: Callable[..., Any]
):
    fake_openai.responder = lambda body: status(500, "upstream exploded")
    error = ask_error(llm_config(max_transport_retries=3), LLMTransportError)
    assert len(fake_openai.chat_requests) == 4
    assert error.stats.transport_retries == 3 and error.stats.attempts == 4
    assert "HTTP 500" in str(error) and "upstream exploded" in str(error)


def test_persistent_timeout_ends_in_transport_error(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    fake_openai.responder = lambda body: sleep(3.0)
    error = ask_error(llm_config(timeout_s=0.2, max_transport_retries=1), LLMTransportError)
    assert "timed out" in str(error)
    assert len(fake_openai.chat_requests) == 2


def test_client_errors_are_not_retried(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    fake_openai.script(status(400, "bad request"))
    error = ask_error(llm_config(), LLMTransportError)
    assert len(fake_openai.chat_requests) == 1 and "not retried" in str(error)
    assert isinstance(error, LLMRequestRefused)  # its own type: a resume does not retry it either


def test_transport_error_text_never_reaches_a_later_request(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    marker = "UPSTREAM-MELTDOWN-7731"
    fake_openai.script(
        answer({"side": "MAYBE"}),  # re-ask follows
        status(500, marker),
        status(429, marker, retry_after=0),
        sleep(3.0),
        answer(GOOD),
    )
    value, stats = ask(llm_config(timeout_s=0.3))
    assert value.side is Side.INCLUSION
    assert (stats.attempts, stats.transport_retries) == (5, 3)  # 2 model calls + 3 resends
    assert marker not in fake_openai.all_request_text()
    assert "Request timed out" not in fake_openai.all_request_text()
    assert "MAYBE" in fake_openai.all_request_text()  # the validation error, by contrast, is re-asked


def test_truncated_answer_is_an_invalid_answer(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    fake_openai.script(truncated('{"side": "INCL'))
    error = ask_error(llm_config(), LLMInvalidAnswer)
    assert "max_tokens=64" in str(error)


def test_api_key_is_sent_as_bearer_but_redacted_from_errors(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    fake_openai.responder = lambda body: status(500, f"invalid key {TEST_KEY} rejected")
    error = ask_error(llm_config(max_transport_retries=0), LLMTransportError)
    assert fake_openai.chat_headers[0]["authorization"] == f"Bearer {TEST_KEY}"
    assert TEST_KEY not in str(error) and "[REDACTED]" in str(error)
    assert TEST_KEY not in repr(llm_config())


def test_temperature_seed_and_max_tokens_are_always_sent(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    fake_openai.script(answer({"side": "MAYBE"}), answer(GOOD))
    ask(llm_config(seed=7), max_tokens=99)
    for body in fake_openai.chat_requests:
        assert (body["temperature"], body["seed"], body["max_tokens"], body["model"]) == (0.0, 7, 99, "fake-model")


def test_messages_are_not_templated(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    fake_openai.script(answer(GOOD))
    text = "Criterion: dose {{ weight }} mg/kg {% if x %}"
    ask(llm_config(), messages=[{"role": "user", "content": text}])
    assert fake_openai.chat_requests[0]["messages"][0]["content"] == text


def test_concurrent_asks_keep_separate_counts(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    def respond(body: dict[str, Any]) -> Any:
        last = body["messages"][-1]["content"]
        if "bad" in last and len(body["messages"]) == 1:
            return answer({"side": "MAYBE"}, prompt_tokens=1)
        return answer(GOOD, prompt_tokens=1)

    fake_openai.responder = respond
    config = llm_config()

    async def run() -> list[tuple[Any, CallStats]]:
        llm = LLM(config, model_id="fake-model")
        try:
            return await asyncio.gather(
                *(
                    llm.ask(
                        question=f"q{i}",
                        messages=[{"role": "user", "content": f"{'bad' if i % 2 else 'good'} {i}"}],
                        response_model=CriterionSide,
                        prompt_hash="p",
                    )
                    for i in range(6)
                )
            )
        finally:
            await llm.aclose()

    results = asyncio.run(run())
    assert [stats.attempts for _value, stats in results] == [1, 2, 1, 2, 1, 2]
    assert [stats.prompt_tokens for _value, stats in results] == [1, 2, 1, 2, 1, 2]
