"""Eval harness: fixtures with gold, field-level and checker scoring, and the regression gate.

    from extract.llm.config import EndpointConfig
    from extract.score.runner import EvalOptions, run_eval
    result = run_eval(EvalOptions(fixtures=Path("evals/fixtures"), endpoint=EndpointConfig(replay=True)))

Modules, one concern each: `fixtures` (the gold format, evals/FIXTURES.md), `text` (normalising
and similarity), `fields` (which record fields are scored, how and in which group), `matching`
(optimal assignment of list items), `metrics` (counts and P/R/F1 models), `record` (one gold vs
one prediction), `checker` (findings vs must/must-not), `grounding` (verified spans), `aggregate`
(totals per field, group, record, set), `gate` (baseline and tolerance), `runner` (extraction
and check over fixtures). The command, `trialqa eval`, is `extract.commands.evaluate`.
"""
