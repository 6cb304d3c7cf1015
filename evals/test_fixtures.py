"""The fixtures themselves: format, gold found on the page, sets complete, scripts' output up to date."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import FIXTURES
from gold_strings import collapse, gold_strings

from extract.score.fixtures import Fixture, load_fixtures

ALL = load_fixtures(FIXTURES)
BY_SET: dict[str, list[Fixture]] = {}
for _fixture in ALL:
    BY_SET.setdefault(_fixture.set, []).append(_fixture)
PAGES = BY_SET["hand"] + BY_SET["rendered"]

SEEDS = {"NCT03792542", "NCT04550949", "NCT06406205", "NCT06935409", "NCT07271602"}
LAYOUTS = {"ctgov2019_pipe", "ctgov2019_plain", "mirror", "clinconnect", "plain"}


def test_the_sets_hold_what_the_issue_asks() -> None:
    assert {f.gold.id for f in BY_SET["hand"]} == SEEDS
    assert len(BY_SET["rendered"]) >= 30
    layouts = Counter(f.folder.name.split("-", 1)[1] for f in BY_SET["rendered"])
    assert set(layouts) == LAYOUTS and min(layouts.values()) >= 5
    assert len(BY_SET["defects"]) >= 20


@pytest.mark.parametrize("fixture", PAGES, ids=lambda f: f.key)
def test_every_gold_string_occurs_in_the_page(fixture: Fixture) -> None:
    page = collapse(fixture.source_text())
    absent = [
        (path, value)
        for path, value in gold_strings(fixture.gold.record.model_dump(mode="json"))
        if collapse(value) not in page
    ]
    assert absent == []


@pytest.mark.parametrize("fixture", BY_SET["hand"], ids=lambda f: f.key)
def test_hand_gold_is_labelled_with_its_calls_and_findings(fixture: Fixture) -> None:
    gold = fixture.gold
    assert gold.source.origin == f"../shared/records/pages/{gold.id}.txt"
    assert gold.judgement_calls, "write down the judgement calls"
    assert gold.findings.must_not_raise, "a page must say which rules it must not raise"
    raised = {m.rule for m in gold.findings.must_raise}
    assert raised.isdisjoint(gold.findings.must_not_raise)
    criteria = gold.record.eligibility
    assert criteria.inclusion and criteria.exclusion and all(i.span is None for i in criteria.inclusion)


def test_the_seed_defects_named_in_the_docs_are_in_the_hand_gold() -> None:
    must = {f.gold.id: Counter(m.rule for m in f.gold.findings.must_raise) for f in BY_SET["hand"]}
    assert must["NCT07271602"]["eligibility.inclusion_item_in_exclusion"] == 2
    assert {"eligibility.numbering", "arms.placebo_arm_gets_active_drug", "design.placebo_in_open_label"} <= set(
        must["NCT07271602"]
    )
    assert must["NCT06935409"]["eligibility.dangling_sublist"] == 2
    assert {"outcomes.randomization_in_single_arm", "dates.text_vs_fields"} <= set(must["NCT03792542"])


def test_hand_sources_are_the_seed_pages_unchanged(records_dir: Path) -> None:
    for fixture in BY_SET["hand"]:
        assert fixture.source_path.read_bytes() == (records_dir / "pages" / f"{fixture.gold.id}.txt").read_bytes()


def test_each_planted_defect_has_its_rule_and_a_control_that_must_not_raise_it() -> None:
    controls = {f.folder.name: f for f in BY_SET["defects"] if f.folder.name.endswith("-control")}
    planted = [f for f in BY_SET["defects"] if not f.folder.name.endswith("-control")]
    assert len(planted) == len(controls)
    for fixture in planted:
        (must,) = fixture.gold.findings.must_raise
        control = controls[f"{fixture.folder.name}-control"]
        assert control.gold.findings.must_not_raise == [must.rule]
        assert control.gold.id == fixture.gold.id
        assert control.source_path.read_bytes() != fixture.source_path.read_bytes()
        assert "defect planted by evals/plant.py" in (fixture.gold.source.note or "")


def test_controls_map_to_the_same_record_as_the_original_file(records_dir: Path) -> None:
    from extract.load import iter_sources
    from extract.pipeline import extract_structured

    def mapped(path: Path) -> dict:
        (source,) = list(iter_sources([str(path)]))
        row = extract_structured(source)
        assert row.record is not None
        return row.record.model_dump(mode="json")

    for fixture in (f for f in BY_SET["defects"] if f.folder.name.endswith("-control")):
        origin = records_dir.parent.parent / fixture.gold.source.origin.removeprefix("../")
        assert mapped(fixture.source_path) == mapped(origin), fixture.key


def test_rendered_fixtures_are_what_render_py_writes(records_dir: Path) -> None:
    import render

    assert render.main(["--records", str(records_dir), "--check"]) == 0


def test_defect_fixtures_are_what_plant_py_writes(records_dir: Path) -> None:
    import plant

    assert plant.main(["--records", str(records_dir), "--check"]) == 0
