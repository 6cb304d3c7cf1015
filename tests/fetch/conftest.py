"""Fixtures for `trialqa fetch`: the recorded API, served on a loopback socket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fetch.recorded_api import RecordedApi, recorded_studies, serving


@pytest.fixture()
def api(records_dir: Path) -> RecordedApi:
    return RecordedApi(recorded_studies(records_dir / "ctgov-v2"))


@pytest.fixture()
def api_url(api: RecordedApi) -> Iterator[str]:
    with serving(api) as url:
        yield url
