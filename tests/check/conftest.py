"""Helpers for the checker's tests: minimal records built from a few fields, and one-rule runs."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from extract.check import RULES, Finding
from extract.check.context import Context
from extract.model import TrialRecord
from extract.section.criteria import split_criteria

BASE: dict[str, Any] = {
    "nct_id": "NCT00000001",
    "brief_title": "A Study of Drug X in Adults With Condition Y",
    "overall_status": "RECRUITING",
    "study_type": "INTERVENTIONAL",
}


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Deep merge of nested dicts (lists and scalars in `extra` replace)."""
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def record(**fields: Any) -> TrialRecord:
    """A valid record: BASE plus `fields` (nested dicts merge)."""
    return TrialRecord.model_validate(merge(BASE, fields))


def criteria(text: str, **fields: Any) -> dict[str, Any]:
    """An eligibility dict for criteria `text`, split as the structured mappers split it."""
    split = split_criteria(text)
    return {
        "criteria_text": text,
        "inclusion": split.inclusion,
        "exclusion": split.exclusion,
        "headers": split.headers,
        **fields,
    }


def eligible(text: str, **fields: Any) -> TrialRecord:
    """A record whose eligibility is `text` (plus eligibility `fields`)."""
    return record(eligibility=criteria(text, **fields))


def run(rule_id: str, rec: TrialRecord, source_text: str | None = None) -> list[Finding]:
    """The findings of one rule on one record."""
    return RULES[rule_id](Context(record=rec, source_text=source_text))


def paths(findings: list[Finding]) -> list[list[str]]:
    return [[e.path for e in f.evidence] for f in findings]


@pytest.fixture
def two_arm() -> dict[str, Any]:
    """A consistent randomized two-arm placebo-controlled record, to vary in tests."""
    return {
        "design": {
            "allocation": "RANDOMIZED",
            "intervention_model": "PARALLEL",
            "masking": "DOUBLE",
            "who_masked": ["PARTICIPANT", "INVESTIGATOR"],
        },
        "arms": [
            {"label": "Drug X", "type": "EXPERIMENTAL", "intervention_names": ["Drug: Drug X"]},
            {"label": "Placebo", "type": "PLACEBO_COMPARATOR", "intervention_names": ["Drug: Placebo"]},
        ],
        "interventions": [
            {"type": "DRUG", "name": "Drug X", "arm_labels": ["Drug X"]},
            {"type": "DRUG", "name": "Placebo", "arm_labels": ["Placebo"]},
        ],
    }
