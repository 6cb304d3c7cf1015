"""The source of a loaded extraction row, captured once at load time.

- `bytes`: the input exactly as `trialqa extract` read it (the whole file, or the one line or
  list item whose sha256 the row names), for fixture export;
- `text`: what the row's spans index: the page text for page rows (span_base "source"), the
  record's `eligibility.criteria_text` for structured rows;
- `note`: why either is missing (file gone, changed since extraction, too large).

Only a file whose content still has the row's sha256 is trusted: a changed file is not the text
the spans were computed on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from extract.load import DEFAULT_MAX_BYTES, Kind
from extract.load.detect import records_from_bytes, sha256
from extract.model.provenance import SPAN_BASE_CRITERIA, SPAN_BASE_SOURCE, Provenance

_SUFFIX = {Kind.PAGE_TEXT: ".txt", Kind.PAGE_HTML: ".html", Kind.CTGOV_V2: ".json", Kind.CTGOV_XML: ".xml"}


@dataclass(frozen=True)
class Captured:
    span_base: str
    text: str | None
    data: bytes | None
    name: str | None  # "source.txt" | "source.json" | ... (the fixture's file name)
    note: str | None


def suffix_for(kind: str, path: str) -> str:
    return _SUFFIX.get(kind) or (Path(path).suffix.lower() if Path(path).suffix else ".txt")


def capture(
    source: dict[str, Any],
    record: dict[str, Any] | None,
    provenance: Provenance,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Captured:
    kind, path, digest = str(source.get("kind", "")), str(source.get("path", "")), str(source.get("sha256", ""))
    span_base = SPAN_BASE_CRITERIA if provenance.span_base == SPAN_BASE_CRITERIA else SPAN_BASE_SOURCE
    if span_base == SPAN_BASE_SOURCE and kind in (Kind.CTGOV_V2, Kind.CTGOV_XML):
        span_base = SPAN_BASE_CRITERIA  # structured rows from before span_base was written
    data, note = _read_exact(path, digest, max_bytes)
    name = f"source{suffix_for(kind, path)}"
    if span_base == SPAN_BASE_CRITERIA:
        criteria = ((record or {}).get("eligibility") or {}).get("criteria_text")
        text = criteria if isinstance(criteria, str) else None
        return Captured(span_base, text, data, name if data is not None else None, note)
    text = None
    if data is not None:
        for loaded in records_from_bytes(data, path, max_bytes=max_bytes):
            text = loaded.text
            break
        if text is None:
            note = f"{path} holds no page text"
    return Captured(span_base, text, data, name if data is not None else None, note)


def _read_exact(path: str, digest: str, max_bytes: int) -> tuple[bytes | None, str | None]:
    """The bytes at `path` whose sha256 is `digest`: the whole file, one of its lines (JSONL), or
    one item of its JSON list as the loader hashes it (sorted keys)."""
    if not path or path == "-":
        return None, "the source was read from stdin; its text was not kept"
    file = Path(path)
    try:
        if not file.is_file():
            return None, f"source file {path} is not there"
        if file.stat().st_size > max_bytes:
            return None, f"source file {path} is over {max_bytes:,} bytes"
        data = file.read_bytes()
    except OSError as exc:
        return None, f"source file {path} cannot be read: {exc.strerror or exc}"
    if sha256(data) == digest:
        return data, None
    for line in data.splitlines():
        if line.strip() and sha256(line) == digest:
            return line, None
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        value = None
    items = value.get("studies") if isinstance(value, dict) else value
    if isinstance(items, list):
        for item in items:
            dumped = orjson.dumps(item, option=orjson.OPT_SORT_KEYS)
            if sha256(dumped) == digest:
                return dumped, None
    return None, f"source file {path} changed since extraction (sha256 differs); its text is not shown"
