"""Transport retries: our own backoff loop around one HTTP chat-completion call.

The openai SDK's retries are switched off (max_retries=0) so every retry happens here, is counted,
and is bounded. This loop sits *below* instructor's re-ask loop: instructor hands us the exact
request of one attempt and we resend that same request after a timeout, connection error, 429 or
5xx. A transport failure therefore never becomes a re-ask, and its message never reaches a prompt.
When retries run out we raise LLMTransportError; instructor does not re-ask on it (only parse and
validation errors are re-asked), and the client unwraps it from instructor's wrapper.

A peer check (the embedded server's liveness) runs before every send and after every failed one:
when it raises (ModelServerDied), nothing more is sent and no backoff is waited out.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import openai

from extract.errors import LLMRequestRefused, LLMTransportError

T = TypeVar("T")

RETRYABLE_STATUS = frozenset({408, 409, 429})  # plus every 5xx (same set as the openai SDK's own)


@dataclass(frozen=True)
class RetryPolicy:
    """At most `max_retries` resends; delay = min(cap, base * 2**n) with jitter, or the server's Retry-After."""

    max_retries: int = 4
    base_s: float = 1.0
    cap_s: float = 30.0
    jitter: float = 0.5  # fraction of the delay that is randomised (0 = deterministic)

    def delay(self, retry_index: int, retry_after_s: float | None, rng: random.Random) -> float:
        """Seconds to wait before resend number `retry_index` (0-based)."""
        if retry_after_s is not None:
            return min(self.cap_s, max(0.0, retry_after_s))
        full = min(self.cap_s, self.base_s * (2**retry_index))
        return full * (1.0 - self.jitter) + full * self.jitter * rng.random()


def redact(text: str, secret: str | None) -> str:
    """`text` with every occurrence of `secret` replaced (secrets must not reach logs or error rows)."""
    if not secret:
        return text
    return text.replace(secret, "[REDACTED]")


def is_wire_failure(exc: BaseException) -> bool:
    """An error of the HTTP exchange rather than of our code: SDK errors, or a body that did not parse."""
    return isinstance(exc, openai.APIError | ValueError)


def is_retryable(exc: BaseException) -> bool:
    """Timeouts, refused/reset connections, 408/409/429, 5xx and unparseable bodies: worth resending."""
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(exc, ValueError):  # a proxy's HTML error page with status 200, a truncated body
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in RETRYABLE_STATUS or exc.status_code >= 500
    return False


def retry_after_seconds(exc: BaseException) -> float | None:
    """The server's Retry-After (seconds form) on an HTTP error, if any."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None  # HTTP-date form: fall back to our own backoff


def describe(exc: BaseException) -> str:
    """One line for an error row: the kind of failure and the server's status, not a traceback."""
    if isinstance(exc, openai.APITimeoutError):
        return "request timed out"
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__
        return f"connection failed ({type(cause).__name__ if cause else 'no response'})"
    if isinstance(exc, openai.APIStatusError):
        body = exc.body
        message = body.get("message") if isinstance(body, dict) else None  # the SDK unwraps {"error": {...}}
        text = str(message if message is not None else exc.message or "").strip().replace("\n", " ")
        return f"HTTP {exc.status_code}" + (f": {text[:300]}" if text else "")
    if isinstance(exc, ValueError):
        return f"malformed response body ({type(exc).__name__})"
    return f"{type(exc).__name__}: {str(exc)[:300]}"


async def send_with_retries(
    send: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    secret: str | None,
    on_retry: Callable[[BaseException, float], None] | None = None,
    rng: random.Random | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    check_peer: Callable[[bool], Awaitable[None]] | None = None,
) -> T:
    """`await send()`, resending on retryable failures; LLMTransportError when they persist or are final.

    `check_peer(after_failure)` (optional) raises to stop before a send, or right after a failed one
    (then it may wait briefly for a peer that is going down to be seen as gone).
    """
    rng = rng or random.Random()
    retries = 0
    while True:
        if check_peer is not None:
            await check_peer(False)
        try:
            return await send()
        except Exception as exc:
            if not is_wire_failure(exc):
                raise  # a bug on our side: let it surface as itself
            if check_peer is not None:
                await check_peer(True)
            # A ValueError here is the *HTTP body* failing to parse: it must not reach instructor,
            # which would take it for a parse error of the answer and paste it into a re-ask.
            retryable = is_retryable(exc)
            if not retryable or retries >= policy.max_retries:
                if retryable:
                    what = f"gave up after {retries + 1} tries"
                else:
                    what = "the endpoint refused the request (not retried)"
                error = LLMTransportError if retryable else LLMRequestRefused
                raise error(redact(f"{describe(exc)}; {what}", secret)) from None
            wait = policy.delay(retries, retry_after_seconds(exc), rng)
            if on_retry is not None:
                on_retry(exc, wait)
            retries += 1
            await sleep(wait)
