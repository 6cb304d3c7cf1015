"""The rule registry: each rule is a small pure function over a record, registered with `@rule`.

A rule function takes a `Context` and yields `Hit`s (a message and its evidence); the registry
stamps each hit with the record's NCT id, the rule's stable dotted id and its severity, so a
registered `Rule` is a function `(ctx) -> list[Finding]`. The function's docstring is the rule's
documentation: its first paragraph says what it catches, the rest why it matters.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from extract.check.context import Context
from extract.check.finding import Evidence, Finding, Severity
from extract.errors import TrialQAError


class RuleFailed(TrialQAError):
    """A rule raised on a record: that record becomes an error row naming the rule; the batch goes on."""


class Hit(NamedTuple):
    """What a rule function yields: the message and the evidence that supports it."""

    message: str
    evidence: tuple[Evidence, ...]


RuleFunction = Callable[[Context], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    function: RuleFunction
    summary: str  # first docstring paragraph: what it catches
    doc: str  # the whole docstring: what, and why it matters
    example: str  # one line a curator would recognise

    def __call__(self, ctx: Context, severity: Severity | None = None) -> list[Finding]:
        level = severity or self.severity
        return [
            Finding(nct_id=ctx.nct_id, rule=self.id, severity=level, message=hit.message, evidence=list(hit.evidence))
            for hit in self.function(ctx)
        ]


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity | str, *, example: str) -> Callable[[RuleFunction], RuleFunction]:
    """Register `function` under `rule_id` (dotted, stable: users select, skip and configure by it)."""
    level = Severity(severity)

    def register(function: RuleFunction) -> RuleFunction:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id!r} is registered twice")
        if "." not in rule_id or rule_id != rule_id.strip().lower():
            raise ValueError(f"rule id {rule_id!r} is not a lower-case dotted id")
        doc = inspect.cleandoc(function.__doc__ or "")
        if not doc:
            raise ValueError(f"rule {rule_id!r} has no docstring")
        RULES[rule_id] = Rule(
            id=rule_id,
            severity=level,
            function=function,
            summary=" ".join(doc.split("\n\n")[0].split()),
            doc=doc,
            example=example,
        )
        return function

    return register


def hit(message: str, *evidence: Evidence) -> Hit:
    return Hit(message, evidence)
