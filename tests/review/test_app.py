"""The web page through Starlette's test client: list and item views, decisions through forms,
the version conflict page, and the defences (CSRF token, origin, host, headers, inert text)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import orjson
import pytest
from starlette.testclient import TestClient

from extract.review.app import create_app
from extract.review.load import load
from extract.review.security import local_path
from extract.review.store import connect
from tests.review.conftest import MISSION, finding_id, hostile_row, item_id, version

BASE = "http://127.0.0.1:8765"
SAME_ORIGIN = {"origin": BASE}


@pytest.fixture
def db(queue: sqlite3.Connection) -> Path:
    return Path(queue.execute("PRAGMA database_list").fetchone()["file"])


@pytest.fixture
def client(db: Path) -> TestClient:
    return TestClient(create_app(db), base_url=BASE, follow_redirects=False)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no csrf field on the page"
    return found.group(1)


def _signed_in(client: TestClient, name: str = "ann") -> str:
    token = _csrf(client.get("/").text)
    response = client.post("/curator", data={"csrf": token, "curator": name, "next": "/"}, headers=SAME_ORIGIN)
    assert response.status_code == 303
    return token


def test_list_sorted_by_severity_then_count_with_filters(client: TestClient) -> None:
    html = client.get("/").text
    order = re.findall(r'class="item-link" href="/items/\d+">([^<]+)<', html)
    # NCT06935409's two dangling-sublist findings are info (issue 13), NCT06406205's age finding a warning
    assert order == [MISSION, "NCT03792542", "NCT06406205", "NCT06935409"]
    only = client.get("/", params={"rule": "eligibility.age_mismatch"}).text
    assert re.findall(r'class="item-link"[^>]*>([^<]+)<', only) == ["NCT06406205"]
    found = client.get("/", params={"q": "lupus"}).text
    assert re.findall(r'class="item-link"[^>]*>([^<]+)<', found) == ["NCT06406205"]
    assert "Nothing here for this filter" in client.get("/", params={"status": "done"}).text
    assert "page 1 of 1" in html


def test_paging(db: Path) -> None:
    conn = connect(db)
    rows = conn.execute("SELECT * FROM items").fetchall()
    for n in range(30):  # more items than a page holds
        conn.execute(
            "INSERT INTO items (source_id, record_id, nct_id, title, created_at, updated_at, search_text)"
            " VALUES (?, ?, NULL, 'copy', 't', 't', 'copy')",
            (f"extra-{n:02d}", rows[0]["record_id"]),
        )
    client = TestClient(create_app(db), base_url=BASE)
    first = client.get("/").text
    assert "page 1 of 2" in first and 'rel="next"' in first and first.count('class="item-link"') == 25
    second = client.get("/", params={"page": 2}).text
    assert "page 2 of 2" in second and second.count('class="item-link"') == 9


def test_item_view_marks_evidence_and_links_fields(client: TestClient, queue: sqlite3.Connection) -> None:
    item = item_id(queue)
    html = client.get(f"/items/{item}").text
    for rule in ("eligibility.inclusion_item_in_exclusion", "arms.placebo_arm_gets_active_drug"):
        fid = finding_id(queue, rule)
        assert f'id="finding-{fid}" data-rule="{rule}"' in html
        assert f'href="#ev-{fid}-0"' in html
        assert re.search(
            rf'<span class="anchor" id="ev-{fid}-0"></span>(<span class="anchor"[^>]*></span>)*<mark class="sev-error"',
            html,
        )
    assert re.search(r'<mark class="sev-error"[^>]*>Patients have signed the informed consent form', html)
    row = re.search(r'<tr id="field-\d+" data-path="arms\[1\]\.type" class="flagged">(.*?)</tr>', html, re.S)
    assert row and f'href="#finding-{finding_id(queue, "arms.placebo_arm_gets_active_drug")}"' in row.group(1)
    assert 'href="#src-arms-1-label"' in html and 'id="src-arms-1-label"' in html


def test_item_page_needs_no_files(
    client: TestClient, queue: sqlite3.Connection, seed_files: tuple[Path, Path], tmp_path: Path
) -> None:
    page = seed_files[0].parent / "pages" / f"{MISSION}.txt"
    kept = tmp_path / "kept.txt"
    page.rename(kept)
    try:
        html = client.get(f"/items/{item_id(queue)}").text
    finally:
        kept.rename(page)
    assert "Patients have signed the informed consent form" in html and 'id="no-source"' not in html


def test_decisions_through_the_forms(client: TestClient, queue: sqlite3.Connection) -> None:
    token = _signed_in(client)
    item = item_id(queue)
    fid = finding_id(queue, "eligibility.inclusion_item_in_exclusion")
    form = {
        "csrf": token,
        "version": str(version(queue, item)),
        "kind": "dismiss",
        "finding": str(fid),
        "reason": "fine",
    }
    response = client.post(f"/items/{item}", data=form, headers=SAME_ORIGIN)
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert 'id="saved"' in page and "dismiss" in page
    correct = {
        "csrf": token,
        "version": str(version(queue, item)),
        "kind": "correct",
        "path": "arms[1].type",
        "value": "ACTIVE_COMPARATOR",
        "mode": "text",
    }
    assert client.post(f"/items/{item}", data=correct, headers=SAME_ORIGIN).status_code == 303
    rows = queue.execute(
        "SELECT kind, curator, finding_id, field_path, new_value_json FROM decisions ORDER BY id"
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        ("dismiss", "ann", fid, None, '"dismissed"'),
        ("correct", "ann", None, "arms[1].type", '"ACTIVE_COMPARATOR"'),
    ]


def test_invalid_correction_is_refused_with_the_reason(client: TestClient, queue: sqlite3.Connection) -> None:
    token = _signed_in(client)
    item = item_id(queue)
    form = {
        "csrf": token,
        "version": str(version(queue, item)),
        "kind": "correct",
        "path": "arms[1].type",
        "value": "PLACEBO",
    }
    response = client.post(f"/items/{item}", data=form, headers=SAME_ORIGIN)
    assert response.status_code == 400
    assert "arms[1].type: Input should be" in response.text and "nothing of it was stored" in response.text
    assert queue.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0


def test_no_curator_name_no_decision(client: TestClient, queue: sqlite3.Connection) -> None:
    token = _csrf(client.get("/").text)
    item = item_id(queue)
    form = {"csrf": token, "version": str(version(queue, item)), "kind": "note", "reason": "hello"}
    response = client.post(f"/items/{item}", data=form, headers=SAME_ORIGIN)
    assert response.status_code == 400 and "Set your curator name first" in response.text


def test_second_curator_gets_a_409_that_shows_the_change(db: Path, queue: sqlite3.Connection) -> None:
    ann, bo = (TestClient(create_app(db, secret="s"), base_url=BASE, follow_redirects=False) for _ in range(2))
    ann_token, bo_token = _signed_in(ann, "ann"), _signed_in(bo, "bo")
    item = item_id(queue)
    seen = str(version(queue, item))  # both have the item open
    fix = {"kind": "correct", "path": "arms[1].type", "mode": "text", "version": seen}
    first = ann.post(
        f"/items/{item}",
        data={**fix, "csrf": ann_token, "value": "ACTIVE_COMPARATOR", "reason": "ann's fix"},
        headers=SAME_ORIGIN,
    )
    assert first.status_code == 303
    second = bo.post(f"/items/{item}", data={**fix, "csrf": bo_token, "value": "EXPERIMENTAL"}, headers=SAME_ORIGIN)
    assert second.status_code == 409
    assert "Another curator changed this item" in second.text and "ann&#39;s fix" in second.text
    assert "EXPERIMENTAL" in second.text  # bo's attempt is shown back, not lost
    values = [r[0] for r in queue.execute("SELECT new_value_json FROM decisions")]
    assert values == ['"ACTIVE_COMPARATOR"']


@pytest.mark.parametrize(
    ("headers", "token_ok", "message"),
    [
        ({"origin": "http://evil.example"}, True, "sent from another site"),
        ({"referer": "http://evil.example/page"}, True, "sent from another site"),
        ({}, True, "no Origin or Referer"),
        ({"origin": BASE}, False, "security token is missing or stale"),
        ({"referer": f"{BASE}/items/1"}, False, "security token is missing or stale"),
    ],
)
def test_cross_site_posts_are_refused(
    client: TestClient, queue: sqlite3.Connection, headers: dict, token_ok: bool, message: str
) -> None:
    token = _signed_in(client)
    item = item_id(queue)
    form = {
        "csrf": token if token_ok else "forged",
        "version": str(version(queue, item)),
        "kind": "note",
        "reason": "x",
    }
    response = client.post(f"/items/{item}", data=form, headers=headers)
    assert response.status_code == 403 and message in response.text
    assert queue.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0


def test_headers_hosts_and_redirects(client: TestClient, db: Path) -> None:
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "unsafe-inline" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert client.get("/static/review.css").status_code == 200
    assert client.get("/static/../store.py").status_code == 404
    assert client.get("/static/%2e%2e/store.py").status_code == 404
    evil = TestClient(create_app(db), base_url="http://attacker.example:8765")
    assert evil.get("/").status_code == 400  # DNS rebinding: a foreign Host header is not served
    assert local_path("//evil.example/x") == "/" and local_path("https://evil.example") == "/"
    assert local_path("/items/3?saved=1") == "/items/3?saved=1"


def test_record_markup_is_inert(tmp_path: Path) -> None:
    conn = connect(tmp_path / "q.sqlite")
    load(conn, [str(hostile_row(tmp_path))])
    client = TestClient(create_app(tmp_path / "q.sqlite"), base_url=BASE)
    listing = client.get("/").text
    item = client.get(f"/items/{item_id(conn, 'NCT09999999')}").text
    for html in (listing, item):
        assert "<script" not in html.lower()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<img" not in html.lower()
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in item


def test_error_rows_and_missing_sources_render(tmp_path: Path) -> None:
    rows = [
        {
            "source": {"id": "broken.json", "kind": "unknown", "path": "broken.json", "sha256": "1" * 64},
            "status": "error",
            "record": None,
            "error": {"type": "InvalidJSON", "message": "JSON ends <early>"},
            "provenance": {},
        },
        {
            "source": {
                "id": "NCT00000003",
                "kind": "page_text",
                "path": str(tmp_path / "gone.txt"),
                "sha256": "3" * 64,
            },
            "status": "ok",
            "record": {"nct_id": "NCT00000003", "brief_title": "T"},
            "error": None,
            "provenance": {
                "span_base": "source",
                "ungrounded": [{"path": "acronym", "value": "XY", "reason": "not found"}],
            },
        },
    ]
    data = tmp_path / "rows.jsonl"
    data.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    conn = connect(tmp_path / "q.sqlite")
    load(conn, [str(data)])
    client = TestClient(create_app(tmp_path / "q.sqlite"), base_url=BASE)
    error_page = client.get(f"/items/{item_id(conn, 'broken.json')}")
    assert error_page.status_code == 200
    assert "InvalidJSON" in error_page.text and "JSON ends &lt;early&gt;" in error_page.text
    assert 'class="correct-form"' not in error_page.text  # nothing to correct on an error row
    missing = client.get(f"/items/{item_id(conn, 'NCT00000003')}")
    assert missing.status_code == 200 and 'id="no-source"' in missing.text and "is not there" in missing.text
    assert client.get("/items/999").status_code == 404 and "no item 999" in client.get("/items/999").text
