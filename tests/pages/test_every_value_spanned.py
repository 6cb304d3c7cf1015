"""Page extraction's promise: no value without a span. Every value of every page record (the five seed
pages, the 45 registry-layout pages, the 35 rendered pages; answers replayed) has a span at its own
path or at the item or field it belongs to (criteria items carry theirs on the item)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from cli import app
from tests.conftest import REPO

FIXTURES = REPO / "evals" / "fixtures"
_LAST_STEP = re.compile(r"(?:\.[^.\[]+|\[\d+\])$")


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) of every non-empty scalar, "arms[0].intervention_names[1]" style; criteria items
    (which hold their own span) are skipped."""
    if re.fullmatch(r"eligibility\.(?:inclusion|exclusion|headers)\[\d+\]", path):
        return
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from leaves(inner, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from leaves(inner, f"{path}[{index}]")
    elif value not in (None, ""):
        yield path, value


def spanned(path: str, spans: dict[str, Any]) -> bool:
    while path:
        if path in spans:
            return True
        path = _LAST_STEP.sub("", path) if _LAST_STEP.search(path) else ""
    return False


def test_spanned_follows_paths_up_to_the_item_or_field():
    spans = {"arms[0].type": {}, "design.who_masked": {}}
    assert spanned("arms[0].type", spans) and spanned("design.who_masked[1]", spans)
    assert not spanned("arms[1].type", spans) and not spanned("design.masking", spans)


def test_every_value_of_every_page_record_has_a_span(
    records_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIALQA_LAYOUTS_DIR", str(tmp_path / "layouts"))
    pages = tmp_path / "pages"
    pages.mkdir()
    for page in (records_dir / "pages").glob("*.txt"):
        shutil.copy(page, pages / page.name)
    for fixture_set in ("registries", "rendered"):
        for folder in sorted((FIXTURES / fixture_set).iterdir()):
            source = next(p for p in folder.iterdir() if p.stem == "source" or p.name.startswith("source."))
            shutil.copy(source, pages / f"{folder.name}{source.suffix}")
    out = tmp_path / "rows.jsonl"
    result = CliRunner().invoke(
        app, ["extract", str(pages), "-o", str(out), "--replay", "--cache-dir", str(REPO / "evals" / "llm-cache")]
    )
    assert result.exit_code == 0, result.output
    rows = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert len(rows) == 5 + 45 + 35 and all(row["status"] == "ok" for row in rows)
    unspanned = [
        f"{row['source']['id']}: {path} = {value!r}"
        for row in rows
        for path, value in leaves({k: v for k, v in row["record"].items() if k != "spans"})
        if not spanned(path, row["record"]["spans"])
    ]
    assert unspanned == []
