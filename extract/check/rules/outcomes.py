"""Outcome rules: randomization wording without randomization, missing time frames, non-specific measures."""

from __future__ import annotations

import re
from collections.abc import Iterator

from extract.check.context import Context
from extract.check.registry import Hit, hit, rule
from extract.check.text import norm
from extract.model.vocab import Allocation, InterventionModel, StudyType

_RANDOMIZATION = re.compile(r"(?<![-\w])(?<!not\s)randomi[sz](?:ation|ed|e)\b", re.IGNORECASE)
_BETWEEN_ARMS = re.compile(
    r"\bbetween\s+(?:the\s+)?(?:two|2|three|3|treatment|study|both)?\s*(?:arms|groups)\b"
    r"|\bcompared\s+(?:to|with)\s+(?:the\s+)?(?:placebo|control)\s+(?:arm|group)\b",
    re.IGNORECASE,
)


def _short_fields_hold(ctx: Context, part: str, longest: int, words: tuple[str, ...]) -> bool:
    """Does any outcome's `part` (e.g. time_frame) of at most `longest` characters hold one of `words`
    (lower case)? One pass per word over them all, so that a rule whose phrases all hold such a word
    can skip normalising each outcome's text when none does."""
    short = "\n".join(
        value for _, outcome in ctx.outcomes if (value := getattr(outcome, part)) and len(value) <= longest
    ).lower()
    return any(word in short for word in words)


@rule(
    "outcomes.randomization_in_single_arm",
    "warning",
    example="Single-group study, OS time frame 'From randomization until death (up to 24 months)'",
)
def randomization_in_single_arm(ctx: Context) -> Iterator[Hit]:
    """An outcome's time frame or description counts "from randomization" (or compares arms) in a
    one-arm or non-randomized study.

    The wording was copied from a randomized protocol, so the outcome's start point is undefined
    for this study (first dose? enrolment?). Between-arm wording is only reported in one-arm
    studies; randomization wording also in non-randomized multi-arm ones.
    """
    record = ctx.record
    if record.study_type not in (StudyType.INTERVENTIONAL, None) or record.design.allocation == Allocation.RANDOMIZED:
        return
    single = len(record.arms) == 1 or record.design.intervention_model == InterventionModel.SINGLE_GROUP
    non_randomized = record.design.allocation in (Allocation.NON_RANDOMIZED, Allocation.NA)
    if not (single or non_randomized):
        return
    design = "a single-arm" if single else "a non-randomized"
    for path, outcome in ctx.outcomes:
        for part in ("time_frame", "description"):
            value = getattr(outcome, part) or ""
            lowered = value.lower()
            if "randomi" not in lowered and not (single and ("between" in lowered or "compared" in lowered)):
                continue
            match = _RANDOMIZATION.search(value) or (_BETWEEN_ARMS.search(value) if single else None)
            if match:
                yield hit(
                    f"outcome {outcome.measure!r} {part.replace('_', ' ')} says {match.group(0)!r} in {design} study",
                    ctx.field(f"{path}.{part}", value),
                )
                break


@rule(
    "outcomes.missing_time_frame",
    "warning",
    example="Primary outcome 'Overall survival' with no time frame",
)
def missing_time_frame(ctx: Context) -> Iterator[Hit]:
    """An outcome measure has no time frame.

    ClinicalTrials.gov review sends a major comment for it: without a time frame the measure
    cannot be assessed or compared with results.
    """
    for path, outcome in ctx.outcomes:
        if not (outcome.time_frame or "").strip():
            yield hit(f"outcome {outcome.measure!r} has no time frame", ctx.field(f"{path}.measure", outcome.measure))


_VAGUE = frozenset(
    norm(m)
    for m in (
        "safety",
        "efficacy",
        "tolerability",
        "toxicity",
        "effectiveness",
        "efficiency",
        "feasibility",
        "safety and efficacy",
        "efficacy and safety",
        "safety and tolerability",
        "tolerability and safety",
        "safety and effectiveness",
        "effectiveness and safety",
        "efficacy and tolerability",
        "safety, tolerability",
        "safety/tolerability",
        "efficacy/safety",
        "pharmacokinetics",
        "pk",
        "pharmacodynamics",
        "immunogenicity",
        "quality of life",
        "response",
        "effect",
        "effects",
        "outcome",
        "outcomes",
        "primary outcome",
        "secondary outcome",
        "improvement",
        "clinical efficacy",
        "clinical outcome",
        "clinical outcomes",
        "adverse events",
        "side effects",
        "survival",
        "efficacy of treatment",
        "treatment efficacy",
    )
)


_VAGUE_LONGEST = max(len(m) for m in _VAGUE) + 4  # room for punctuation norm() drops
# What makes a description say how the measure is measured: an instrument or scale, a grading system,
# a definition, a count or proportion, an assay, a threshold or unit.
_SPECIFIED = re.compile(
    r"\b(?:scales?|questionnaires?|scores?|index|inventory|instruments?|checklist|diary|diaries|criteria|ctcae|"
    r"nci[\s-]?ctc|recist|who\s+grade|grade[sd]?|grading|measured\s+(?:by|with|using|as)|assessed\s+(?:by|with|using)|"
    r"evaluated\s+(?:by|with|using)|defined\s+(?:as|by)|number\s+of|percentage|proportion|incidence\s+of|"
    r"frequency\s+of|time\s+(?:from|to|until)|eortc|qlq|sf-?36|sf-?12|eq-?5d|fact-\w+|hads|titers?|titres?|"
    r"elisa|assay|gmt|seroconversion|seroprotection|using\s+the|kaplan|death\s+from|rates?|levels?|"
    r"maximum\s+tolerated|dose[\s-]limiting|dlts?|mtd)\b|\d\s*(?:%|mg|mmhg|ml|points?)",
    re.IGNORECASE,
)


@rule(
    "outcomes.vague_measure",
    "warning",
    example="Primary outcome measure 'Safety'",
)
def vague_measure(ctx: Context) -> Iterator[Hit]:
    """An outcome measure is only a domain word ("Safety", "Efficacy", "Tolerability", "Adverse events").

    Zarin et al. (NEJM 2011) found 61% of registry outcome measures lacked specificity, and PRS
    review asks for the specific measurement (e.g. "Number of participants with grade 3+ adverse
    events"). Only measures that are nothing but such a word (case and punctuation aside) are reported,
    and not when the outcome's description says how it is measured (an instrument or scale, a
    grading system, a definition, a count or proportion, an assay): "Quality of life" described as
    "assessed by the EORTC QLQ-C30" is specific where PRS shows it.
    """
    for path, outcome in ctx.outcomes:
        if len(outcome.measure) <= _VAGUE_LONGEST and norm(outcome.measure) in _VAGUE:
            if outcome.description and _SPECIFIED.search(outcome.description):
                continue
            yield hit(
                f"outcome measure {outcome.measure!r} is not specific", ctx.field(f"{path}.measure", outcome.measure)
            )


# Time frames that name no time: PRS asks for the specific points ("Baseline, Week 12") or a
# duration; "through study completion" is accepted only with its average ("an average of 1 year").
_UNTIMED_FRAMES = frozenset(
    norm(phrase)
    for phrase in (
        "end of study",
        "end of the study",
        "study end",
        "at the end of the study",
        "at end of study",
        "through study completion",
        "study completion",
        "until study completion",
        "at study completion",
        "up to study completion",
        "end of trial",
        "trial completion",
        "end of treatment",
        "duration of study",
        "duration of the study",
        "study duration",
        "throughout the study",
        "during the study",
        "entire study",
        "the entire study period",
        "over the study period",
        "length of study",
        "length of the study",
        "ongoing",
        "continuous",
    )
)
_UNTIMED_LONGEST = 60
# Every untimed phrase holds one of these (tests/test_check_prefilters.py keeps it so).
UNTIMED_WORDS = ("study", "trial", "treatment", "ongoing", "continuous")


@rule(
    "outcomes.untimed_time_frame",
    "warning",
    example="Time frame 'Through study completion' (no average duration, no time points)",
)
def untimed_time_frame(ctx: Context) -> Iterator[Hit]:
    """An outcome's time frame names no time: only "end of study", "through study completion",
    "throughout the study" and the like.

    PRS review asks for specific time points or a duration so that results can be read against
    them; "through study completion" is accepted with its average ("..., an average of 1 year").
    Only time frames that are nothing but such a phrase are reported: any number, date or named
    visit ("Week 12", "an average of 18 months") makes one specific.
    """
    if not _short_fields_hold(ctx, "time_frame", _UNTIMED_LONGEST, UNTIMED_WORDS):
        return
    for path, outcome in ctx.outcomes:
        frame = outcome.time_frame
        if frame and len(frame) <= _UNTIMED_LONGEST and norm(frame) in _UNTIMED_FRAMES:
            yield hit(
                f"outcome time frame {frame!r} names no time point or duration",
                ctx.field(f"{path}.time_frame", frame),
                ctx.field(f"{path}.measure", outcome.measure),
            )
