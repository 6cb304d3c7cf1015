"""Design rules: the design fields (model, allocation, masking, phase) against the arms and the titles."""

from __future__ import annotations

import re
from collections.abc import Iterator

from extract.check.context import Context
from extract.check.finding import Evidence
from extract.check.registry import Hit, hit, rule
from extract.check.rules.arms import PLACEBO_WORDS
from extract.check.text import sentence_around
from extract.model.vocab import (
    MASKED_ROLE_COUNT,
    Allocation,
    ArmType,
    InterventionModel,
    InterventionType,
    Masking,
    Phase,
    StudyType,
    WhoMasked,
)

_MULTI_ARM_MODELS = (InterventionModel.PARALLEL, InterventionModel.CROSSOVER, InterventionModel.FACTORIAL)


def _model(ctx: Context) -> Evidence:
    model = ctx.record.design.intervention_model
    return ctx.field("design.intervention_model", model.value if model else "")


def _allocation(ctx: Context) -> Evidence:
    allocation = ctx.record.design.allocation
    return ctx.field("design.allocation", allocation.value if allocation else "")


def _arms(ctx: Context) -> list[Evidence]:
    return [ctx.arm(i) for i in range(len(ctx.record.arms))]


@rule(
    "design.single_group_multiple_arms",
    "warning",
    example="intervention_model SINGLE_GROUP with arms 'Cohort 1: 10 mg' and 'Cohort 2: 20 mg'",
)
def single_group_multiple_arms(ctx: Context) -> Iterator[Hit]:
    """The intervention model is SINGLE_GROUP but the record lists more than one arm.

    A single-group study gives everyone the same intervention; several arms mean parallel,
    sequential (dose cohorts) or another multi-group model, or arms that should be one.
    """
    record = ctx.record
    if record.design.intervention_model == InterventionModel.SINGLE_GROUP and len(record.arms) > 1:
        yield hit(
            f"intervention model is SINGLE_GROUP but the record has {len(record.arms)} arms", _model(ctx), *_arms(ctx)
        )


@rule(
    "design.randomized_single_arm",
    "error",
    example="allocation RANDOMIZED with one arm",
)
def randomized_single_arm(ctx: Context) -> Iterator[Hit]:
    """Allocation is RANDOMIZED but there is only one arm (or the model is SINGLE_GROUP).

    Randomization needs at least two groups to allocate to; one of the two fields is wrong, and
    with it every downstream reading of the study as controlled or uncontrolled.
    """
    record = ctx.record
    if record.design.allocation != Allocation.RANDOMIZED:
        return
    if len(record.arms) == 1:
        yield hit("allocation is RANDOMIZED but the record has a single arm", _allocation(ctx), *_arms(ctx))
    elif record.design.intervention_model == InterventionModel.SINGLE_GROUP:
        yield hit("allocation is RANDOMIZED but the intervention model is SINGLE_GROUP", _allocation(ctx), _model(ctx))


@rule(
    "design.multi_arm_model_with_one_arm",
    "warning",
    example="intervention_model PARALLEL with a single arm",
)
def multi_arm_model_with_one_arm(ctx: Context) -> Iterator[Hit]:
    """The intervention model is PARALLEL, CROSSOVER or FACTORIAL but the record has one arm.

    These models compare groups (or sequences, or factor combinations); with one arm either the
    model or the arm list is wrong.
    """
    record = ctx.record
    model = record.design.intervention_model
    if model in _MULTI_ARM_MODELS and len(record.arms) == 1:
        yield hit(f"intervention model is {model.value} but the record has a single arm", _model(ctx), *_arms(ctx))


# --- masking ---------------------------------------------------------------------------------

# The word patterns below open with a lookahead of their first letters (any case): it adds no condition
# and lets a scan drop most positions at once instead of trying every word there.
_BLIND = re.compile(
    r"(?=[dtqsoaer])\b(?P<level>double|triple|quadruple|single|observer|assessor|evaluator|rater)[\s-]*(?:blind(?:ed)?|mask(?:ed)?)\b",
    re.IGNORECASE,
)
_OPEN = re.compile(
    r"(?=[oun])(?:\bopen[\s-]*label(?:led|ed)?\b|\bun-?blinded\b|\bnon-?blinded\b|\bun-?masked\b)", re.IGNORECASE
)
_MASKING_WORD = re.compile(r"blind|mask|open[\s-]*label")  # on lower-cased text: IGNORECASE is slow
_MASKING_WORD_ANY_CASE = re.compile(_MASKING_WORD.pattern, re.IGNORECASE)
_SELF = re.compile(
    r"\b(?:this|the\s+present|the\s+current|the\s+proposed|our)\s+(?:study|trial)\b|^\s*(?:this|it)\s+is\s+an?\b",
    re.IGNORECASE,
)
_OTHER_STUDY = re.compile(
    r"(?=[perds])\b(?:previous|prior|earlier|published|reported|showed|shown|demonstrated|parent|preceding)\b",
    re.IGNORECASE,
)


def _mentions_masking(lowered: str) -> bool:
    return "blind" in lowered or "mask" in lowered or "open label" in lowered or "open-label" in lowered


def _design_statements(ctx: Context) -> Iterator[tuple[str, str, int, int]]:
    """(path, text, start, end): the titles whole, and summary sentences that describe this study
    (only where the words are there at all)."""
    record = ctx.record
    if _mentions_masking(ctx.titles_lower):
        for path in ("official_title", "brief_title"):
            value = getattr(record, path)
            if value:
                yield path, value, 0, len(value)
    for path in ("brief_summary", "detailed_description"):
        value = getattr(record, path)
        if not value or not _mentions_masking(ctx.lower(path)):
            continue
        seen: set[tuple[int, int]] = set()
        lowered = ctx.lower(path)
        same_offsets = len(lowered) == len(value)  # lower() kept every offset (it does for all but rare letters)
        for match in _MASKING_WORD.finditer(lowered) if same_offsets else _MASKING_WORD_ANY_CASE.finditer(value):
            start, end = sentence_around(value, match.start(), match.end())
            if (start, end) in seen:
                continue
            seen.add((start, end))
            sentence = value[start:end]
            if _SELF.search(sentence) and not _OTHER_STUDY.search(sentence):
                yield path, value, start, end


@rule(
    "design.masking_vs_text",
    "warning",
    example="Official title says 'Double-blind' but masking is NONE",
)
def masking_vs_text(ctx: Context) -> Iterator[Hit]:
    """The title, or a summary sentence describing this study, says double-blind / open-label and
    the masking field disagrees.

    Masking is how readers judge bias; "double-blind" with masking NONE (or SINGLE), or
    "open-label" with the participant masked, means one of the two is wrong. Statements naming
    both (an open-label extension of a double-blind phase) are not reported, nor are sentences
    about other (previous, published) studies.
    """
    design = ctx.record.design
    masking = design.masking
    if masking is None:
        return
    participant_masked = WhoMasked.PARTICIPANT in design.who_masked or (
        not design.who_masked and masking in (Masking.DOUBLE, Masking.TRIPLE, Masking.QUADRUPLE)
    )
    for path, value, start, end in _design_statements(ctx):
        part = value[start:end]
        blind = _BLIND.search(part)
        opened = _OPEN.search(part)
        if blind and opened:
            continue
        problem = None
        if blind:
            level = blind["level"].lower()
            if masking == Masking.NONE:
                problem = f"says {blind.group(0)!r} but masking is NONE"
            elif masking == Masking.SINGLE and level in ("double", "triple", "quadruple"):
                problem = f"says {blind.group(0)!r} but masking is SINGLE"
        elif opened and masking != Masking.NONE and participant_masked:
            problem = f"says {opened.group(0)!r} but masking is {masking.value} with the participant masked"
        if problem:
            where = path.replace("_", " ")
            yield hit(
                f"{where} {problem}", ctx.excerpt(path, value, start, end), ctx.field("design.masking", masking.value)
            )
            return


@rule(
    "design.masking_roles_count",
    "info",
    example="masking DOUBLE with who_masked [PARTICIPANT]",
)
def masking_roles_count(ctx: Context) -> Iterator[Hit]:
    """The number of masked roles does not fit the masking level (SINGLE = 1 ... QUADRUPLE = 4, NONE = 0).

    CT.gov derives the level from the roles; a mismatch means roles were added or removed
    without updating the level (or the reverse). Records that list no roles at all (older
    records state only the level) are not reported.
    """
    design = ctx.record.design
    if design.masking is None or not design.who_masked:
        return
    expected = MASKED_ROLE_COUNT[design.masking]
    if len(design.who_masked) != expected:
        roles = ", ".join(w.value for w in design.who_masked)
        yield hit(
            f"masking is {design.masking.value} ({expected} role(s)) but {len(design.who_masked)} role(s) are masked",
            ctx.field("design.masking", design.masking.value),
            ctx.field("design.who_masked", roles),
        )


_OPEN_LABEL_PLACEBO = re.compile(
    r"\bopen[\s-]*label\s+placebo|\bnon-?blind(?:ed)?\s+placebo|\bplacebo\s+without\s+deception", re.IGNORECASE
)


@rule(
    "design.placebo_in_open_label",
    "warning",
    example="masking NONE with a PLACEBO_COMPARATOR arm",
)
def placebo_in_open_label(ctx: Context) -> Iterator[Hit]:
    """The study is open-label (masking NONE) yet has a placebo comparator arm or a placebo intervention.

    A placebo only works when participants do not know what they receive; in an open-label study
    it is either mislabelled (active or no-treatment control) or the masking is wrong. Studies
    of open-label placebo itself are not reported.
    """
    record = ctx.record
    if record.design.masking != Masking.NONE:
        return
    evidence = [ctx.arm(i) for i, arm in enumerate(record.arms) if arm.type == ArmType.PLACEBO_COMPARATOR]
    evidence += [ctx.intervention(i) for i, iv in enumerate(record.interventions) if PLACEBO_WORDS.search(iv.name)]
    texts = (record.official_title or "", record.brief_title or "", record.brief_summary or "")
    if evidence and not any(_OPEN_LABEL_PLACEBO.search(t) for t in texts):
        what = "a PLACEBO_COMPARATOR arm" if record.arms and evidence[0].path.startswith("arms") else "a placebo"
        yield hit(
            f"masking is NONE (open label) but the study has {what}",
            ctx.field("design.masking", Masking.NONE.value),
            *evidence,
        )


# --- titles ------------------------------------------------------------------------------------

_PHASE = re.compile(
    r"\bphase\s*(0|iv|i{1,3}|[1-4])\s*[ab]?(?:\s*(?:/|-|–|and|to|&)\s*(?:phase\s*)?(iv|i{1,3}|[1-4])\s*[ab]?)?\b",
    re.IGNORECASE,
)
_PHASE_OF = {
    "0": Phase.EARLY_PHASE1,
    "1": Phase.PHASE1,
    "i": Phase.PHASE1,
    "2": Phase.PHASE2,
    "ii": Phase.PHASE2,
    "3": Phase.PHASE3,
    "iii": Phase.PHASE3,
    "4": Phase.PHASE4,
    "iv": Phase.PHASE4,
}
_COMPATIBLE = {Phase.EARLY_PHASE1: {Phase.PHASE1}, Phase.PHASE1: {Phase.EARLY_PHASE1}}


_CLINICAL_BEFORE = re.compile(
    r"(?:^|\b(?:a|an|the|randomi[sz]ed|open[\s-]label|pilot|multicenter|multicentre),?\s+)$", re.IGNORECASE
)
_CLINICAL_AFTER = re.compile(r"^[^.;()]{0,60}?\b(?:study|studies|trial|trials)\b", re.IGNORECASE)


def _title_phases(title: str) -> tuple[set[Phase], str] | None:
    """The clinical phase a title names ("A Phase III Study", "Phase 1/2 trial"), not a project's
    phase ("... Time Restricted Eating - Phase 2")."""
    for match in _PHASE.finditer(title):
        if _CLINICAL_BEFORE.search(title[: match.start()]) or _CLINICAL_AFTER.match(title[match.end() :]):
            return {_PHASE_OF[g.lower()] for g in match.groups() if g}, match.group(0).strip()
    return None


@rule(
    "design.phase_vs_title",
    "warning",
    example="Official title 'A Phase III Study of ...' but phases is [PHASE2]",
)
def phase_vs_title(ctx: Context) -> Iterator[Hit]:
    """The title names a phase the phases field does not list (or the field says NA).

    Phase drives regulatory reading and registry search; a title saying "Phase III" on a record
    typed PHASE2 means one of them was not updated. A title naming fewer phases than the field
    ("Phase II" on a PHASE1/PHASE2 record) is not reported, nor is a phase in the title of an NA
    record without a drug or biological intervention (there "Phase 2" names a project's stage).
    """
    record = ctx.record
    if not record.phases:
        return
    if record.phases == [Phase.NA] and not any(
        iv.type in (InterventionType.DRUG, InterventionType.BIOLOGICAL) for iv in record.interventions
    ):
        return  # phases are for drugs and biologics; elsewhere "Phase 2" names a project's stage
    if "phase" not in ctx.titles_lower:
        return
    have = set(record.phases)
    allowed = have | {p for phase in have for p in _COMPATIBLE.get(phase, set())}
    for path in ("official_title", "brief_title"):
        title = getattr(record, path)
        found = _title_phases(title) if title else None
        if found is None:
            continue
        phases, said = found
        if not phases <= allowed:
            listed = ", ".join(p.value for p in record.phases)
            yield hit(
                f"{path.replace('_', ' ')} says {said!r} but phases is [{listed}]",
                ctx.field(path, title),
                ctx.field("phases", listed),
            )
        return


_RANDOMIZED = re.compile(r"(?=r)(?:(?<![-\w])(?<!not\s)randomi[sz]ed\b|\brandomi[sz]ation\b)", re.IGNORECASE)
_NON_RANDOMIZED = re.compile(
    r"(?=[nu])(?:\bnon[\s-]?randomi[sz]ed\b|\bnot\s+randomi[sz]ed\b|\bunrandomi[sz]ed\b)", re.IGNORECASE
)
_SINGLE_ARM = re.compile(r"(?=[so1])\b(?:single|one|1)[\s-]arm(?:ed)?\b", re.IGNORECASE)
_ABOUT_OTHER_TRIAL = re.compile(
    r"\b(?:follow[\s-]?up|extension|long[\s-]term|rollover|roll-over|observational|registry|cohort)\b[^.]{0,60}"
    r"\b(?:of|from|after|in)\s+(?:an?|the|two|\w+)?\s*randomi[sz]ed|\b(?:of|from|after|in|within)\s+(?:an?\s+|the\s+)?"
    r"(?:\w+\s+){0,2}randomi[sz]ed\s+(?:controlled\s+)?(?:trials?|studies|study)\b",
    re.IGNORECASE,
)


@rule(
    "design.allocation_vs_title",
    "warning",
    example="Official title 'A Randomized, Double-blind Study ...' but allocation is NON_RANDOMIZED",
)
def allocation_vs_title(ctx: Context) -> Iterator[Hit]:
    """The title says randomized / non-randomized / single-arm and the allocation (or study type) disagrees.

    NLM lists "study type observational while the title says randomized" as an unclear-design
    problem; the same holds for NON_RANDOMIZED or NA allocation under a "Randomized" title, and
    for RANDOMIZED allocation under a "non-randomized" or "single-arm" title. Titles about
    another randomized trial ("Long-term follow-up of a randomized trial") are not read as
    describing this one.
    """
    record = ctx.record
    allocation = record.design.allocation
    # what the fields allow to contradict: "non-randomized / single-arm" only RANDOMIZED allocation,
    # "randomized" only an observational study or NON_RANDOMIZED / NA allocation
    against_possible = allocation == Allocation.RANDOMIZED
    said_possible = record.study_type == StudyType.OBSERVATIONAL or allocation in (
        Allocation.NON_RANDOMIZED,
        Allocation.NA,
    )
    if not (against_possible or said_possible):
        return
    if "random" not in ctx.titles_lower and "arm" not in ctx.titles_lower:
        return
    for path in ("official_title", "brief_title"):
        title = getattr(record, path)
        if not title:
            continue
        where = path.replace("_", " ")
        against = _NON_RANDOMIZED.search(title) or _SINGLE_ARM.search(title)
        said = _RANDOMIZED.search(title) if against is None and said_possible else None
        if against is not None:
            if allocation == Allocation.RANDOMIZED:
                yield hit(
                    f"{where} says {against.group(0)!r} but allocation is RANDOMIZED",
                    ctx.field(path, title),
                    ctx.field("design.allocation", allocation.value),
                )
                return
        elif said is not None and not _ABOUT_OTHER_TRIAL.search(title):
            if record.study_type == StudyType.OBSERVATIONAL:
                yield hit(
                    f"{where} says {said.group(0)!r} but the study type is OBSERVATIONAL",
                    ctx.field(path, title),
                    ctx.field("study_type", record.study_type.value),
                )
                return
            if allocation in (Allocation.NON_RANDOMIZED, Allocation.NA):
                yield hit(
                    f"{where} says {said.group(0)!r} but allocation is {allocation.value}",
                    ctx.field(path, title),
                    ctx.field("design.allocation", allocation.value),
                )
                return
