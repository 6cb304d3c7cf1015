"""Arm rules: comparator arms that do not compare, and the arm <-> intervention cross-references."""

from __future__ import annotations

import re
from collections.abc import Iterator

from extract.check.context import Context
from extract.check.finding import Evidence
from extract.check.registry import Hit, hit, rule
from extract.check.text import strip_type_prefix
from extract.model import Arm
from extract.model.vocab import ArmType, InterventionModel, StudyType

# An inactive control described without the word placebo: "no active component", "the same procedure
# without the active agent", a zero dose ("0% N2O", "0 g/kg ethanol"), sterile water, a low-output device.
_INACTIVE = (
    r"no\s+active\s+(?:ingredients?|components?|agents?|drugs?|substances?|compounds?)|"
    r"without\s+(?:the\s+|any\s+)?(?:active|study|investigational)\s+(?:ingredients?|components?|agents?|drugs?|substances?)|"
    r"non-?active|non-?therapeutic|sterile\s+water|zero[\s-]dose|low[\s-]output|nacl|sodium\s+chloride|"
    r"0(?:\.0+)?\s*(?:%|mg|g|ml|iu|µg|mcg|g/kg|mg/kg)(?!\w)"
)
# Every placebo / sham word starts with one of these letters (any case): said first, as a lookahead
# (no condition of its own), it lets a scan drop most positions at once instead of trying each word there.
PLACEBO_WORDS = re.compile(
    r"(?=[psvdimnwzl0])(?:\b(?:placebos?|sham|vehicle|dummy|dummies|saline|sugar\s+pills?|inert|inactive|matching\s+tablets?)\b|"
    rf"(?<![\w.])(?:{_INACTIVE}))",
    re.IGNORECASE,
)
SHAM_WORDS = re.compile(
    r"(?=[psmidtnzfvwl0])(?:\b(?:sham|placebos?|simulated|simulation|mock|inactive|detuned|de-tuned|turned\s+off|switched\s+off|"
    r"no\s+current|zero\s+intensity|subtherapeutic|sub-therapeutic|dummy|imitation|fake|vehicle|saline)\b|"
    rf"(?<![\w.])(?:{_INACTIVE}))",
    re.IGNORECASE,
)


def _arm_evidence(ctx: Context, index: int) -> list[Evidence]:
    return [ctx.arm(index)]


def _intervention_text(ctx: Context, index: int) -> str:
    intervention = ctx.record.interventions[index]
    return " ".join([intervention.name, *intervention.other_names, intervention.description or ""])


def _is_placebo(ctx: Context, index: int) -> bool:
    """Does interventions[index] (its names or description) name a placebo or an inactive control?
    Once per intervention and record: every placebo arm and experimental arm asks it again."""
    cache = ctx.__dict__.setdefault("_placebo", {})
    found = cache.get(index)
    if found is None:
        found = cache[index] = PLACEBO_WORDS.search(_intervention_text(ctx, index)) is not None
    return found


def _names(ctx: Context, indices: list[int]) -> str:
    return ", ".join(ctx.record.interventions[i].name for i in indices)


def _arm_mentions(arm: Arm, pattern: re.Pattern[str]) -> bool:
    return bool(
        pattern.search(arm.label)
        or pattern.search(arm.description or "")
        or any(pattern.search(name) for name in arm.intervention_names)
    )


@rule(
    "arms.placebo_arm_gets_active_drug",
    "error",
    example="PLACEBO_COMPARATOR arm 'Chemotherapy, QL1706' receives chemotherapy + QL1706 and no placebo",
)
def placebo_arm_gets_active_drug(ctx: Context) -> Iterator[Hit]:
    """A PLACEBO_COMPARATOR arm has no placebo, sham, vehicle or dummy, or receives everything an
    experimental arm receives.

    A placebo comparator is defined by its placebo (or an inactive control in other words: "no active
    component", "without the active agent", a zero dose, sterile water): an arm typed PLACEBO_COMPARATOR that gives
    only active treatment (often the experimental arm's own investigational agent) is mistyped,
    and whoever reads "placebo-controlled" from the arm types misreads the design. Crossover
    and factorial studies (each sequence gets drug and placebo in turn; each factor's placebo arm
    gets the other factor's drug) are only checked for the placebo.
    """
    record = ctx.record
    experimental = [
        (i, set(ctx.arm_interventions[i])) for i, arm in enumerate(record.arms) if arm.type == ArmType.EXPERIMENTAL
    ]
    for index, arm in enumerate(record.arms):
        if arm.type != ArmType.PLACEBO_COMPARATOR:
            continue
        given = ctx.arm_interventions[index]
        active = [i for i in given if not _is_placebo(ctx, i)]
        has_placebo = _arm_mentions(arm, PLACEBO_WORDS) or len(active) < len(given)
        evidence = _arm_evidence(ctx, index)
        evidence += [ctx.intervention(i) for i in given]
        shared = [(e, sorted(set(active) & drugs)) for e, drugs in experimental if drugs and set(active) & drugs]
        if not has_placebo:
            if not given:
                continue  # nothing is given at all: arms.arm_without_intervention says so
            message = f"PLACEBO_COMPARATOR arm receives {_names(ctx, given)} and no placebo, sham, vehicle or dummy"
            if shared:
                e, drugs = shared[0]
                message += f"; experimental arm {record.arms[e].label!r} also receives {_names(ctx, drugs)}"
                evidence += _arm_evidence(ctx, e)
            yield hit(message, *evidence)
            continue
        if record.design.intervention_model in (InterventionModel.CROSSOVER, InterventionModel.FACTORIAL):
            continue
        for e, drugs in experimental:
            active_drugs = {i for i in drugs if not _is_placebo(ctx, i)}
            if active_drugs and active_drugs <= set(active):
                yield hit(
                    f"PLACEBO_COMPARATOR arm receives every active intervention of experimental arm "
                    f"{record.arms[e].label!r} ({_names(ctx, sorted(active_drugs))}) besides its placebo",
                    *evidence,
                    *_arm_evidence(ctx, e),
                )
                break


@rule(
    "arms.sham_without_sham",
    "warning",
    example="SHAM_COMPARATOR arm 'Control' receives 'Device: Stimulator' with no sham or inactive setting",
)
def sham_without_sham(ctx: Context) -> Iterator[Hit]:
    """A SHAM_COMPARATOR arm whose label, description and interventions never mention a sham
    (simulated, inactive, detuned, mock, placebo) procedure or device, nor an inactive control in
    other words ("sterile water", "0% N2O", "no active component", "without the active agent").

    Without a sham the comparator is an active or no-treatment control, and a blinded
    sham-controlled design cannot be read from the record.
    """
    for index, arm in enumerate(ctx.record.arms):
        if arm.type != ArmType.SHAM_COMPARATOR:
            continue
        given = ctx.arm_interventions[index]
        if _arm_mentions(arm, SHAM_WORDS) or any(SHAM_WORDS.search(_intervention_text(ctx, i)) for i in given):
            continue
        yield hit(
            "SHAM_COMPARATOR arm never mentions a sham, simulated or inactive procedure",
            *_arm_evidence(ctx, index),
            *[ctx.intervention(i) for i in given],
        )


@rule(
    "arms.no_intervention_arm_has_interventions",
    "warning",
    example="NO_INTERVENTION arm 'Usual care' lists 'Drug: Metformin'",
)
def no_intervention_arm_has_interventions(ctx: Context) -> Iterator[Hit]:
    """A NO_INTERVENTION arm names interventions (or interventions name it).

    Either the arm type is wrong (it is an active or placebo comparator) or the links are; both
    change how the comparison is read.
    """
    for index, arm in enumerate(ctx.record.arms):
        if arm.type == ArmType.NO_INTERVENTION and ctx.arm_interventions[index]:
            given = ctx.arm_interventions[index]
            yield hit(
                f"NO_INTERVENTION arm is linked to {_names(ctx, given)}",
                *_arm_evidence(ctx, index),
                *[ctx.intervention(i) for i in given],
            )


@rule(
    "arms.arm_without_intervention",
    "warning",
    example="EXPERIMENTAL arm 'Cohort B' names no intervention and no intervention names it",
)
def arm_without_intervention(ctx: Context) -> Iterator[Hit]:
    """An arm of an interventional study (other than NO_INTERVENTION) that no intervention belongs to.

    Every arm that treats participants should say with what; an empty arm is a missing link or
    a missing intervention.
    """
    record = ctx.record
    if record.study_type not in (StudyType.INTERVENTIONAL, None) or not record.interventions:
        return
    for index, arm in enumerate(record.arms):
        if arm.type != ArmType.NO_INTERVENTION and not ctx.arm_interventions[index] and not arm.intervention_names:
            yield hit("arm has no intervention", *_arm_evidence(ctx, index))


@rule(
    "arms.unknown_intervention_reference",
    "warning",
    example="Arm lists 'Drug: Placebo' but there is no intervention named Placebo",
)
def unknown_intervention_reference(ctx: Context) -> Iterator[Hit]:
    """An arm names an intervention that does not exist, or an intervention names an arm label that does not exist.

    The two cross-references (arm -> "Type: Name", intervention -> arm labels) are typed by
    people and drift apart when arms or interventions are renamed; a dangling reference means
    the record no longer says who receives what.
    """
    record = ctx.record
    exact = {intervention.name for intervention in record.interventions}
    for index, arm in enumerate(record.arms):
        for position, reference in enumerate(arm.intervention_names):
            if strip_type_prefix(reference) in exact or reference in exact:
                continue
            bare, whole = ctx.arm_reference_keys[index][position]
            if bare not in ctx._by_name_key and whole not in ctx._by_name_key:
                yield hit(
                    f"arm names intervention {reference!r}, which is not among the interventions",
                    ctx.field(f"arms[{index}].intervention_names[{position}]", reference),
                )
    if not record.arms:
        return
    exact_labels = {arm.label for arm in record.arms}
    for index, intervention in enumerate(record.interventions):
        for position, label in enumerate(intervention.arm_labels):
            if label in exact_labels:
                continue
            if ctx.intervention_label_keys[index][position] not in ctx._by_label_key:
                yield hit(
                    f"intervention names arm {label!r}, which is not among the arms",
                    ctx.field(f"interventions[{index}].arm_labels[{position}]", label),
                )


@rule(
    "arms.intervention_without_arm",
    "warning",
    example="Intervention 'Drug: Rescue medication' belongs to no arm",
)
def intervention_without_arm(ctx: Context) -> Iterator[Hit]:
    """An intervention that no arm receives, in a record that has arms.

    An intervention nobody receives is either a leftover from an earlier version of the record
    or a missing link to its arm.
    """
    record = ctx.record
    if not record.arms:
        return
    linked = {i for given in ctx.arm_interventions for i in given}
    for index in range(len(record.interventions)):
        if index not in linked:
            yield hit("intervention belongs to no arm", ctx.intervention(index))


# "Chemotherapy without bevacizumab", "no aspirin": what an arm says it does not give. "with or without X"
# names an option, not an absence.
_LACKS = re.compile(
    r"(?<!\bor\s)\b(?:without|excluding|minus|w/o)\s+(?:the\s+|any\s+|additional\s+|concurrent\s+|adjuvant\s+)?"
    r"(?P<what>[a-z0-9][\w-]*)",
    re.IGNORECASE,
)


@rule(
    "arms.lacks_what_it_lists",
    "warning",
    example="Arm 'Chemotherapy without bevacizumab' receives 'Drug: Bevacizumab'",
)
def lacks_what_it_lists(ctx: Context) -> Iterator[Hit]:
    """An arm's label says it is without an intervention ("Chemotherapy without bevacizumab") yet the
    arm receives it.

    The arm's links or its label are wrong: readers of the label and readers of the links see two
    different regimens. Only the label is read (a description's "1 week without capecitabine" is a
    schedule); options ("with or without X") and placebos of X ("X placebo") are not reported; the
    intervention must be named by its first word (four letters or more) right after "without".
    """
    record = ctx.record
    for index, arm in enumerate(record.arms):
        text = arm.label
        if "without" not in text.lower() and "w/o" not in text.lower() and "exclud" not in text.lower():
            continue
        lacked = {m["what"].lower() for m in _LACKS.finditer(text) if len(m["what"]) >= 4}
        if not lacked:
            continue
        for i in ctx.arm_interventions[index]:
            intervention = record.interventions[i]
            if PLACEBO_WORDS.search(intervention.name):
                continue
            names = [intervention.name, *intervention.other_names]
            heads = {n.split()[0].lower().strip("(),") for n in names if n.split()}
            said = sorted(lacked & heads)
            if said:
                yield hit(
                    f"arm {arm.label!r} says it is without {said[0]} but receives {intervention.name!r}",
                    ctx.arm(index),
                    ctx.intervention(i),
                )
