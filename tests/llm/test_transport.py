"""The transport retry loop on its own: classification, backoff, Retry-After, give-up, redaction."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import httpx2
import openai
import pytest

from extract.errors import LLMTransportError
from extract.llm.transport import RetryPolicy, is_retryable, redact, retry_after_seconds, send_with_retries

REQUEST = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")


def status_error(code: int, headers: dict[str, str] | None = None, message: str = "nope") -> openai.APIStatusError:
    response = httpx2.Response(code, headers=headers or {}, request=REQUEST, content=b"{}")
    cls = {429: openai.RateLimitError, 500: openai.InternalServerError, 400: openai.BadRequestError}.get(
        code, openai.APIStatusError
    )
    return cls(message, response=response, body={"message": message})


@pytest.mark.parametrize(
    ("exc", "retry"),
    [
        (openai.APITimeoutError(request=REQUEST), True),
        (openai.APIConnectionError(request=REQUEST), True),
        (status_error(429), True),
        (status_error(500), True),
        (status_error(503), True),
        (status_error(408), True),
        (status_error(400), False),
        (status_error(401), False),
        (status_error(404), False),
        (json.JSONDecodeError("x", "<html>", 0), True),
    ],
)
def test_classification(exc: BaseException, retry: bool):
    assert is_retryable(exc) is retry


def test_backoff_doubles_up_to_the_cap_without_jitter():
    policy = RetryPolicy(max_retries=9, base_s=1.0, cap_s=5.0, jitter=0.0)
    rng = random.Random(0)
    assert [policy.delay(n, None, rng) for n in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_jitter_stays_within_the_randomised_fraction():
    policy = RetryPolicy(base_s=2.0, cap_s=100.0, jitter=0.5)
    rng = random.Random(42)
    delays = [policy.delay(2, None, rng) for _ in range(200)]  # full delay 8 s
    assert min(delays) >= 4.0 and max(delays) <= 8.0 and len(set(delays)) > 100


def test_retry_after_wins_but_is_capped():
    policy = RetryPolicy(base_s=1.0, cap_s=10.0)
    rng = random.Random(0)
    assert policy.delay(0, 3.0, rng) == 3.0
    assert policy.delay(0, 120.0, rng) == 10.0
    assert retry_after_seconds(status_error(429, {"Retry-After": "7"})) == 7.0
    assert retry_after_seconds(status_error(429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})) is None
    assert retry_after_seconds(status_error(429)) is None


def run_sends(failures: list[BaseException], policy: RetryPolicy, secret: str | None = None) -> tuple[Any, list[float]]:
    calls = iter([*failures, None])
    waits: list[float] = []

    async def send() -> str:
        exc = next(calls)
        if exc is not None:
            raise exc
        return "ok"

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    result = asyncio.run(send_with_retries(send, policy, secret=secret, rng=random.Random(0), sleep=fake_sleep))
    return result, waits


def test_retries_then_succeeds_with_the_server_delay():
    policy = RetryPolicy(max_retries=3, base_s=0.5, cap_s=60.0, jitter=0.0)
    failures = [status_error(429, {"Retry-After": "2"}), openai.APITimeoutError(request=REQUEST)]
    result, waits = run_sends(failures, policy)
    assert result == "ok" and waits == [2.0, 1.0]


def test_gives_up_after_max_retries():
    policy = RetryPolicy(max_retries=2, base_s=0.0, jitter=0.0)
    with pytest.raises(LLMTransportError, match=r"HTTP 500: nope; gave up after 3 tries"):
        run_sends([status_error(500)] * 3, policy)


def test_non_retryable_fails_at_once():
    policy = RetryPolicy(max_retries=5, base_s=0.0)
    with pytest.raises(LLMTransportError, match="not retried") as caught:
        run_sends([status_error(400)], policy)
    assert caught.value.__cause__ is None  # the SDK error (request, headers) is not chained along


def test_bugs_are_not_swallowed():
    with pytest.raises(TypeError):
        run_sends([TypeError("bug")], RetryPolicy())


def test_secret_is_redacted_from_the_error():
    secret = "sk-live-abcdef123456"
    with pytest.raises(LLMTransportError) as caught:
        run_sends([status_error(401, message=f"bad key {secret}")], RetryPolicy(), secret=secret)
    assert secret not in str(caught.value) and "[REDACTED]" in str(caught.value)
    assert redact("x", None) == "x" and redact("a-s-a", "s") == "a-[REDACTED]-a"


def test_a_peer_check_stops_sending_at_once() -> None:
    """The embedded server's liveness is asked before each send and after each failure: once it says the
    server is gone, nothing more is sent and no backoff is slept."""
    from extract.errors import ModelServerDied

    sends: list[int] = []
    sleeps: list[float] = []
    alive = [True]

    async def send() -> str:
        sends.append(1)
        alive[0] = False  # the server dies while answering
        raise openai.APIConnectionError(request=REQUEST)

    async def check_peer(after_failure: bool) -> None:
        if not alive[0]:
            raise ModelServerDied("the embedded model server killed by SIGSEGV (signal 11)")

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def run() -> None:
        await send_with_retries(send, RetryPolicy(max_retries=4), secret=None, sleep=sleep, check_peer=check_peer)

    with pytest.raises(ModelServerDied, match="SIGSEGV"):
        asyncio.run(run())
    assert len(sends) == 1 and sleeps == []
    sends.clear()
    with pytest.raises(ModelServerDied):  # already dead: not even the first send
        asyncio.run(run())
    assert sends == []
