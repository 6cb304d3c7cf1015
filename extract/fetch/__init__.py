"""`trialqa fetch`: studies from the ClinicalTrials.gov API v2, paged by cursor, written as study JSONL
that `extract` and `check` read directly; resumable after a crash, polite under rate limits."""

from extract.fetch.client import FetchError, Page, RetryPolicy, fetch_pages
from extract.fetch.query import DEFAULT_BASE_URL, MAX_PAGE_SIZE, StudyQuery, base_url_from_env
from extract.fetch.state import FetchState, StateMismatch

__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_PAGE_SIZE",
    "FetchError",
    "FetchState",
    "Page",
    "RetryPolicy",
    "StateMismatch",
    "StudyQuery",
    "base_url_from_env",
    "fetch_pages",
]
