"""Deterministic cross-checker: a catalogue of registry QA rules, each finding with its evidence.

    from extract.check import check_record, RULES
    findings = check_record(record, source_text=page_text)

No model and no network: the same record (and source text) gives the same findings, in the same
order, byte for byte. Rules run in id order; each rule reports in record order.
"""

from __future__ import annotations

import functools

from extract.check import rules as _rules  # noqa: F401  (registers every rule)
from extract.check.config import CheckConfig, ConfigError
from extract.check.context import Context
from extract.check.finding import Evidence, Finding, Severity
from extract.check.registry import RULES, Rule, RuleFailed
from extract.model import TrialRecord

__all__ = [
    "RULES",
    "CheckConfig",
    "ConfigError",
    "Context",
    "Evidence",
    "Finding",
    "Rule",
    "RuleFailed",
    "Severity",
    "active_rules",
    "check_record",
]

_DEFAULT = CheckConfig()


def active_rules(config: CheckConfig | None = None) -> list[tuple[Rule, Severity]]:
    """The rules `config` enables, in id order, each with the severity it reports at."""
    if config is None:
        return list(_default_rules())
    return _resolve(config)


@functools.cache
def _default_rules() -> tuple[tuple[Rule, Severity], ...]:
    # check_record(record) without rules is called once per record by eval and review: resolve once
    return tuple(_resolve(_DEFAULT))


def _resolve(config: CheckConfig) -> list[tuple[Rule, Severity]]:
    return [
        (RULES[rule_id], config.severity_of(rule_id, RULES[rule_id].severity))
        for rule_id in sorted(RULES)
        if config.enabled(rule_id)
    ]


def check_record(
    record: TrialRecord,
    source_text: str | None = None,
    config: CheckConfig | None = None,
    *,
    record_id: str | None = None,
    rules: list[tuple[Rule, Severity]] | None = None,
) -> list[Finding]:
    """Every finding the enabled rules make on `record`.

    `source_text` is the text the record's spans index (the page text for page inputs); leave it
    None for structured inputs, whose criterion spans index `eligibility.criteria_text`.
    `record_id` names the record in findings when it has no NCT id. `rules` (from `active_rules`)
    saves resolving the configuration once per record in a batch.
    """
    ctx = Context(record=record, source_text=source_text, record_id=record_id)
    findings: list[Finding] = []
    nct_id = ctx.nct_id
    for rule, severity in rules if rules is not None else active_rules(config):
        try:
            for hit in rule.function(ctx):  # inlined Rule.__call__: this loop runs rules x records times
                findings.append(
                    Finding(
                        nct_id=nct_id, rule=rule.id, severity=severity, message=hit.message, evidence=list(hit.evidence)
                    )
                )
        except Exception as exc:  # a rule's bug on odd text must not end a batch of thousands of records
            raise RuleFailed(f"rule {rule.id} failed on this record ({type(exc).__name__}: {exc})") from exc
    return findings
