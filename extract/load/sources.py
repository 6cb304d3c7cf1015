"""Walk the inputs a user names (files, folders recursively, '-' for stdin) into SourceRecords."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from extract import errors
from extract.load.detect import Kind, SourceRecord, records_from_bytes, sha256

DEFAULT_MAX_BYTES = 32 * 1024 * 1024


def input_files(inputs: Iterable[str], exclude: Iterable[str] = ()) -> Iterator[str]:
    """Each named path; folders expand to their files, sorted, skipping hidden entries and
    `exclude` (the run's own output file, when it sits inside an input folder)."""
    skip = {Path(p).resolve() for p in exclude if p != "-"}
    for item in inputs:
        path = Path(item)
        if item != "-" and path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for file_name in sorted(files):
                    file_path = Path(root) / file_name
                    if not file_name.startswith(".") and file_path.resolve() not in skip:
                        yield str(file_path)
        else:
            yield item


def iter_sources(
    inputs: Iterable[str], *, max_bytes: int = DEFAULT_MAX_BYTES, exclude: Iterable[str] = ()
) -> Iterator[SourceRecord]:
    """Every input record, in input order; unreadable paths become error records too."""
    for name in input_files(inputs, exclude):
        if name == "-":
            data = sys.stdin.buffer.read(max_bytes + 1)
            yield from records_from_bytes(data, "<stdin>", max_bytes=max_bytes)
            continue
        try:
            size = os.path.getsize(name)
            if size > max_bytes:
                yield SourceRecord(
                    id=name,
                    kind=Kind.UNKNOWN,
                    path=name,
                    sha256="",
                    error=errors.InputTooLarge(f"{size:,} bytes is over the {max_bytes:,}-byte limit"),
                )
                continue
            with open(name, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            yield SourceRecord(
                id=name,
                kind=Kind.UNKNOWN,
                path=name,
                sha256=sha256(b""),
                error=errors.UnreadableInput(f"cannot read {name}: {exc.strerror or exc}"),
            )
            continue
        yield from records_from_bytes(data, name, max_bytes=max_bytes)
