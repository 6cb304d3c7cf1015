"""Walk the inputs a user names (files, folders recursively, '-' for stdin) into SourceRecords."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from extract import errors
from extract.load.detect import Kind, SourceRecord, sha256
from extract.load.units import ErrorUnit, Unit, path_units, stdin_units

DEFAULT_MAX_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class WalkProblem:
    """A folder entry that could not be walked (unlistable folder, symlink loop): one error row."""

    path: str
    error: errors.TrialQAError


def input_files(inputs: Iterable[str | WalkProblem], exclude: Iterable[str] = ()) -> Iterator[str | WalkProblem]:
    """Each named path; folders expand to their files, sorted, skipping hidden entries and
    `exclude` (the run's own output file, when it sits inside an input folder)."""
    skip = _Skip.of(exclude)
    for item in inputs:
        if isinstance(item, WalkProblem):  # a walk's listing handed on (e.g. to a Ray read task)
            yield item
        elif item != "-" and os.path.isdir(item):
            yield from _walk(item, skip, visited=set())
        else:
            yield item


@dataclass(frozen=True)
class _Skip:
    """Files never read as input, known by identity (device, inode) and by real path."""

    identities: frozenset[tuple[int, int]]
    paths: frozenset[str]

    @classmethod
    def of(cls, names: Iterable[str]) -> _Skip:
        names = [name for name in names if name != "-"]
        identities = set()
        for name in names:
            with contextlib.suppress(OSError):
                info = os.stat(name)
                identities.add((info.st_dev, info.st_ino))
        return cls(frozenset(identities), frozenset(os.path.realpath(name) for name in names))

    def __contains__(self, entry: os.DirEntry[str]) -> bool:
        try:
            info = entry.stat()
            if (info.st_dev, info.st_ino) in self.identities:
                return True
        except OSError:
            pass  # unreadable or dangling: the read reports it
        return os.path.realpath(entry.path) in self.paths  # realpath does not raise on a loop


def _walk(folder: str, skip: _Skip, visited: set[tuple[int, int]]) -> Iterator[str | WalkProblem]:
    """One folder: its files (sorted), then each subfolder, depth first. Symlinked folders are
    followed; one reached again (a symlink loop, or a second link to it) is reported, not re-read.
    A folder that cannot be listed is reported too: a row, never a crash, never silence."""
    try:
        info = os.stat(folder)
    except OSError as exc:
        yield WalkProblem(folder, errors.UnreadableInput(f"cannot open folder {folder}: {exc.strerror or exc}"))
        return
    identity = (info.st_dev, info.st_ino)
    if identity in visited:
        message = f"folder {folder} was already read by this walk (a symlink loop or a second link to it): skipped"
        yield WalkProblem(folder, errors.SymlinkLoop(message))
        return
    visited.add(identity)
    try:
        with os.scandir(folder) as listing:
            entries = sorted((e for e in listing if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError as exc:
        yield WalkProblem(folder, errors.UnreadableInput(f"cannot list folder {folder}: {exc.strerror or exc}"))
        return
    folders = []
    for entry in entries:
        if _is_folder(entry):
            folders.append(entry.path)
        elif entry in skip:
            continue
        elif _is_special(entry):  # a FIFO would block the read forever, a device never end
            yield WalkProblem(
                entry.path, errors.UnreadableInput(f"{entry.path} is not a regular file (a FIFO, socket or device)")
            )
        else:
            yield entry.path
    for sub in folders:
        yield from _walk(sub, skip, visited)


def _is_special(entry: os.DirEntry[str]) -> bool:
    """A FIFO, socket or device (after symlinks); a dangling or looping link is not (reading it says why)."""
    try:
        mode = entry.stat(follow_symlinks=True).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode)


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """A folder, or a symlink to one; a dangling or looping symlink is not (reading it reports why)."""
    try:
        return entry.is_dir(follow_symlinks=True)
    except OSError:
        return False


def iter_sources(
    inputs: Iterable[str | WalkProblem], *, max_bytes: int = DEFAULT_MAX_BYTES, exclude: Iterable[str] = ()
) -> Iterator[SourceRecord]:
    """Every input record, in input order; unreadable paths become error records too."""
    for unit in iter_units(inputs, max_bytes=max_bytes, exclude=exclude):
        yield from unit.records(max_bytes)


def iter_units(
    inputs: Iterable[str | WalkProblem], *, max_bytes: int = DEFAULT_MAX_BYTES, exclude: Iterable[str] = ()
) -> Iterator[Unit]:
    """Every input's units (a file, a zip member, a line of a big JSONL), in input order, undecoded:
    `unit.records(max_bytes)` decodes one, here or in a worker process."""
    for name in input_files(inputs, exclude):
        if isinstance(name, WalkProblem):
            yield ErrorUnit(
                SourceRecord(id=name.path, kind=Kind.UNKNOWN, path=name.path, sha256=sha256(b""), error=name.error)
            )
            continue
        if name == "-":
            yield from stdin_units(sys.stdin.buffer, max_bytes)
        else:
            yield from path_units(name, max_bytes)
