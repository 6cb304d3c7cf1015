"""The registries set (evals/fixtures/registries): composition, gold on the page, renderer up to date,
and the leave-one-layout-out figures replayed from the committed answers against the accepted ones
(evals/registries_loo.json, written by `python evals/registries_loo.py --replay --json ...`)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import EVALS, FIXTURES
from gold_strings import collapse, gold_strings

from extract.score.fixtures import Fixture, load_fixtures

REGISTRIES = load_fixtures(FIXTURES, ("registries",))
ACCEPTED = EVALS / "registries_loo.json"


def test_at_least_eight_layouts_of_five_real_records() -> None:
    layouts = Counter(f.folder.name.split("-", 1)[1] for f in REGISTRIES)
    assert len(layouts) >= 8 and min(layouts.values()) >= 5
    seeds = {"ctgov2019_pipe", "ctgov2019_plain", "mirror", "clinconnect", "plain"}
    assert not set(layouts) & seeds
    assert len({f.gold.id for f in REGISTRIES}) == len(REGISTRIES)  # no record used twice


@pytest.mark.parametrize("fixture", REGISTRIES, ids=lambda f: f.key)
def test_every_gold_string_occurs_in_the_page(fixture: Fixture) -> None:
    page = collapse(fixture.source_text())
    absent = [
        (path, value)
        for path, value in gold_strings(fixture.gold.record.model_dump(mode="json"))
        if collapse(value) not in page
    ]
    assert absent == []


def test_registry_fixtures_are_what_render_registries_writes(records_dir: Path) -> None:
    import render_registries

    assert render_registries.main(["--check"]) == 0


def test_leave_one_layout_out_replays_at_the_accepted_figures(capsys: pytest.CaptureFixture[str]) -> None:
    import registries_loo

    out = EVALS.parent / "reports" / "registries_loo.json"
    out.parent.mkdir(exist_ok=True)
    assert registries_loo.main(["--replay", "--json", str(out)]) == 0  # every answer recorded: no error row
    now, accepted = json.loads(out.read_text()), json.loads(ACCEPTED.read_text())
    assert now["mean_f1"] >= accepted["mean_f1"] - 0.01
    for layout, figures in accepted["layouts"].items():
        assert now["layouts"][layout]["f1"] >= figures["f1"] - 0.02, layout
