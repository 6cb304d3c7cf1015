"""What to ask the ClinicalTrials.gov API v2 `/studies` endpoint for: the query as request parameters."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_BASE_URL = "https://clinicaltrials.gov/api/v2"
BASE_URL_ENV = "TRIALQA_CTGOV_BASE_URL"
MAX_PAGE_SIZE = 1000  # the API's own limit


def base_url_from_env(environ: Mapping[str, str] = os.environ) -> str:
    """$TRIALQA_CTGOV_BASE_URL when set (a mirror, a proxy, a recorded server), else the public API."""
    return environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL


@dataclass(frozen=True)
class StudyQuery:
    """The API's search parameters (https://clinicaltrials.gov/data-api/api): each None is left out."""

    cond: str | None = None
    term: str | None = None
    intr: str | None = None
    overall_status: tuple[str, ...] = ()
    advanced: str | None = None
    fields: tuple[str, ...] = ()
    page_size: int = MAX_PAGE_SIZE

    def __post_init__(self) -> None:
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page size must be 1 to {MAX_PAGE_SIZE}, not {self.page_size}")

    def params(self) -> dict[str, str]:
        """Request parameters for the first page (later pages add pageToken)."""
        given = {
            "format": "json",
            "query.cond": self.cond,
            "query.term": self.term,
            "query.intr": self.intr,
            "filter.overallStatus": ",".join(self.overall_status) or None,
            "filter.advanced": self.advanced,
            "fields": ",".join(self.fields) or None,
            "pageSize": str(self.page_size),
            "countTotal": "true",
        }
        return {key: value for key, value in given.items() if value is not None}
