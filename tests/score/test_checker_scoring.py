"""Findings against must-raise / must-not-raise."""

from __future__ import annotations

from extract.check import Evidence, Finding
from extract.score.checker import score_findings
from extract.score.fixtures import FindingsGold


def finding(rule: str, *paths: str) -> Finding:
    return Finding(
        nct_id="NCT01234567",
        rule=rule,
        severity="warning",
        message=f"{rule} fired",
        evidence=[Evidence(path=p, text="x") for p in paths],
    )


def gold(must: list[dict[str, str]], must_not: list[str] = ()) -> FindingsGold:  # type: ignore[assignment]
    return FindingsGold.model_validate({"must_raise": must, "must_not_raise": list(must_not)})


def test_a_path_matches_evidence_at_or_inside_it() -> None:
    score = score_findings(
        gold([{"rule": "r.a", "path": "arms[1]"}]), [finding("r.a", "design.masking", "arms[1].type")]
    )
    assert score.rules["r.a"].tp == 1


def test_a_finding_elsewhere_does_not_satisfy_a_path() -> None:
    score = score_findings(gold([{"rule": "r.a", "path": "arms[1]"}]), [finding("r.a", "arms[10]")])
    assert (score.rules["r.a"].tp, score.rules["r.a"].fn) == (0, 1)
    assert [o.outcome for o in score.outcomes] == ["fn", "unjudged"]


def test_each_finding_satisfies_one_entry() -> None:
    entries = [{"rule": "r.a", "path": "eligibility.exclusion[0]"}, {"rule": "r.a", "path": "eligibility.exclusion[1]"}]
    score = score_findings(gold(entries), [finding("r.a", "eligibility.exclusion[0]")])
    assert (score.rules["r.a"].tp, score.rules["r.a"].fn) == (1, 1)


def test_pathless_entries_do_not_steal_a_pathed_entrys_finding() -> None:
    entries = [{"rule": "r.a"}, {"rule": "r.a", "path": "x"}]
    score = score_findings(gold(entries), [finding("r.a", "x"), finding("r.a", "y")])
    assert score.rules["r.a"].tp == 2


def test_must_not_raise_counts_one_false_positive_per_rule_and_silence_as_true_negative() -> None:
    score = score_findings(gold([], ["r.b", "r.c"]), [finding("r.b", "a"), finding("r.b", "b"), finding("r.d", "c")])
    assert score.rules["r.b"].fp == 1
    assert score.rules["r.c"].tn == 1 and score.rules["r.c"].fp == 0
    assert "r.d" not in score.rules  # unjudged findings are listed, not counted
    assert [o.outcome for o in score.outcomes].count("unjudged") == 1
