"""Page through `/studies` by cursor (pageToken -> nextPageToken), backing off on 429 and 5xx.

The HTTP client and the sleep are injected (an httpx.Client with any transport; `time.sleep` or a
recorder), so the policy is tested without waiting and against a local server.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from extract.errors import TrialQAError
from extract.fetch.query import StudyQuery

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class FetchError(TrialQAError):
    """The API refused the request, or kept failing after every retry, or answered in another shape."""


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait between tries: Retry-After when the server sends one (capped), else exponential."""

    attempts: int = 6
    first_wait_s: float = 1.0
    max_wait_s: float = 60.0

    def wait_s(self, attempt: int, retry_after: str | None, now: float | None = None) -> float:
        """Seconds to wait after failed try number `attempt` (0-based)."""
        told = _retry_after_s(retry_after, time.time() if now is None else now)
        wait = told if told is not None else self.first_wait_s * 2**attempt
        return max(0.0, min(wait, self.max_wait_s))


def _retry_after_s(value: str | None, now: float) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date (RFC 9110 section 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.timestamp() - now


@dataclass(frozen=True)
class Page:
    studies: list[Any]
    next_page_token: str | None
    total_count: int | None


Sleep = Callable[[float], None]
DEFAULT_POLICY = RetryPolicy()


def fetch_pages(
    client: httpx.Client,
    query: StudyQuery,
    *,
    page_token: str | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Sleep = time.sleep,
) -> Iterator[Page]:
    """Every page from `page_token` on (the first page when None), in order."""
    token = page_token
    while True:
        params = query.params()
        if token is not None:
            params["pageToken"] = token
        page = _page(_get(client, params, policy, sleep))
        yield page
        if not page.next_page_token:
            return
        token = page.next_page_token


def _get(client: httpx.Client, params: dict[str, str], policy: RetryPolicy, sleep: Sleep) -> Any:
    problem = ""
    for attempt in range(policy.attempts):
        retry_after = None
        try:
            response = client.get("studies", params=params)
        except httpx.TransportError as exc:
            problem = f"{type(exc).__name__}: {exc}"
        else:
            if response.status_code == 200:
                try:
                    return response.json()
                except ValueError:
                    raise FetchError(
                        f"the API answered 200 with a body that is not JSON ({_snippet(response)})"
                    ) from None
            if response.status_code not in RETRY_STATUSES:
                raise FetchError(f"the API refused the request: HTTP {response.status_code} ({_snippet(response)})")
            problem = f"HTTP {response.status_code}"
            retry_after = response.headers.get("retry-after")
        if attempt + 1 < policy.attempts:
            sleep(policy.wait_s(attempt, retry_after))
    raise FetchError(f"the API kept failing ({problem}) after {policy.attempts} tries")


def _snippet(response: httpx.Response, limit: int = 200) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:limit] + ("…" if len(text) > limit else "") or "empty body"


def _page(body: Any) -> Page:
    if not isinstance(body, dict) or not isinstance(body.get("studies"), list):
        keys = ", ".join(list(body)[:6]) if isinstance(body, dict) else type(body).__name__
        raise FetchError(f"the API answer has no list of studies (got: {keys})")
    token = body.get("nextPageToken")
    total = body.get("totalCount")
    return Page(
        studies=list(body["studies"]),  # every element is written: a non-study becomes an error row downstream
        next_page_token=token if isinstance(token, str) and token else None,
        total_count=total if isinstance(total, int) else None,
    )
