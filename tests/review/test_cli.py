"""`trialqa review load | serve | export` as a curator runs them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import orjson
from typer.testing import CliRunner

from cli import app
from extract.review.actions import Action, Kind, apply
from extract.review.store import connect
from tests.review.conftest import item_id, version
from tests.review.server import serving

runner = CliRunner()


def test_load_twice_then_export(seed_files: tuple[Path, Path], tmp_path: Path) -> None:
    db = tmp_path / "queue.sqlite"
    first = runner.invoke(app, ["review", "load", *map(str, seed_files), "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert "new items: 4" in first.output and "clean (not queued): 1" in first.output
    again = runner.invoke(app, ["review", "load", str(seed_files[0]), "--db", str(db)])  # the checker runs here
    assert again.exit_code == 0 and "new items: 0" in again.output and "unchanged: 4" in again.output

    conn = connect(db)
    item = item_id(conn)
    apply(conn, Action(Kind.CORRECT, item, version(conn, item), "ann", path="arms[1].type", value="ACTIVE_COMPARATOR"))
    conn.close()
    out = tmp_path / "decisions.jsonl"
    result = runner.invoke(
        app, ["review", "export", "--db", str(db), "-o", str(out), "--as-fixtures", str(tmp_path / "fx")]
    )
    assert result.exit_code == 0, result.output
    assert "decisions: 1" in result.output and "fixtures: 1" in result.output
    assert orjson.loads(out.read_bytes())["new_value"] == "ACTIVE_COMPARATOR"
    assert (tmp_path / "fx" / "curated" / "NCT07271602" / "gold.json").is_file()


def test_usage_errors(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["review", "load", str(tmp_path / "nope.jsonl"), "--db", str(tmp_path / "q.sqlite")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    nothing = runner.invoke(app, ["review", "export", "--db", str(tmp_path / "q.sqlite")])
    assert nothing.exit_code == 2
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    refused = runner.invoke(app, ["review", "export", "--db", str(other), "-o", str(tmp_path / "d.jsonl")])
    assert refused.exit_code == 2 and "not a trialqa review queue" in refused.output


def test_serve_listens_on_loopback(queue: sqlite3.Connection) -> None:
    db = Path(queue.execute("PRAGMA database_list").fetchone()["file"])
    with serving(db) as base:
        assert base.startswith("http://127.0.0.1:")
        page = httpx.get(f"{base}/", timeout=5.0)
        assert page.status_code == 200 and "NCT07271602" in page.text
        assert "server" not in page.headers  # no version banner
