"""Serving the queue beyond this machine: an access token is required and checked on every page,
and only this machine's names (and --allowed-host) are served as Host (no DNS rebinding)."""

from __future__ import annotations

import re
import socket
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.testclient import TestClient
from typer.testing import CliRunner

from cli import app as cli_app
from extract.review.app import create_app

TOKEN = "review-token-0123456789abcdef"
runner = CliRunner()


@pytest.fixture
def db(queue: sqlite3.Connection) -> Path:
    return Path(queue.execute("PRAGMA database_list").fetchone()["file"])


def _client(db: Path, host_header: str, **options: Any) -> TestClient:
    app = create_app(db, host="0.0.0.0", token=TOKEN, **options)
    return TestClient(app, base_url=f"http://{host_header}:8765", follow_redirects=False)


def _sign_in(client: TestClient, token: str) -> Any:
    page = client.get("/login?next=/items/1")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert page.status_code == 200 and csrf is not None
    origin = {"origin": str(client.base_url).rstrip("/")}
    return client.post("/login", data={"csrf": csrf.group(1), "token": token, "next": "/items/1"}, headers=origin)


def test_binding_beyond_loopback_without_a_token_is_refused(db: Path) -> None:
    with pytest.raises(ValueError, match="access token"):
        create_app(db, host="0.0.0.0")


def test_serve_refuses_to_start_on_all_interfaces_without_a_token(
    db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(kw))
    monkeypatch.delenv("TRIALQA_REVIEW_TOKEN", raising=False)
    refused = runner.invoke(cli_app, ["review", "serve", "--db", str(db), "--host", "0.0.0.0"])
    assert refused.exit_code == 2 and "token" in refused.output and started == []
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    served = runner.invoke(
        cli_app, ["review", "serve", "--db", str(db), "--host", "0.0.0.0", "--token-file", str(token_file)]
    )
    assert served.exit_code == 0, served.output
    assert started and started[0]["host"] == "0.0.0.0"


def test_every_page_needs_the_token(db: Path) -> None:
    client = _client(db, "127.0.0.1")
    first = client.get("/")
    assert first.status_code == 303 and first.headers["location"].startswith("/login")
    assert client.post("/curator", data={"curator": "x"}).status_code == 401
    assert client.get("/healthz").status_code == 200
    wrong = _sign_in(client, "not-the-token-at-all")
    assert wrong.status_code == 403 and client.get("/").status_code == 303
    right = _sign_in(client, TOKEN)
    assert right.status_code == 303 and right.headers["location"] == "/items/1"
    assert client.get("/").status_code == 200


def test_a_bearer_header_is_accepted_for_scripts(db: Path) -> None:
    client = _client(db, "127.0.0.1")
    assert client.get("/", headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.get("/", headers={"authorization": "Bearer wrong"}).status_code == 303


def test_only_this_machines_names_are_served_as_host(db: Path) -> None:
    assert _client(db, "attacker.example").get("/healthz").status_code == 400  # DNS rebinding
    assert _client(db, socket.gethostname()).get("/healthz").status_code == 200
    assert _client(db, "review.example", extra_hosts=["review.example"]).get("/healthz").status_code == 200


def test_a_short_token_is_refused(db: Path) -> None:
    with pytest.raises(ValueError, match="at least"):
        create_app(db, host="0.0.0.0", token="short")
