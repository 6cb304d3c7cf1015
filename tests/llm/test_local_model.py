"""Model assembly from part packages, on small fake parts installed on sys.path for the test."""

from __future__ import annotations

import hashlib
import importlib
import sys
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from extract.errors import ModelSetupError
from extract.llm import local_model
from extract.llm.local_model import ModelSpec, ensure_model, model_id_for, resolve_model_file, user_cache_dir

PARTS = [b"GGUF" + bytes(range(256)) * 40, b"middle" * 3000, b"end-of-model" * 17]
WHOLE = b"".join(PARTS)


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModelSpec]:
    """Three importable part packages holding data/partNN.bin, and the spec of their concatenation."""
    root = tmp_path_factory.mktemp("site")
    prefix = f"tqa_fake_{uuid.uuid4().hex[:8]}_part"
    for n, data in enumerate(PARTS, start=1):
        package = root / f"{prefix}{n}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("", encoding="utf-8")
        (package / "data" / f"part{n:02d}.bin").write_bytes(data)
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    try:
        yield ModelSpec(
            filename="tiny.gguf",
            sha256=hashlib.sha256(WHOLE).hexdigest(),
            size=len(WHOLE),
            part_count=len(PARTS),
            package_pattern=prefix + "{n}",
        )
    finally:
        sys.path.remove(str(root))


def test_assembles_the_parts_in_order_with_a_marker(spec: ModelSpec, tmp_path: Path):
    seen: list[tuple[int, int]] = []
    path = ensure_model(tmp_path, spec=spec, progress=lambda done, total: seen.append((done, total)))
    assert path == tmp_path / "models" / "tiny.gguf"
    assert path.read_bytes() == WHOLE
    assert seen[-1] == (len(WHOLE), len(WHOLE))
    marker = path.with_name("tiny.gguf.verified.json").read_text(encoding="utf-8")
    assert spec.sha256 in marker
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".part")] == []


def test_later_runs_reuse_the_file_without_hashing(spec: ModelSpec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    first = ensure_model(tmp_path, spec=spec)
    mtime = first.stat().st_mtime_ns

    def no_hashing(path: Path) -> str:
        raise AssertionError("re-hashed a verified model")

    monkeypatch.setattr(local_model, "_sha256_file", no_hashing)
    monkeypatch.setattr(local_model, "locate_parts", lambda spec: pytest.fail("re-assembled"))
    assert ensure_model(tmp_path, spec=spec) == first
    assert first.stat().st_mtime_ns == mtime


def test_a_damaged_file_of_the_wrong_size_is_reassembled(spec: ModelSpec, tmp_path: Path):
    path = ensure_model(tmp_path, spec=spec)
    path.write_bytes(WHOLE[:-5])
    assert ensure_model(tmp_path, spec=spec).read_bytes() == WHOLE


def test_right_size_file_without_marker_is_hashed_once(spec: ModelSpec, tmp_path: Path):
    path = tmp_path / "models" / "tiny.gguf"
    path.parent.mkdir(parents=True)
    path.write_bytes(WHOLE)  # e.g. copied in by hand
    assert ensure_model(tmp_path, spec=spec) == path
    assert path.with_name("tiny.gguf.verified.json").is_file()


def test_missing_parts_say_how_to_install(spec: ModelSpec, tmp_path: Path):
    missing = replace(spec, part_count=5)
    with pytest.raises(ModelSetupError, match=r"bash scripts/install\.sh") as caught:
        ensure_model(tmp_path, spec=missing)
    assert "part4" in str(caught.value) and "part5" in str(caught.value)
    assert not (tmp_path / "models" / "tiny.gguf").exists()


def test_hash_mismatch_is_an_error_and_leaves_nothing_behind(spec: ModelSpec, tmp_path: Path):
    wrong = replace(spec, sha256="0" * 64)
    with pytest.raises(ModelSetupError, match="sha256"):
        ensure_model(tmp_path, spec=wrong)
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == [".assemble.lock"]


def test_size_mismatch_is_an_error(spec: ModelSpec, tmp_path: Path):
    with pytest.raises(ModelSetupError, match="add up to"):
        ensure_model(tmp_path, spec=replace(spec, size=spec.size + 1))


def test_the_real_parts_are_found_when_installed():
    try:
        parts = local_model.locate_parts()
    except ModelSetupError as exc:
        assert "scripts/install.sh" in str(exc)
        pytest.skip("the [local] extra is not installed")
    assert len(parts) == 22 and parts[0].name == "part01.bin" and parts[-1].name == "part22.bin"


def test_user_gguf_is_used_as_is(tmp_path: Path):
    mine = tmp_path / "mine.gguf"
    mine.write_bytes(b"GGUF" + b"\0" * 10)
    assert resolve_model_file(str(mine)) == mine
    assert model_id_for(mine) == "local:mine.gguf:14"
    not_gguf = tmp_path / "model.bin"
    not_gguf.write_bytes(b"PK\3\4")
    with pytest.raises(ModelSetupError, match="not a GGUF"):
        resolve_model_file(str(not_gguf))
    with pytest.raises(ModelSetupError, match="no such file"):
        resolve_model_file(str(tmp_path / "absent.gguf"))


def test_cache_dir_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("TRIALQA_CACHE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert user_cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("TRIALQA_CACHE_DIR")
    assert user_cache_dir() == tmp_path / "xdg" / "trialqa"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert user_cache_dir() == tmp_path / "home" / ".cache" / "trialqa"
