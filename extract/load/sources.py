"""Walk the inputs a user names (files, folders recursively, '-' for stdin) into SourceRecords."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from extract.load.detect import SourceRecord
from extract.load.units import Unit, path_units, stdin_units

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
    for unit in iter_units(inputs, max_bytes=max_bytes, exclude=exclude):
        yield from unit.records(max_bytes)


def iter_units(
    inputs: Iterable[str], *, max_bytes: int = DEFAULT_MAX_BYTES, exclude: Iterable[str] = ()
) -> Iterator[Unit]:
    """Every input's units (a file, a zip member, a line of a big JSONL), in input order, undecoded:
    `unit.records(max_bytes)` decodes one, here or in a worker process."""
    for name in input_files(inputs, exclude):
        if name == "-":
            yield from stdin_units(sys.stdin.buffer, max_bytes)
        else:
            yield from path_units(name, max_bytes)
