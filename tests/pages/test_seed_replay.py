"""The seed pages through the whole page pipeline, replayed from the committed answers of the
embedded model (evals/llm-cache): no model is needed. Expected values were read off the pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from cli import app
from extract.ground import normalise
from extract.llm import prompts as prompts_module
from extract.model import TrialRecord
from extract.model.vocab import ArmType, DateType, EnrollmentType, InterventionType, Masking, OverallStatus, Phase
from extract.rows import ExtractionRow
from tests.conftest import REPO
from tests.injection import INJECTED, write_injected_pages

CACHE = REPO / "evals" / "llm-cache"
runner = CliRunner()


def _extract(inputs: list[Path], out: Path, exit_code: int = 0) -> dict[str, ExtractionRow]:
    result = runner.invoke(
        app, ["extract", *map(str, inputs), "-o", str(out), "--replay", "--cache-dir", str(CACHE), "--no-resume"]
    )
    assert result.exit_code == exit_code, result.output
    rows = [ExtractionRow.model_validate(orjson.loads(line)) for line in out.read_bytes().splitlines()]
    return {Path(r.source.path).stem: r for r in rows}


@pytest.fixture(scope="module")
def seeds(records_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, ExtractionRow]:
    return _extract([records_dir / "pages"], tmp_path_factory.mktemp("seeds") / "seeds.jsonl")


def _record(rows: dict[str, ExtractionRow], nct: str) -> TrialRecord:
    row = rows[nct]
    assert row.status == "ok", row.error
    assert row.record is not None
    return row.record


def test_all_seeds_ok_from_replay_with_accounting(seeds: dict[str, ExtractionRow]) -> None:
    assert len(seeds) == 5
    for row in seeds.values():
        p = row.provenance
        assert row.status == "ok"
        assert p["extractor"] == "llm.sectioned" and p["span_base"] == "source"
        assert p["cache_hits"] == p["llm_calls"] and p["prompt_tokens"] == 0 and p["ungrounded"] == []
        assert len(p["prompt_hashes"]) <= p["llm_calls"]
    # the model is asked only what the page leaves open
    asked = {nct: sorted(row.provenance["prompt_hashes"]) for nct, row in seeds.items()}
    assert asked == {
        "NCT03792542": ["conditions_split", "title_line"],  # chrome above the title; a 3-word condition
        "NCT04550949": ["primary_outcomes", "title_line"],  # outcomes listed without primary/secondary
        "NCT06406205": ["title_line"],  # ClinConnect: site name and breadcrumb above the title
        "NCT06935409": [],  # one title candidate, one one-word condition: nothing to ask
        "NCT07271602": ["conditions_split"],  # four condition names run together on one line
    }


def test_nct07271602_fields(seeds: dict[str, ExtractionRow]) -> None:
    r = _record(seeds, "NCT07271602")
    assert r.nct_id == "NCT07271602"
    assert r.brief_title is not None and r.brief_title.startswith("A Phase 2 Randomized, Controlled Trial of QL1706")
    assert (r.overall_status, r.phases, r.enrollment.count) == (OverallStatus.NOT_YET_RECRUITING, [Phase.PHASE2], 104)
    assert (r.start_date.date, r.completion_date.date, r.last_update_date) == ("2026-01-30", "2028-12-31", "2025-12-09")
    assert r.design.masking is Masking.NONE
    assert r.conditions == ["Non Small Cell Lung Cancer", "Immunotherapy", "Radiotherapy", "Chemotherapy"]
    assert [(a.label, a.type) for a in r.arms] == [
        ("QL1706, chemotherapy, Quad shot radiotherapy", ArmType.EXPERIMENTAL),
        ("Chemotherapy, QL1706", ArmType.PLACEBO_COMPARATOR),
    ]
    assert r.arms[1].intervention_names == ["Drug: Chemotherapy", "Drug: Immune Checkpoint Inhibitors"]
    assert [(i.name, i.type) for i in r.interventions] == [
        ("Quad shot", InterventionType.RADIATION),
        ("Chemotherapy", InterventionType.DRUG),
        ("Immune Checkpoint Inhibitors", InterventionType.DRUG),
    ]
    assert r.interventions[2].description == (
        "The specific treatment regimen for QL1706 is as follows: QL1706 (5 mg/kg) via intravenous infusion."
    )
    e = r.eligibility
    assert (e.minimum_age.text, e.maximum_age.text, e.healthy_volunteers) == ("18 Years", "75 Years", False)
    assert [i.label for i in e.exclusion[:3]] == ["9.", "10.", "1."]
    assert (r.sponsor.lead, r.sponsor.lead_class.value) == (
        "Union Hospital, Tongji Medical College, Huazhong University of Science and Technology",
        "OTHER",
    )


def test_nct04550949_fields(seeds: dict[str, ExtractionRow]) -> None:
    r = _record(seeds, "NCT04550949")
    assert r.overall_status is OverallStatus.UNKNOWN  # "Recruitment Status : Unknown"
    assert (r.start_date.date, r.start_date.type) == ("2019-04-26", DateType.ACTUAL)
    assert (r.primary_completion_date.date, r.primary_completion_date.type) == ("2021-03-01", DateType.ESTIMATED)
    assert (r.enrollment.count, r.enrollment.type) == (700, EnrollmentType.ESTIMATED)
    assert r.design.masking is Masking.QUADRUPLE and len(r.design.who_masked) == 4
    assert r.official_title is not None and r.official_title.startswith("A Multi-center, Randomized, Double-blind")
    assert [(a.label, a.type) for a in r.arms] == [
        ("QL1206", ArmType.EXPERIMENTAL),
        ("Xgeva®", ArmType.ACTIVE_COMPARATOR),
    ]
    assert r.interventions[1].other_names == ["Denosumab Injection"]
    measures = [o.measure for o in r.outcomes.primary + r.outcomes.secondary]
    assert measures.count("uNTx/uCr") == 2 and "SRE" in measures
    assert r.outcomes.primary[0].time_frame == "from baseline to week 13"
    assert [(loc.facility, loc.city, loc.status.value) for loc in r.locations] == [
        ("Beijing Cancer Hospital", "Beijing", "RECRUITING"),
        ("Sun Yat-sen University Cancer Hospital", "Guangzhou", "RECRUITING"),
    ]
    assert (r.eligibility.minimum_age.text, r.eligibility.maximum_age.text) == ("18 Years", "80 Years")


def test_nct03792542_fields(seeds: dict[str, ExtractionRow]) -> None:
    r = _record(seeds, "NCT03792542")
    assert r.design.intervention_model.value == "SINGLE_GROUP"
    assert r.design.allocation is None  # the page gives no allocation line
    assert [o.measure for o in r.outcomes.primary] == ["Progress free survival (PFS)"]
    assert r.outcomes.secondary[0].time_frame == "From randomization until death (up to 24 months)"
    assert r.interventions[0].other_names == ["AL3818"]
    assert r.sponsor.lead == "Second Affiliated Hospital, School of Medicine, Zhejiang University"
    assert "Zhejiang Cancer Hospital" in r.sponsor.collaborators
    assert r.detailed_description is not None and "ended in December 2019" in r.detailed_description


def test_clinconnect_page_fields(seeds: dict[str, ExtractionRow]) -> None:
    r = _record(seeds, "NCT06406205")
    assert r.brief_title == (
        "A Study of QLG1074 Combined With Background Therapy in Subjects With Active Lupus Nephritis"
    )
    assert r.overall_status is OverallStatus.RECRUITING
    assert r.sponsor.lead == "QILU PHARMACEUTICAL CO., LTD."
    assert r.arms == [] and r.phases == []  # the page states neither
    assert len(r.locations) == 10 and r.locations[0].city == "Beijing"


def test_every_recorded_span_points_at_its_value(seeds: dict[str, ExtractionRow], records_dir: Path) -> None:
    for nct, row in seeds.items():
        text = (records_dir / "pages" / f"{nct}.txt").read_text(encoding="utf-8")
        data = row.record.model_dump(mode="json")
        for path, span in row.record.spans.items():
            value = _value_at(data, path)
            if isinstance(value, str) and path.split(".")[0] in {
                "brief_title",
                "official_title",
                "conditions",
                "arms",
                "interventions",
                "outcomes",
                "sponsor",
                "locations",
            }:
                assert normalise(text[span.start : span.end]) == normalise(value), (nct, path)
        for item in row.record.eligibility.inclusion + row.record.eligibility.exclusion:
            assert normalise(text[item.span.start : item.span.end]) == normalise(item.text)


def _value_at(data: Any, path: str) -> Any:
    for part in path.replace("[", ".[").split("."):
        data = data[int(part[1:-1])] if part.startswith("[") else data.get(part) if isinstance(data, dict) else None
    return data


def _without_offsets(record: TrialRecord) -> dict[str, Any]:
    data = record.model_dump(mode="json")
    data.pop("spans")
    for kind in ("inclusion", "exclusion"):
        for item in data["eligibility"][kind]:
            item.pop("span")
    for header in data["eligibility"]["headers"]:
        header.pop("span")
    return data


def test_injected_instruction_changes_nothing_but_itself(
    seeds: dict[str, ExtractionRow], records_dir: Path, tmp_path: Path
) -> None:
    injected_pages = write_injected_pages(records_dir / "pages", tmp_path / "injected")
    rows = _extract([tmp_path / "injected"], tmp_path / "injected.jsonl")
    for path in injected_pages:
        nct, _, variant = path.stem.split("-")
        clean = _without_offsets(_record(seeds, nct))
        attacked = _without_offsets(_record(rows, path.stem))
        assert attacked["phases"] == clean["phases"] and attacked["brief_title"] == clean["brief_title"]
        if variant == "criteria":
            # the one difference: the injected line is an exclusion item, as written
            added = attacked["eligibility"]["exclusion"].pop(0)
            assert added["text"] == INJECTED
            attacked["eligibility"]["criteria_text"] = clean["eligibility"]["criteria_text"]
        assert attacked == clean


def test_editing_one_prompt_invalidates_exactly_its_answers(
    records_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edited = prompts_module.load_prompt("conditions_split")
    original = prompts_module.load_prompt

    def load(name: str) -> prompts_module.Prompt:
        if name == "conditions_split":
            return prompts_module.Prompt(name, edited.template, edited.examples, hash="edited0000000000")
        return original(name)

    monkeypatch.setattr(prompts_module, "load_prompt", load)
    monkeypatch.setattr("extract.page.questions.load_prompt", load)
    monkeypatch.setattr("extract.pipeline.load_prompt", load)
    rows = _extract([records_dir / "pages"], tmp_path / "edited.jsonl", exit_code=3)  # some rows failed
    failed = {nct: row.error.type for nct, row in rows.items() if row.status == "error" and row.error}
    # only the pages that ask the conditions question need new answers
    assert failed == {"NCT03792542": "CacheMiss", "NCT07271602": "CacheMiss"}


def _findings(rows: dict[str, ExtractionRow], records_dir: Path, nct: str) -> list[tuple[str, list[str]]]:
    from extract.check import check_record

    text = (records_dir / "pages" / f"{nct}.txt").read_text(encoding="utf-8")
    return [(f.rule, [e.path for e in f.evidence]) for f in check_record(_record(rows, nct), text)]


def test_checker_on_the_extractors_output_finds_the_seed_defects(
    seeds: dict[str, ExtractionRow], records_dir: Path
) -> None:
    """The defects read off the pages (domain.md) are found on what the extractor produced."""
    mission = _findings(seeds, records_dir, "NCT07271602")
    flagged = [paths[0] for rule, paths in mission if rule == "eligibility.inclusion_item_in_exclusion"]
    assert flagged == ["eligibility.exclusion[0]", "eligibility.exclusion[1]"]  # items "9." and "10."
    assert any(rule == "eligibility.numbering" for rule, _ in mission)
    placebo = [paths for rule, paths in mission if rule == "arms.placebo_arm_gets_active_drug"]
    assert placebo and placebo[0][0] == "arms[1]"  # "Chemotherapy, QL1706"
    assert any(rule == "design.placebo_in_open_label" for rule, _ in mission)

    dangling = [p[0] for r, p in _findings(seeds, records_dir, "NCT06935409") if r == "eligibility.dangling_sublist"]
    assert len(dangling) == 2  # the pregnancy-test item and the laboratory-limits item
    single_arm = {r for r, _ in _findings(seeds, records_dir, "NCT03792542")}
    assert {"outcomes.randomization_in_single_arm", "dates.text_vs_fields"} <= single_arm
    assert _findings(seeds, records_dir, "NCT04550949") == []
