"""One writer per output file: `trialqa extract -o FILE` holds an exclusive lock for its whole run.

Two runs appending to the same file would each write every record (and a later resume would keep
both copies), so the second run is refused at once, before it reads or rewrites anything. The
lock is an flock on a hidden file beside the output (`.NAME.lock`), not on the output itself: a
resume replaces the output file atomically, which would drop a lock held on it. The kernel
releases the lock when the process ends, however it ends, so a killed run never leaves it held.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from extract.errors import TrialQAError


class OutputInUse(TrialQAError):
    """Another running trialqa holds the output file's lock."""


def lock_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.lock")


@contextlib.contextmanager
def exclusive_output(output: Path) -> Iterator[None]:
    """Hold `output`'s lock for the block; OutputInUse at once if another process holds it."""
    output.parent.mkdir(parents=True, exist_ok=True)
    path = lock_path(output)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise OutputInUse(
                f"{output} is being written by another trialqa run (pid {holder}); wait for it to finish "
                "(it resumes where a stopped run left off) or write to another -o"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock
