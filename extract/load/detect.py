"""What an input's bytes are: decided from content first, the file extension only as a hint.

Returns parsed payloads, never raises for bad input: each problem becomes a `TrialQAError`
carried on the `SourceRecord`, so one bad file is one error row and the batch goes on.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from lxml import etree

from extract import errors
from extract.load.html import visible_text

NCT_IN_TEXT = re.compile(r"\bNCT\d{8}\b")
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html\b|head\b|body\b)", re.I | re.S
)
_DTD_ENTITY = re.compile(rb"<!DOCTYPE[^>\[]*\[[^\]]*<!ENTITY", re.I | re.S)


class Kind:
    """Input kinds, as `source.kind` spells them."""

    CTGOV_V2 = "ctgov_v2"
    CTGOV_XML = "ctgov_xml"
    PAGE_TEXT = "page_text"
    PAGE_HTML = "page_html"
    EXTRACTION = "extraction"  # a row of trialqa's own extraction JSONL (input to `check`)
    UNKNOWN = "unknown"


PAGE_KINDS = frozenset({Kind.PAGE_TEXT, Kind.PAGE_HTML})  # text an LLM strategy structures
STRUCTURED_KINDS = frozenset({Kind.CTGOV_V2, Kind.CTGOV_XML})  # mapped by code, no model


@dataclass
class SourceRecord:
    """One input record: where it came from, its bytes' hash, and its parsed payload or error."""

    id: str
    kind: str
    path: str
    sha256: str
    payload: Any = None  # dict (v2 study / extraction row), lxml element (XML), str (page text)
    error: errors.TrialQAError | None = None

    @property
    def text(self) -> str | None:
        """The record's source text, for page inputs."""
        return self.payload if isinstance(self.payload, str) else None

    @property
    def is_page(self) -> bool:
        """A page that loaded (page text or HTML): extracted by a page strategy."""
        return self.kind in PAGE_KINDS and self.error is None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# Every byte but the control characters text does not hold (below 32, less tab, LF, FF and CR).
_NOT_CONTROL = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 12, 13))


def _looks_binary(data: bytes) -> bool:
    if b"\x00" in data:  # anywhere, not just in the sample: memchr over 32 MiB takes milliseconds
        return True
    sample = data[:8192]
    controls = len(sample.translate(None, _NOT_CONTROL))  # counted in C: a Python loop was 0.1 ms a file
    return controls > max(8, len(sample) // 100)


def _error(
    name: str, index: int | None, digest: str, exc: errors.TrialQAError, kind: str = Kind.UNKNOWN
) -> SourceRecord:
    return SourceRecord(id=_fallback_id(name, index), kind=kind, path=name, sha256=digest, error=exc)


def _fallback_id(name: str, index: int | None) -> str:
    return name if index is None else f"{name}#{index}"


_LEADING_SPACE = re.compile(rb"[ \t\r\n\f\v]*")
_NON_SPACE = re.compile(rb"[^ \t\r\n\f\v]")


def records_from_bytes(data: bytes, name: str, *, max_bytes: int) -> Iterator[SourceRecord]:
    """All records held in one input's bytes (a file or stdin).

    Works on the bytes without whole-file copies: JSON and XML parsers validate UTF-8 themselves,
    so only page text is decoded here, and a file holding many records is not hashed whole.
    """
    if len(data) > max_bytes:
        yield _error(
            name, None, sha256(data), errors.InputTooLarge(f"{len(data):,} bytes is over the {max_bytes:,}-byte limit")
        )
        return
    if not data or data.isspace():
        yield _error(
            name, None, sha256(data), errors.EmptyInput("input is empty" if not data else "input holds only whitespace")
        )
        return
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        yield _error(name, None, sha256(data), errors.NotUtf8("input is UTF-16 (byte-order mark); save it as UTF-8"))
        return
    if _looks_binary(data):
        yield _error(name, None, sha256(data), errors.BinaryInput("input is binary (NUL or control bytes), not text"))
        return
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    start = _LEADING_SPACE.match(data, start).end()  # type: ignore[union-attr]
    head = data[start : start + 1]
    lower = name.lower()
    if head in (b"{", b"["):
        yield from _json_records(data, name)
    elif head == b"<":
        yield from _markup_records(data, name, sha256(data))
    elif lower.endswith((".json", ".jsonl", ".ndjson")):
        yield _error(name, None, sha256(data), errors.InvalidJSON("file is named .json but does not start with { or ["))
    elif lower.endswith(".xml"):
        yield _error(name, None, sha256(data), errors.InvalidXML("file is named .xml but does not start with <"))
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            bad = data[exc.start : exc.start + 1].hex()
            yield _error(
                name, None, sha256(data), errors.NotUtf8(f"byte 0x{bad} at offset {exc.start} is not valid UTF-8")
            )
            return
        yield _page_record(text, name, sha256(data), Kind.PAGE_TEXT)


def _page_record(text: str, name: str, digest: str, kind: str) -> SourceRecord:
    found = NCT_IN_TEXT.search(text)
    return SourceRecord(id=found.group(0) if found else name, kind=kind, path=name, sha256=digest, payload=text)


# --- JSON -------------------------------------------------------------------------------


def _json_records(data: bytes, name: str) -> Iterator[SourceRecord]:
    first_line_end = data.find(b"\n")
    more_follows = first_line_end >= 0 and _NON_SPACE.search(data, first_line_end) is not None
    if more_follows and _parses(data[:first_line_end]):
        yield from _jsonl_records(data, name)  # one JSON value per line
        return
    digest = sha256(data)
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        yield _error(name, None, digest, errors.InvalidJSON(_json_message(exc, data)))
        return
    if isinstance(value, dict) and isinstance(value.get("studies"), list):
        items: list[Any] = value["studies"]
    elif isinstance(value, list):
        items = value
    else:
        yield _classify_json(value, name, None, digest)
        return
    if not items:
        yield _error(name, None, digest, errors.NotAStudy("JSON holds an empty list of studies"))
        return
    for index, item in enumerate(items):
        yield _classify_json(item, name, index, sha256(orjson.dumps(item, option=orjson.OPT_SORT_KEYS)))


def _jsonl_records(data: bytes, name: str) -> Iterator[SourceRecord]:
    index = 0
    for line in data.split(b"\n"):
        if not line or line.isspace():
            continue
        yield jsonl_record(line, name, index)
        index += 1


def jsonl_record(line: bytes, name: str, index: int) -> SourceRecord:
    """One non-blank line of a JSONL input (`index` counts non-blank lines from 0)."""
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        digest = sha256(line.rstrip(b"\r"))
        return _error(name, index, digest, errors.InvalidJSON(f"line {index + 1}: {_json_message(exc, line)}"))
    # An extraction row carries its source's sha256, which is what identifies it: hashing the line
    # (a third of `check`'s loading time on its own JSONL) would compute a value nothing reads.
    digest = "" if _names_its_source_hash(value) else sha256(line.rstrip(b"\r"))
    return _classify_json(value, name, index, digest)


def _names_its_source_hash(value: Any) -> bool:
    """Whether `_classify_json` takes `value` as an extraction row whose source names its sha256."""
    if not isinstance(value, dict) or isinstance(value.get("protocolSection"), dict):
        return False
    source = value.get("source")
    return "status" in value and isinstance(source, dict) and bool(source.get("sha256"))


def _parses(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


def _json_message(exc: orjson.JSONDecodeError, data: bytes) -> str:
    if exc.pos >= len(data.rstrip()) - 1:
        return f"JSON ends early (truncated?) at line {exc.lineno}, column {exc.colno}: {exc.msg}"
    return f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"


def _classify_json(value: Any, name: str, index: int | None, digest: str) -> SourceRecord:
    if isinstance(value, dict) and isinstance(value.get("protocolSection"), dict):
        nct = value["protocolSection"].get("identificationModule", {}).get("nctId")
        ident = nct if isinstance(nct, str) and nct else _fallback_id(name, index)
        return SourceRecord(id=ident, kind=Kind.CTGOV_V2, path=name, sha256=digest, payload=value)
    if isinstance(value, dict) and {"source", "status"} <= value.keys() and isinstance(value["source"], dict):
        ident = str(value["source"].get("id") or _fallback_id(name, index))
        original = value["source"].get("sha256") or digest
        return SourceRecord(id=ident, kind=Kind.EXTRACTION, path=name, sha256=str(original), payload=value)
    if isinstance(value, dict):
        keys = ", ".join(list(value)[:6]) or "none"
        message = f"JSON object is not a ClinicalTrials.gov v2 study (no protocolSection; keys: {keys})"
    else:
        message = f"JSON {type(value).__name__} is not a ClinicalTrials.gov v2 study object"
    return _error(name, index, digest, errors.NotAStudy(message))


# --- XML and HTML -----------------------------------------------------------------------


def _xml_parser() -> etree.XMLParser:
    # No entity expansion, no DTD loading, no network: a hostile file cannot make us fetch or explode.
    return etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False, remove_comments=True
    )


_UNSAFE_MESSAGE = "XML declares entities in a DTD (possible entity bomb); refused"


def _declares_entities(root: etree._Element) -> bool:
    """Whether the parsed document's internal DTD declares any entity (none was expanded: the
    parser neither resolves entities nor loads DTDs; the regex pre-check only saves parsing a bomb)."""
    dtd = root.getroottree().docinfo.internalDTD
    return dtd is not None and any(True for _ in dtd.iterentities())


def _markup_records(data: bytes, name: str, digest: str) -> Iterator[SourceRecord]:
    if _HTML_START.match(data[:4096]):
        yield _page_record(visible_text(data), name, digest, Kind.PAGE_HTML)
        return
    if _DTD_ENTITY.search(data[:65536]):
        yield _error(name, None, digest, errors.UnsafeXML(_UNSAFE_MESSAGE))
        return
    try:
        root = etree.fromstring(data, parser=_xml_parser())
    except etree.XMLSyntaxError as exc:
        if _DTD_ENTITY.search(data):  # a declaration past the first 64 KiB, in a file that does not parse
            yield _error(name, None, digest, errors.UnsafeXML(_UNSAFE_MESSAGE))
            return
        if re.search(rb"<(p|div|br|span|table)\b", data[:65536], re.I):  # HTML fragment without <html>
            yield _page_record(visible_text(data), name, digest, Kind.PAGE_HTML)
            return
        yield _error(name, None, digest, errors.InvalidXML(f"XML does not parse: {exc}"))
        return
    if _declares_entities(root):  # the parsed DTD is the authority, wherever the declaration sat
        yield _error(name, None, digest, errors.UnsafeXML(_UNSAFE_MESSAGE))
        return
    tag = etree.QName(root).localname if isinstance(root.tag, str) else str(root.tag)
    if tag == "clinical_study":
        nct = root.findtext("id_info/nct_id")
        ident = nct.strip() if nct and nct.strip() else name
        yield SourceRecord(id=ident, kind=Kind.CTGOV_XML, path=name, sha256=digest, payload=root)
        return
    if tag == "html":
        yield _page_record(visible_text(data), name, digest, Kind.PAGE_HTML)
        return
    yield _error(name, None, digest, errors.NotAStudy(f"XML root is <{tag}>, not <clinical_study>"))
