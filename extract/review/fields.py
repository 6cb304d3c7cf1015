"""A record as rows for the item page: one per field path, with where it stands in the source text
and which findings name it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from extract.model.paths import covers

_SKIP = {"spans", "span"}


@dataclass
class FieldRow:
    path: str
    value: str  # as shown; "" for null / empty
    anchor: str | None = None  # id of its position in the source text
    offset: int | None = None
    findings: list[tuple[int, str]] = field(default_factory=list)  # (finding id, rule)


def anchor_id(path: str) -> str:
    return "src-" + re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-")


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _walk(node: Any, path: str, out: list[tuple[str, Any, dict[str, Any] | None]]) -> None:
    if isinstance(node, dict):
        keys = set(node)
        if {"text", "label", "level"} <= keys and keys <= {"text", "label", "level", "span"}:
            shown = f"{node['label']} {node['text']}" if node.get("label") else node["text"]
            out.append((path, shown, node.get("span")))
            return
        if keys == {"text", "value", "unit"}:  # an age
            out.append((path, node["text"], None))
            return
        for key, value in node.items():
            if key in _SKIP or (path == "eligibility" and key == "criteria_text"):
                continue
            _walk(value, f"{path}.{key}" if path else key, out)
        return
    if isinstance(node, list):
        if not node:
            out.append((path, None, None))
        for index, value in enumerate(node):
            _walk(value, f"{path}[{index}]", out)
        return
    out.append((path, node, None))


def field_rows(record: dict[str, Any], findings: list[dict[str, Any]], text_size: int | None) -> list[FieldRow]:
    """Every leaf of `record` (criterion items and ages as one row each), linked to the source text
    when its span is known and to every current finding whose evidence names it or its parent."""
    spans = record.get("spans") or {}
    leaves: list[tuple[str, Any, dict[str, Any] | None]] = []
    _walk(record, "", leaves)
    rows = []
    for path, value, own_span in leaves:
        span = own_span or spans.get(path)
        row = FieldRow(path=path, value=_shown(value))
        if text_size is not None and isinstance(span, dict) and 0 <= span.get("start", -1) <= text_size:
            row.anchor, row.offset = anchor_id(path), int(span["start"])
        for finding in findings:
            if any(covers(e["path"], path) or covers(path, e["path"]) for e in finding["evidence"] if e.get("path")):
                row.findings.append((finding["id"], finding["rule"]))
        rows.append(row)
    return rows


def field_anchors(rows: list[FieldRow]) -> dict[str, int]:
    """anchor id -> offset in the source text, for the rows that have one."""
    return {row.anchor: row.offset for row in rows if row.anchor is not None and row.offset is not None}
