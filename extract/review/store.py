"""The queue's SQLite file: connection settings, the schema as numbered migrations, and upgrades.

`MIGRATIONS` is an ordered list of (version, SQL). `connect` applies every migration above the
file's `schema_version` in one transaction each, so a file made by an older trialqa is upgraded
in place when it is opened, and a failed migration leaves the file as it was. A file written by
a newer trialqa (a version this code does not know) is refused rather than guessed at.

Tables (version 3):
- records: every distinct version of a loaded extraction row (source id + record digest), with
  the source text its spans index and the input's exact bytes (for fixture export), both stored
  at load time so neither the web page nor the export reads files later.
- items: one per input record, (source id, path): its current record, status open|done, the most severe open
  finding's rank, counts, and `version`, bumped on every change (optimistic locking).
- findings: what the checker (or a findings file, or the extraction row) flagged on one record
  version; `current` is 0 once the item's record was replaced; `state` open|confirmed|dismissed.
- corrections: the record as corrected so far, per item and record version (the decisions
  say how it got there).
- decisions: every curator action, append-only: confirm | dismiss | correct | note, with the
  finding or field path, old/new value JSON, reason, curator and time.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE records (
            id INTEGER PRIMARY KEY,
            source_id TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            digest TEXT NOT NULL,
            kind TEXT NOT NULL,
            path TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('ok', 'error')),
            record_json TEXT,
            error_json TEXT,
            provenance_json TEXT NOT NULL,
            span_base TEXT NOT NULL,
            source_name TEXT,
            source_bytes BLOB,
            source_text TEXT,
            source_note TEXT,
            loaded_at TEXT NOT NULL,
            UNIQUE (source_id, digest)
        );
        CREATE TABLE items (
            id INTEGER PRIMARY KEY,
            source_id TEXT NOT NULL UNIQUE,
            record_id INTEGER NOT NULL REFERENCES records (id),
            nct_id TEXT,
            title TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
            severity_rank INTEGER NOT NULL DEFAULT 0,
            finding_count INTEGER NOT NULL DEFAULT 0,
            open_count INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE findings (
            id INTEGER PRIMARY KEY,
            item_id INTEGER NOT NULL REFERENCES items (id),
            record_id INTEGER NOT NULL REFERENCES records (id),
            fingerprint TEXT NOT NULL,
            rule TEXT NOT NULL,
            severity TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
            message TEXT NOT NULL,
            evidence_json TEXT NOT NULL,
            origin TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'confirmed', 'dismissed')),
            current INTEGER NOT NULL DEFAULT 1,
            UNIQUE (record_id, fingerprint)
        );
        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            item_id INTEGER NOT NULL REFERENCES items (id),
            record_id INTEGER NOT NULL REFERENCES records (id),
            kind TEXT NOT NULL CHECK (kind IN ('confirm', 'dismiss', 'correct', 'note')),
            finding_id INTEGER REFERENCES findings (id),
            field_path TEXT,
            old_value_json TEXT,
            new_value_json TEXT,
            reason TEXT,
            curator TEXT NOT NULL,
            at TEXT NOT NULL,
            item_version INTEGER NOT NULL
        );
        CREATE TABLE corrections (
            item_id INTEGER NOT NULL REFERENCES items (id),
            record_id INTEGER NOT NULL REFERENCES records (id),
            corrected_json TEXT NOT NULL,
            PRIMARY KEY (item_id, record_id)
        );
        CREATE INDEX findings_item ON findings (item_id, current);
        CREATE INDEX decisions_item ON decisions (item_id, id);
        """,
    ),
    (
        2,
        # The list page's text filter: one lower-cased haystack per item (NCT id, source id, title,
        # rules), kept by the loader; filled here for items loaded before version 2.
        """
        ALTER TABLE items ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
        UPDATE items SET search_text = lower(
            coalesce(nct_id, '') || ' ' || source_id || ' ' || coalesce(title, '') || ' ' ||
            coalesce((SELECT group_concat(rule, ' ') FROM findings f WHERE f.item_id = items.id AND f.current = 1), '')
        );
        CREATE INDEX items_order ON items (status, severity_rank DESC, open_count DESC, source_id);
        """,
    ),
    (
        3,
        # An item is one input file's record, (source id, path): two files naming the same NCT id
        # (a page and its registry XML, two versions of a page) are two items, not one whose record
        # each load replaces. Findings are unique per item too, so two items sharing an identical
        # record each keep their findings. SQLite changes a UNIQUE constraint only by rebuilding
        # the table (upgrade() runs this with foreign keys off and checks them before committing).
        """
        CREATE TABLE items_v3 (
            id INTEGER PRIMARY KEY,
            source_id TEXT NOT NULL,
            path TEXT NOT NULL DEFAULT '',
            record_id INTEGER NOT NULL REFERENCES records (id),
            nct_id TEXT,
            title TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
            severity_rank INTEGER NOT NULL DEFAULT 0,
            finding_count INTEGER NOT NULL DEFAULT 0,
            open_count INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            search_text TEXT NOT NULL DEFAULT '',
            UNIQUE (source_id, path)
        );
        INSERT INTO items_v3 (id, source_id, path, record_id, nct_id, title, status, severity_rank, finding_count,
            open_count, version, created_at, updated_at, search_text)
        SELECT i.id, i.source_id, coalesce(r.path, ''), i.record_id, i.nct_id, i.title, i.status, i.severity_rank,
            i.finding_count, i.open_count, i.version, i.created_at, i.updated_at, i.search_text
        FROM items i LEFT JOIN records r ON r.id = i.record_id;
        DROP TABLE items;
        ALTER TABLE items_v3 RENAME TO items;
        CREATE INDEX items_order ON items (status, severity_rank DESC, open_count DESC, source_id);
        CREATE TABLE findings_v3 (
            id INTEGER PRIMARY KEY,
            item_id INTEGER NOT NULL REFERENCES items (id),
            record_id INTEGER NOT NULL REFERENCES records (id),
            fingerprint TEXT NOT NULL,
            rule TEXT NOT NULL,
            severity TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
            message TEXT NOT NULL,
            evidence_json TEXT NOT NULL,
            origin TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'confirmed', 'dismissed')),
            current INTEGER NOT NULL DEFAULT 1,
            UNIQUE (item_id, record_id, fingerprint)
        );
        INSERT INTO findings_v3 SELECT id, item_id, record_id, fingerprint, rule, severity, message, evidence_json,
            origin, state, current FROM findings;
        DROP TABLE findings;
        ALTER TABLE findings_v3 RENAME TO findings;
        CREATE INDEX findings_item ON findings (item_id, current);
        """,
    ),
]

LATEST = MIGRATIONS[-1][0]


class SchemaError(RuntimeError):
    """The file's schema is newer than this trialqa, or not a queue file at all."""


def connect(path: str | Path, *, migrate: bool = True) -> sqlite3.Connection:
    """Open (creating if needed) the queue file at `path`, upgraded to the latest schema."""
    conn = sqlite3.connect(str(path), timeout=10.0, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA busy_timeout = 10000")
    if migrate:
        upgrade(conn)
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    """The file's schema version; 0 for a new, empty file."""
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone()
    if not exists:
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        if tables:
            raise SchemaError("this SQLite file is not a trialqa review queue (no schema_version table)")
        return 0
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def upgrade(conn: sqlite3.Connection, target: int = LATEST) -> int:
    """Apply every migration above the file's version, up to `target`; return the new version."""
    current = schema_version(conn)
    if current > LATEST:
        raise SchemaError(
            f"queue schema version {current} is newer than this trialqa knows ({LATEST}); upgrade trialqa"
        )
    if current >= target:
        return current
    # Rebuilding a table (drop, then rename the new one in) needs foreign keys off; they are checked
    # before each migration commits instead. The pragma cannot change inside a transaction.
    enforced = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        for version, sql in MIGRATIONS:
            if version <= current or version > target:
                continue
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Re-read inside the write lock: another process may have migrated meanwhile.
                if schema_version(conn) >= version:
                    conn.execute("ROLLBACK")
                    continue
                for statement in _statements(sql):
                    conn.execute(statement)
                conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                conn.execute("DELETE FROM schema_version")
                conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
                broken = conn.execute("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise SchemaError(f"migration to version {version} would break {len(broken)} references")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            current = version
    finally:
        conn.execute(f"PRAGMA foreign_keys = {'ON' if enforced else 'OFF'}")
    return current


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (sqlite3's execute runs one at a time; executescript
    would commit the open transaction, losing the all-or-nothing upgrade)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
