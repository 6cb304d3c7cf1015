"""The queue file's schema: created at the latest version, old files migrated in place, files it
does not understand refused, and a failing migration leaving the file as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from extract.review import store
from extract.review.store import LATEST, SchemaError, connect, schema_version, upgrade


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}


def test_new_file_is_at_the_latest_version(tmp_path: Path) -> None:
    conn = connect(tmp_path / "q.sqlite")
    assert schema_version(conn) == LATEST == 3
    assert {"schema_version", "records", "items", "findings", "decisions", "corrections"} <= _tables(conn)
    assert {"search_text", "path"} <= _columns(conn, "items")
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == 1


def test_version_1_file_migrates_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    old = connect(path, migrate=False)
    assert upgrade(old, target=1) == 1
    assert "search_text" not in _columns(old, "items")
    old.execute(
        "INSERT INTO records (id, source_id, sha256, digest, kind, path, status, provenance_json, span_base, loaded_at)"
        " VALUES (1, 'NCT00000001', 'aa', 'bb', 'page_text', 'p.txt', 'ok', '{}', 'source', '2025-01-01T00:00:00Z')"
    )
    old.execute(
        "INSERT INTO items (id, source_id, record_id, nct_id, title, version, created_at, updated_at)"
        " VALUES (1, 'NCT00000001', 1, 'NCT00000001', 'A Trial Of X', 7, 't', 't')"
    )
    old.execute(
        "INSERT INTO findings (item_id, record_id, fingerprint, rule, severity, message, evidence_json, origin)"
        " VALUES (1, 1, 'f1', 'arms.placebo_arm_gets_active_drug', 'error', 'm', '[]', 'check')"
    )
    old.execute(
        "INSERT INTO decisions (item_id, record_id, kind, reason, curator, at, item_version)"
        " VALUES (1, 1, 'note', 'kept', 'ann', 't', 7)"
    )
    old.close()

    conn = connect(path)
    assert schema_version(conn) == LATEST
    item = conn.execute("SELECT version, title, search_text FROM items WHERE id = 1").fetchone()
    assert item["version"] == 7 and item["title"] == "A Trial Of X"
    assert item["search_text"] == "nct00000001 nct00000001 a trial of x arms.placebo_arm_gets_active_drug"
    assert conn.execute("SELECT reason, curator FROM decisions").fetchone()[:] == ("kept", "ann")
    # version 3: the item is keyed by its file too (taken from its record), its finding kept
    assert conn.execute("SELECT path FROM items WHERE id = 1").fetchone()[0] == "p.txt"
    assert [tuple(r) for r in conn.execute("SELECT item_id, fingerprint FROM findings")] == [(1, "f1")]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert {"items_order", "findings_item"} <= {
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    }


def test_failed_migration_leaves_the_file_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "q.sqlite"
    conn = connect(path, migrate=False)
    upgrade(conn, target=1)
    broken = [*store.MIGRATIONS[:1], (2, "ALTER TABLE items ADD COLUMN half_done TEXT;\nSELECT * FROM no_such_table;")]
    monkeypatch.setattr(store, "MIGRATIONS", broken)
    monkeypatch.setattr(store, "LATEST", 2)
    with pytest.raises(sqlite3.OperationalError):
        upgrade(conn)
    assert schema_version(conn) == 1
    assert "half_done" not in _columns(conn, "items")


def test_newer_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite"
    connect(path).execute("UPDATE schema_version SET version = ?", (LATEST + 1,))
    with pytest.raises(SchemaError, match="newer than this trialqa"):
        connect(path)


def test_other_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(SchemaError, match="not a trialqa review queue"):
        connect(path)
