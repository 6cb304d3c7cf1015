"""The registry's contract: documented rules with stable ids, each tested both ways, config semantics."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extract.check import RULES, CheckConfig, ConfigError, Severity, active_rules, check_record
from extract.check.config import from_mapping, matches
from extract.check.registry import rule
from tests.check.conftest import record

HERE = Path(__file__).parent
RULE_FAMILIES = {"eligibility", "arms", "design", "outcomes", "dates", "status", "enrollment", "interventions"}


def test_every_rule_is_documented_with_a_dotted_id_severity_and_example() -> None:
    assert len(RULES) >= 30
    for rule_id, entry in RULES.items():
        assert re.fullmatch(r"[a-z]+\.[a-z_]+", rule_id), rule_id
        assert rule_id.split(".")[0] in RULE_FAMILIES
        assert isinstance(entry.severity, Severity)
        assert entry.summary and entry.doc.startswith(entry.summary.split()[0])
        assert len(entry.doc.split("\n\n")) >= 2, f"{rule_id}: the docstring should say why it matters"
        assert entry.example


def test_the_issue_names_rules_that_exist() -> None:
    named = {
        "eligibility.inclusion_item_in_exclusion",
        "eligibility.exclusion_item_in_inclusion",
        "eligibility.numbering",
        "eligibility.dangling_sublist",
        "eligibility.age_mismatch",
        "eligibility.sex_mismatch",
        "eligibility.duplicate_item",
        "eligibility.missing_section",
        "arms.placebo_arm_gets_active_drug",
        "arms.sham_without_sham",
        "arms.no_intervention_arm_has_interventions",
        "arms.arm_without_intervention",
        "arms.unknown_intervention_reference",
        "arms.intervention_without_arm",
        "design.single_group_multiple_arms",
        "design.randomized_single_arm",
        "design.multi_arm_model_with_one_arm",
        "design.masking_vs_text",
        "design.masking_roles_count",
        "design.placebo_in_open_label",
        "design.phase_vs_title",
        "design.allocation_vs_title",
        "outcomes.randomization_in_single_arm",
        "outcomes.missing_time_frame",
        "outcomes.vague_measure",
        "dates.order",
        "dates.status_vs_dates",
        "dates.text_vs_fields",
        "status.why_stopped_missing",
        "enrollment.type_vs_status",
        "interventions.dose_mismatch",
    }
    assert named <= set(RULES)


def test_every_rule_has_tests_that_run_it() -> None:
    sources = "\n".join(p.read_text(encoding="utf-8") for p in HERE.glob("test_rules_*.py"))
    untested = [rule_id for rule_id in RULES if f'"{rule_id}"' not in sources]
    assert untested == []


def test_registering_twice_or_without_a_docstring_is_refused() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        rule("dates.order", "error", example="x")(lambda ctx: iter(()))
    with pytest.raises(ValueError, match="no docstring"):
        rule("dates.brand_new", "error", example="x")(lambda ctx: iter(()))
    assert "dates.brand_new" not in RULES


def test_prefixes_match_whole_dotted_parts() -> None:
    assert matches("design.masking_vs_text", "design")
    assert matches("design.masking_vs_text", "design.masking_vs_text")
    assert not matches("design.masking_vs_text", "design.masking")
    assert not matches("design.masking_vs_text", "des")


def test_config_selects_disables_and_overrides_severity() -> None:
    config = from_mapping(
        {
            "select": ["dates", "outcomes"],
            "disable": ["dates.text_vs_fields"],
            "severity": {"outcomes.vague_measure": "info"},
        },
        RULES,
        "test",
    )
    chosen = {r.id: s for r, s in active_rules(config)}
    assert set(chosen) == {i for i in RULES if i.startswith(("dates.", "outcomes."))} - {"dates.text_vs_fields"}
    assert chosen["outcomes.vague_measure"] == Severity.INFO
    assert chosen["dates.order"] == Severity.ERROR
    flawed = record(outcomes={"primary": [{"measure": "Safety", "time_frame": "1 year"}]})
    (finding,) = check_record(flawed, config=config)
    assert (finding.rule, finding.severity) == ("outcomes.vague_measure", "info")


@pytest.mark.parametrize(
    "table",
    [
        {"disable": ["nope"]},
        {"severity": {"dates.order": "fatal"}},
        {"severity": {"dates.nope": "info"}},
        {"ignore": []},
        {"disable": "dates"},
    ],
)
def test_bad_config_is_refused(table: dict) -> None:
    with pytest.raises(ConfigError):
        from_mapping(table, RULES, "test")


def test_findings_come_in_rule_id_order() -> None:
    flawed = record(
        overall_status="TERMINATED",
        start_date={"date": "2021-06"},
        completion_date={"date": "2021-01"},
        outcomes={"primary": [{"measure": "Efficacy"}]},
    )
    rules = [f.rule for f in check_record(flawed, config=CheckConfig())]
    assert rules == sorted(rules)
    assert {
        "dates.order",
        "outcomes.missing_time_frame",
        "outcomes.vague_measure",
        "status.why_stopped_missing",
    } <= set(rules)
