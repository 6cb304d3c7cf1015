"""Inputs as units: the raw form of one record (or of one small file), cheap to make and to send to a
worker process, decoded into `SourceRecord`s by `unit.records(max_bytes)`.

Splitting loading in two lets the reading stay in one process (files, zip members and JSONL lines
in input order) while the decoding (JSON/XML parsing, detection) runs wherever the unit is sent.
The byte limit applies to one unit: one file, one zip member, one JSONL line. A file over the limit
is streamed line by line when it is JSONL (plain, gzipped or on stdin), so the next stage can read
the previous stage's output of any size with memory flat in the number of records.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

import orjson

from extract import errors
from extract.load.detect import Kind, SourceRecord, jsonl_record, records_from_bytes, sha256

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with members, an empty zip
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
_BOM = b"\xef\xbb\xbf"


class Unit(Protocol):
    """One record's raw form (or a small input's), decoded where it is sent."""

    def records(self, max_bytes: int) -> Iterator[SourceRecord]: ...


def unit_bytes(unit: Unit) -> int:
    """The bytes a unit carries with it (a JSONL line, a small input read whole); 0 when it is read later."""
    if isinstance(unit, LineUnit):
        return len(unit.line) if isinstance(unit.line, bytes) else 0
    if isinstance(unit, BytesUnit):
        return len(unit.data)
    return 0


def error_record(name: str, exc: errors.TrialQAError, digest: str = "") -> SourceRecord:
    return SourceRecord(id=name, kind=Kind.UNKNOWN, path=name, sha256=digest, error=exc)


@dataclass(frozen=True)
class ErrorUnit:
    """An input that failed before any record could be read (unreadable path, corrupt archive)."""

    record: SourceRecord

    def records(self, max_bytes: int) -> Iterator[SourceRecord]:
        yield self.record


@dataclass(frozen=True)
class FileUnit:
    """A plain file within the byte limit: read and decoded where the unit is sent."""

    path: str

    def records(self, max_bytes: int) -> Iterator[SourceRecord]:
        try:
            size = os.path.getsize(self.path)
            if size > max_bytes:  # grew since it was listed
                yield error_record(self.path, errors.InputTooLarge(_too_large(size, max_bytes)))
                return
            with open(self.path, "rb") as handle:
                data = handle.read(max_bytes + 1)  # bounded even where the size lied (a pipe, /proc)
        except OSError as exc:
            yield error_record(
                self.path, errors.UnreadableInput(f"cannot read {self.path}: {exc.strerror or exc}"), sha256(b"")
            )
            return
        yield from records_from_bytes(data, self.path, max_bytes=max_bytes)


@dataclass(frozen=True)
class BytesUnit:
    """A whole small input already read (stdin, a decompressed .gz, a zip member)."""

    name: str
    data: bytes

    def records(self, max_bytes: int) -> Iterator[SourceRecord]:
        yield from records_from_bytes(self.data, self.name, max_bytes=max_bytes)


@dataclass(frozen=True)
class Oversized:
    """A JSONL line over the byte limit, skipped unread past its first bytes: its size and sha256."""

    size: int
    digest: str


@dataclass(frozen=True)
class LineUnit:
    """One non-blank line of a JSONL input streamed line by line (`index` counts non-blank lines)."""

    name: str
    index: int
    line: bytes | Oversized

    def records(self, max_bytes: int) -> Iterator[SourceRecord]:
        if isinstance(self.line, Oversized):
            message = f"line {self.index + 1}: {_too_large(self.line.size, max_bytes)}"
            yield SourceRecord(
                id=f"{self.name}#{self.index}",
                kind=Kind.UNKNOWN,
                path=self.name,
                sha256=self.line.digest,
                error=errors.InputTooLarge(message),
            )
            return
        yield jsonl_record(self.line, self.name, self.index)


def _too_large(size: int, max_bytes: int) -> str:
    return f"{size:,} bytes is over the {max_bytes:,}-byte limit"


# --- streams ----------------------------------------------------------------------------------


def stream_units(handle: BinaryIO, name: str, max_bytes: int, size: int | None = None) -> Iterator[Unit]:
    """The units of one input stream: the whole input when it is within the limit, else its JSONL
    lines one by one (each line within the limit), else one InputTooLarge error.

    Reads at most `max_bytes + 1` bytes before deciding, then one line at a time.
    """
    try:
        head = handle.read(max_bytes + 1)
        if len(head) <= max_bytes:
            yield BytesUnit(name, head)
            return
        if not _is_jsonl(head, name):
            over = _too_large(size, max_bytes) if size is not None else f"over the {max_bytes:,}-byte limit"
            message = f"{over}; only JSONL is read past the limit (line by line)"
            yield ErrorUnit(error_record(name, errors.InputTooLarge(message)))
            return
        index = 0
        for line in _lines(head, handle, max_bytes):
            if isinstance(line, bytes):
                if index == 0 and line.startswith(_BOM):
                    line = line[len(_BOM) :]
                if not line or line.isspace():
                    continue
            yield LineUnit(name, index, line)
            index += 1
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        # a truncated or corrupt gzip stream: what was read stays; the rest is one error row
        yield ErrorUnit(
            error_record(f"{name}#rest", errors.BadArchive(f"{name}: stream is corrupt or ends early: {exc}"))
        )


def _is_jsonl(head: bytes, name: str) -> bool:
    """A stream over the limit is read line by line when it is named JSONL or its first line parses as JSON."""
    if name.lower().endswith(JSONL_SUFFIXES):
        return True
    body = head[len(_BOM) :] if head.startswith(_BOM) else head
    first = body.lstrip(b" \t\r\n").split(b"\n", 1)[0]
    if not first.startswith((b"{", b"[")):
        return False
    try:
        orjson.loads(first)
    except orjson.JSONDecodeError:
        return False
    return True


def _lines(head: bytes, handle: BinaryIO, max_bytes: int) -> Iterator[bytes | Oversized]:
    """The lines of `head` followed by the rest of `handle`, without their newlines; a line longer than
    `max_bytes` becomes `Oversized` (its bytes hashed as they are skipped, never held)."""
    parts = head.split(b"\n")
    pending = parts.pop()  # the first line that continues in `handle`
    for part in parts:
        yield part if len(part) <= max_bytes else _skip_rest(part, handle, ended=True)
    while True:
        piece = handle.readline(max_bytes + 2 - len(pending))  # the rest of a line within the limit, its newline
        if not piece:
            if pending:
                yield pending if len(pending) <= max_bytes else Oversized(len(pending), sha256(pending))
            return
        line = pending + piece if pending else piece
        pending = b""
        if line.endswith(b"\n"):
            line = line[:-1]
            yield line if len(line) <= max_bytes else Oversized(len(line), sha256(line))
        elif len(line) > max_bytes:
            yield _skip_rest(line, handle, ended=False)
        else:
            pending = line  # end of input without a final newline: yielded on the next (empty) read


def _skip_rest(start: bytes, handle: BinaryIO, *, ended: bool) -> Oversized:
    digest = hashlib.sha256(start)
    size = len(start)
    while not ended:
        piece = handle.readline(1 << 20)
        if not piece:
            break
        ended = piece.endswith(b"\n")
        body = piece[:-1] if ended else piece
        digest.update(body)
        size += len(body)
    return Oversized(size, digest.hexdigest())


# --- paths ------------------------------------------------------------------------------------


def path_units(path: str, max_bytes: int) -> Iterator[Unit]:
    """The units of one named file: a zip's members, a gzip's decompressed stream, a big JSONL file's
    lines, or the file itself (read later, where its unit is decoded)."""
    from extract.load import archives  # zip handling lives apart: one concern per module

    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
            size = os.fstat(handle.fileno()).st_size
            if magic.startswith(ZIP_MAGICS):
                yield from archives.zip_units(path)
                return
            if magic.startswith(GZIP_MAGIC):
                handle.seek(0)
                with gzip.GzipFile(fileobj=handle, mode="rb") as stream:
                    yield from stream_units(stream, path, max_bytes)  # type: ignore[arg-type]
                return
            if size > max_bytes:
                handle.seek(0)
                yield from stream_units(handle, path, max_bytes, size)
                return
    except OSError as exc:
        yield ErrorUnit(
            error_record(path, errors.UnreadableInput(f"cannot read {path}: {exc.strerror or exc}"), sha256(b""))
        )
        return
    yield FileUnit(path)


def stdin_units(stdin: BinaryIO, max_bytes: int) -> Iterator[Unit]:
    """Standard input: gzip is decompressed; JSONL over the limit is streamed line by line."""
    peek = getattr(stdin, "peek", None)
    head = peek(2)[:2] if peek is not None else b""
    if head == GZIP_MAGIC:
        with gzip.GzipFile(fileobj=stdin, mode="rb") as stream:
            yield from stream_units(stream, "<stdin>", max_bytes)  # type: ignore[arg-type]
        return
    yield from stream_units(stdin, "<stdin>", max_bytes)
