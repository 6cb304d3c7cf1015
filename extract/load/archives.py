"""Zip inputs (ClinicalTrials.gov's AllPublicXML.zip, the API's bulk JSON download), walked in place:
each member is one unit, read and decoded where the unit is sent, never extracted to disk.

A member is refused on its own (one error row, the archive goes on) when it is encrypted, corrupt,
over the byte limit and not JSONL, or expands more than `MAX_RATIO` times (a likely zip bomb); at
most `max_bytes + 1` bytes of any member are decompressed before that is decided.
"""

from __future__ import annotations

import copy
import os
import threading
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from extract import errors
from extract.load.detect import SourceRecord
from extract.load.units import ErrorUnit, Unit, error_record, stream_units

MAX_RATIO = 200  # XML and JSON compress about 5-20x; a bomb is thousands
_RATIO_FLOOR = 1 << 20  # small members may compress well (a run of spaces) and cost nothing
MEMBER_SEPARATOR = "!/"  # `corpus.zip!/NCT0000xxxx/NCT00000102.xml`, as jar: URLs name members


def member_name(archive: str, member: str) -> str:
    return f"{archive}{MEMBER_SEPARATOR}{member}"


def zip_units(path: str) -> Iterator[Unit]:
    """One unit per file member, in archive order; folders, hidden files and macOS metadata skipped."""
    try:
        stat = os.stat(path)
        archive = _open_zip(path, stat.st_mtime_ns, stat.st_size, os.getpid())
        members = [info.filename for info in archive.infolist() if _wanted(info)]
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
        yield ErrorUnit(error_record(path, errors.BadArchive(f"zip does not open: {exc}")))
        return
    for member in members:
        yield ZipMemberUnit(path, member)


def _wanted(info: zipfile.ZipInfo) -> bool:
    if info.is_dir():
        return False
    parts = info.filename.split("/")
    return not any(part.startswith(".") or part == "__MACOSX" for part in parts)


_OPEN_ZIPS = 4  # archives kept open per process (each with its parsed central directory)
_open: dict[tuple[str, int, int, int], zipfile.ZipFile] = {}


def _open_zip(path: str, mtime_ns: int, size: int, pid: int) -> zipfile.ZipFile:
    """One open archive per process (and per version of the file), reused for the listing and for
    each of its members.

    Keyed by process id: a forked worker inherits the parent's open archives, and an inherited
    ZipFile shares its file offset with the parent's, so each process opens its own file. It does
    not parse the central directory again, though, when the parent already had (the parent lists the
    members before the workers start): it reuses the parsed directory, read-only, with a file handle
    of its own. Parsing it costs about 14 µs and 0.7 KB per member (some 7 s and 400 MB for all
    560,000 CT.gov studies), which every worker would otherwise pay again."""
    key = (path, mtime_ns, size, pid)
    archive = _open.get(key)
    if archive is not None:
        return archive
    parsed = next((a for (p, m, s, _), a in _open.items() if (p, m, s) == (path, mtime_ns, size)), None)
    archive = _reopen(parsed, path, mtime_ns, size) if parsed is not None else None
    if archive is None:
        archive = zipfile.ZipFile(path)
    while len(_open) >= _OPEN_ZIPS:
        del _open[next(iter(_open))]  # the oldest; no close(): an inherited one shares the parent's file
    _open[key] = archive
    return archive


def _reopen(parsed: zipfile.ZipFile, path: str, mtime_ns: int, size: int) -> zipfile.ZipFile | None:
    """A ZipFile for `path` that shares `parsed`'s member list but reads through its own file handle;
    None when the file on disk is not the one `parsed` was read from."""
    handle = open(path, "rb")  # noqa: SIM115  (owned by the returned ZipFile, closed with it)
    stat = os.fstat(handle.fileno())
    if (stat.st_mtime_ns, stat.st_size) != (mtime_ns, size) or parsed.mode != "r":
        handle.close()
        return None
    archive = copy.copy(parsed)  # shallow: filelist and NameToInfo are shared and only read
    archive.fp = handle
    archive._fileRefCnt = 1  # type: ignore[attr-defined]
    archive._filePassed = 0  # type: ignore[attr-defined]
    archive._lock = threading.RLock()  # type: ignore[attr-defined]
    return archive


@dataclass(frozen=True)
class ZipMemberUnit:
    archive: str
    member: str

    def records(self, max_bytes: int) -> Iterator[SourceRecord]:
        name = member_name(self.archive, self.member)
        try:
            stat = os.stat(self.archive)
            archive = _open_zip(self.archive, stat.st_mtime_ns, stat.st_size, os.getpid())
            info = archive.getinfo(self.member)
            refusal = _refusal(info)
            if refusal is not None:
                yield error_record(name, refusal)
                return
            with archive.open(info) as handle:
                for unit in stream_units(handle, name, max_bytes, info.file_size):  # type: ignore[arg-type]
                    yield from unit.records(max_bytes)
        except OSError as exc:
            yield error_record(name, errors.UnreadableInput(f"cannot read {self.archive}: {exc.strerror or exc}"))
        except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, NotImplementedError, RuntimeError) as exc:
            yield error_record(name, errors.BadArchive(f"zip member does not read: {exc}"))


def _refusal(info: zipfile.ZipInfo) -> errors.TrialQAError | None:
    if info.flag_bits & 0x1:
        return errors.BadArchive("zip member is encrypted")
    if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        ratio = info.file_size / max(info.compress_size, 1)
        return errors.UnsafeArchive(
            f"zip member expands {ratio:,.0f}x ({info.compress_size:,} -> {info.file_size:,} bytes): "
            "refused as a likely zip bomb"
        )
    return None
