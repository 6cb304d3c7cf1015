"""The eval fixture format (evals/FIXTURES.md): one folder per fixture, a source file and gold.json.

`evals/fixtures/<set>/<fixture_id>/source.{txt,json,xml,html}` is the input exactly as
`trialqa extract` reads it; `gold.json` holds the gold record (validated as a TrialRecord, so a
typo in gold is an error, not a silent zero), the findings the checker must and must not raise,
and the labeller's judgement calls.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from extract.model import TrialRecord

SetName = Literal["hand", "rendered", "registries", "defects", "curated"]
SET_NAMES: tuple[str, ...] = ("hand", "rendered", "registries", "defects", "curated")
SOURCE_NAMES = ("source.txt", "source.json", "source.xml", "source.html")


class FixtureError(ValueError):
    """A fixture folder that does not follow evals/FIXTURES.md."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceInfo(_Strict):
    file: str
    origin: str | None = None
    note: str | None = None


class MustRaise(_Strict):
    rule: str
    path: str | None = None  # None: the rule alone matches any evidence path


class FindingsGold(_Strict):
    must_raise: list[MustRaise] = Field(default_factory=list)
    must_not_raise: list[str] = Field(default_factory=list)


class Gold(_Strict):
    id: str
    set: SetName
    source: SourceInfo
    record: TrialRecord
    findings: FindingsGold = Field(default_factory=FindingsGold)
    judgement_calls: list[str] = Field(default_factory=list)


class Fixture(BaseModel):
    """A loaded fixture: where it lives, its source file and its gold."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    key: str  # "<set>/<folder name>", unique across sets
    folder: Path
    source_path: Path
    gold: Gold

    @property
    def set(self) -> str:
        return self.gold.set

    def source_text(self) -> str:
        return self.source_path.read_text(encoding="utf-8")


def load_gold(path: Path) -> Gold:
    try:
        return Gold.model_validate(orjson.loads(path.read_bytes()))
    except (orjson.JSONDecodeError, ValidationError) as exc:
        raise FixtureError(f"{path}: {exc}") from exc


def load_fixture(folder: Path) -> Fixture:
    gold_path = folder / "gold.json"
    if not gold_path.is_file():
        raise FixtureError(f"{folder}: no gold.json")
    gold = load_gold(gold_path)
    source_path = folder / gold.source.file
    if gold.source.file not in SOURCE_NAMES or not source_path.is_file():
        raise FixtureError(f"{folder}: source file {gold.source.file!r} is missing or not one of {SOURCE_NAMES}")
    if folder.parent.name != gold.set:
        raise FixtureError(f"{folder}: gold says set {gold.set!r} but the folder is under {folder.parent.name!r}")
    return Fixture(key=f"{gold.set}/{folder.name}", folder=folder, source_path=source_path, gold=gold)


def load_fixtures(root: Path, sets: tuple[str, ...] = SET_NAMES) -> list[Fixture]:
    """Every fixture under `root/<set>/` for the requested sets, in (set, folder name) order."""
    if not root.is_dir():
        raise FixtureError(f"fixtures folder {root} does not exist")
    fixtures = []
    for set_name in sets:
        set_dir = root / set_name
        if not set_dir.is_dir():
            continue
        for folder in sorted(p for p in set_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
            fixtures.append(load_fixture(folder))
    return fixtures


def gold_json(gold: Gold) -> bytes:
    """gold.json bytes as the scripts write them: the record without spans, sorted keys, indented."""
    data = gold.model_dump(mode="json", exclude_none=False)
    data["record"] = record_without_spans(data["record"])
    data["findings"]["must_raise"] = [
        {k: v for k, v in item.items() if v is not None} for item in data["findings"]["must_raise"]
    ]
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def record_without_spans(record: dict[str, Any]) -> dict[str, Any]:
    """A dumped TrialRecord without `spans` and without item / header spans (gold carries none)."""
    out = {k: v for k, v in record.items() if k != "spans"}
    elig = dict(out.get("eligibility") or {})
    for key in ("inclusion", "exclusion", "headers"):
        elig[key] = [{k: v for k, v in item.items() if k != "span"} for item in elig.get(key) or []]
    for key in ("minimum_age", "maximum_age"):
        if isinstance(elig.get(key), dict):
            elig[key] = elig[key]["text"]  # "18 Years": what a labeller writes; the model parses it
    out["eligibility"] = elig
    return out


def sync_fixture_set(out: Path, folders: dict[str, dict[str, bytes]], *, check: bool, made: str) -> int:
    """Write a generated fixture set (folder name -> file name -> bytes) under `out`; with `check`, write
    nothing and report what differs from disk. Folders on disk that are no longer generated are reported,
    never deleted. Returns the exit code: 1 when `check` finds anything out of date."""
    stale = []
    for name, files in folders.items():
        for file_name, data in files.items():
            path = out / name / file_name
            if check:
                if not path.is_file() or path.read_bytes() != data:
                    stale.append(str(path))
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
    extra = sorted(p.name for p in out.iterdir() if p.is_dir() and p.name not in folders) if out.is_dir() else []
    if check:
        for name in stale + extra:
            print(f"out of date: {name}", file=sys.stderr)
        return 1 if stale or extra else 0
    for name in extra:
        print(f"not {made} any more (remove it by hand): {out / name}", file=sys.stderr)
    return 0
