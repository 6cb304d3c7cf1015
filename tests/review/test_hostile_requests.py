"""Requests a hostile or careless client sends: numbers SQLite cannot hold are a 404/400, not a
500, and a server error still carries every security header."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from extract.review import app as review_app
from extract.review.app import create_app
from extract.review.security import HEADERS
from tests.review.conftest import item_id, version

BASE = "http://127.0.0.1:8765"
SAME_ORIGIN = {"origin": BASE}
HUGE = str(2**64)  # one past what SQLite's INTEGER holds (2**63 - 1)


@pytest.fixture
def db(queue: sqlite3.Connection) -> Path:
    return Path(queue.execute("PRAGMA database_list").fetchone()["file"])


@pytest.fixture
def client(db: Path) -> TestClient:
    return TestClient(create_app(db), base_url=BASE, follow_redirects=False, raise_server_exceptions=False)


def _signed_in(client: TestClient) -> str:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text)
    assert token is not None
    response = client.post(
        "/curator", data={"csrf": token.group(1), "curator": "ann", "next": "/"}, headers=SAME_ORIGIN
    )
    assert response.status_code == 303
    return token.group(1)


def _has_security_headers(headers: Mapping[str, str]) -> bool:
    return all(headers.get(name.decode()) == value.decode() for name, value in HEADERS)


@pytest.mark.parametrize("path", [f"/items/{HUGE}", f"/items/{'9' * 5000}", "/items/-1", "/items/1e3"])
def test_an_item_id_sqlite_cannot_hold_is_not_found(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert _has_security_headers(response.headers)


@pytest.mark.parametrize("field", ["version", "finding", "record"])
def test_a_huge_number_in_a_form_is_refused_as_a_bad_form(
    client: TestClient, queue: sqlite3.Connection, field: str
) -> None:
    token = _signed_in(client)
    item = item_id(queue)
    form = {"csrf": token, "version": str(version(queue, item)), "kind": "note", "reason": "x", field: HUGE}
    response = client.post(f"/items/{item}", data=form, headers=SAME_ORIGIN)
    assert response.status_code == 400
    assert "form is incomplete or was changed" in response.text
    assert queue.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0


def test_a_huge_page_number_shows_the_last_page(client: TestClient) -> None:
    response = client.get("/", params={"page": HUGE})
    assert response.status_code == 200 and "page 1 of 1" in response.text


def test_a_server_error_carries_the_security_headers(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(review_app, "list_items", broken)
    response = client.get("/")
    assert response.status_code == 500
    assert _has_security_headers(response.headers)
    assert "a bug" not in response.text  # no internals shown
