"""Eligibility rules: criteria under the wrong header, numbering, dangling lists, ages and sex vs the fields."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

from extract.check.context import Context
from extract.check.finding import Evidence
from extract.check.registry import Hit, hit, rule
from extract.check.text import WordSet, norm, shorten
from extract.model import Age, CriterionItem
from extract.model.vocab import AGE_UNIT_IN_YEARS, AgeUnit, PrimaryPurpose, Sex, StudyType
from extract.section.criteria import marker_style

# --- wording that makes an item an entry requirement / an exclusion -----------------------------

# Words that, before a requirement phrase in the same clause, turn it into a real exclusion:
# "Unable to give informed consent", "not willing to comply", "refusal to use contraception".
_NEGATED = re.compile(
    r"\b(?:not|no|non|nor|neither|never|unable|inability|unwilling\w*|refus\w*|fail\w*|cannot|can't|lack\w*|"
    r"without|withdr\w*|declin\w*|incapable|impossible|absence|absent|insufficient|inadequate|poor|except\w*|"
    r"unless|prevent\w*(?!\s+(?:pregnan|concep))|preclud\w*|impair\w*|affect\w*|interfer\w*|compromis\w*|prohibit\w*|limit\w*|"
    r"doubt\w*|questionable|unlikely|difficult\w*|revok\w*|if|"
    # incapacity and obstruction: "incompetent / incapable to give consent", "would impede the ability to ..."
    r"incompet\w*|incapa\w*|deni\w*|deny|imped\w*|hinder\w*|hamper\w*|jeopardi[sz]\w*|influenc\w*|restrict\w*|"
    r"obstruct\w*)\b|\bun-|n't\b",
    re.IGNORECASE,
)
# (what, words one of which must be in the lower-cased clause before the pattern is tried, pattern)
_ENTRY_REQUIREMENTS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    (
        "informed consent given",
        ("consent", "icf", "assent", "voluntar"),
        re.compile(
            r"\b(?:signed?|signing|provided?|providing|gave|give[ns]?|giving|obtained|dated)\b[^.;]{0,40}?"
            r"\b(?:informed\s+)?(?:consent|ICF|assent)\b"
            r"|^(?:written\s+|signed\s+|voluntar(?:y|ily)\s+)?(?:informed\s+)?consent\b"
            r"|\bvoluntar(?:y|ily)\s+(?:participat|sign|agree|consent)",
            re.IGNORECASE,
        ),
    ),
    (
        "willingness or ability to take part",
        ("willing", "able to", "able and", "abilit", "agree", "commit", "consent"),
        re.compile(
            r"\b(?:willing(?:ness)?|able|ability|agree[sd]?|agreement|consent(?:s|ed)?|commit(?:s|ted)?)\b"
            r"(?:\s+and\s+(?:able|willing|ability|willingness))?\s+to\s+"
            r"(?:comply|participate|adhere|follow|complete|attend|return|sign|cooperate|take\s+part|"
            r"undergo\s+(?:all\s+)?(?:study|protocol|the\s+study))",
            re.IGNORECASE,
        ),
    ),
    (
        "agreement to use contraception",
        ("contracept", "birth control"),
        re.compile(
            r"\b(?:must|should|shall|will|agrees?|agreed|agreement|willing(?:ness)?|required)\b[^.;]{0,40}?"
            r"\b(?:use|using|practi[cs]e|utili[sz]e|employ|adopt|take)\b[^.;]{0,50}?\b(?:contracept\w*|birth\s+control)",
            re.IGNORECASE,
        ),
    ),
    (
        "'must have / must be' requirement",
        ("must",),
        re.compile(
            r"^(?:the\s+)?(?:patients?|subjects?|participants?|individuals?|volunteers?)?\s*must\s+(?:have|be)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "adequate organ function",
        ("adequate", "normal", "sufficient"),  # looked for near the clause's start only
        re.compile(
            r"^(?:(?:patients?|subjects?|participants?)\s+(?:must\s+)?(?:have|has|with)\s+)?(?:an?\s+)?"
            r"(?:adequate|normal|sufficient)\s+(?:[\w/,-]+\s+){0,4}?(?:function|reserve|functions)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "performance status in the eligible range",
        ("ecog", "who ", "zubrod"),
        re.compile(
            r"\b(?:ECOG|WHO|Zubrod)\b(?:\s+(?:performance\s+status|PS|score))?[\s:(),a-z]{0,20}?"
            r"(?:(?:≤|<=|=<|<|of\s+)?\s*[0-2]\s*(?:-|–|to|or|~)\s*[0-2]\b|(?:≤|<=|=<)\s*[0-2]\b|<\s*[1-3]\b)",
            re.IGNORECASE,
        ),
    ),
    (
        "life expectancy in the eligible range",
        ("life expectancy",),
        re.compile(
            r"\blife\s+expectancy\s*(?:of\s+)?(?:≥|>=|=>|>|at\s+least|more\s+than|greater\s+than|over)", re.IGNORECASE
        ),
    ),
)
_CONFIRMED_DIAGNOSIS = re.compile(
    r"^(?:(?:histologically|cytologically|pathologically|histopathologically)[\s,/-]*(?:(?:and|or|and/or)\s+)?)+"
    r"(?:confirmed|documented|proven)\b",
    re.IGNORECASE,
)
# "Not pregnant" / "Negative pregnancy test": a negated entry requirement (the negation is the requirement).
_NOT_PREGNANT = re.compile(
    r"^(?:(?:is|be|being|are)\s+)?(?:not|non)[\s-]*pregnant\b|^negative\s+(?:serum\s+|urine\s+)?pregnancy\s+test",
    re.IGNORECASE,
)
_WHO_IS_EXCLUDED = "says who is excluded"
_KNOWN_ALLERGY = "a known allergy or hypersensitivity"
_EXCLUSION_STATEMENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("says it excludes", re.compile(r"^(?:exclusions?|excluded|exclude)\b(?!\s+criteria)", re.IGNORECASE)),
    (
        _WHO_IS_EXCLUDED,
        re.compile(
            r"\b(?:will|shall|should|must|are|is|to)\s+(?:be\s+)?(?:excluded|ineligible|not\s+(?:be\s+)?eligible)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "inability or refusal to consent or comply",
        re.compile(
            r"^(?:[\w-]+\s+){0,3}?(?:unable|unwilling(?:ness)?|inability|refus\w*|not\s+(?:willing|able))"
            r"(?:\s+(?:and|or|and/or)\s+(?:unable|unwilling))?\s+to\s+(?:give|provide|sign|comply|participate|adhere)",
            re.IGNORECASE,
        ),
    ),
    (
        _KNOWN_ALLERGY,
        re.compile(
            r"^(?:(?:patients?|subjects?|participants?|individuals?|people|persons?)\s+(?:with|who\s+(?:have|has))\s+)?"
            r"(?:an?\s+)?(?:known\s+|documented\s+|prior\s+)?(?:history\s+of\s+)?(?:an?\s+)?"
            r"(?:allerg(?:y|ies|ic\s+reactions?)|hypersensitivit(?:y|ies))\s+(?:to|against)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "pregnancy or breastfeeding",
        re.compile(
            r"^(?:(?:women|females?|patients?|subjects?|participants?)\s+(?:who\s+are\s+)?)?(?:pregnant|pregnancy)"
            r"\s*(?:,|or|and|/)\s*(?:breast[\s-]?feeding|lactating|lactation|nursing)",
            re.IGNORECASE,
        ),
    ),
)


_EXCLUSION_HINTS = (
    "exclu",
    "eligib",
    "unable",
    "unwilling",
    "inability",
    "refus",
    "not willing",
    "not able",
    "pregnan",
    "allerg",
    "hypersensitiv",
)
# A record that studies allergy may well require one ("Known allergy to peanut").
_ALLERGY_STUDY = re.compile(r"allerg|hypersensitiv|anaphyla|atop(?:y|ic)|desensiti[sz]|immunotherapy", re.IGNORECASE)


def _negated_before(clause: str, start: int) -> bool:
    return _NEGATED.search(clause, 0, start) is not None


# The requirement negated right after it: "Informed consent not signed", "consent was not provided".
_NEGATED_AFTER = re.compile(
    r"[^.;,]{0,15}?\b(?:not|never|refused|withdrawn|declined|lacking|unavailable|unobtainable|impossible|absent)\b",
    re.IGNORECASE,
)
# Consent as a time anchor: "within 30 days prior to signing the informed consent", "8 weeks before consent".
_TIME_ANCHOR = re.compile(
    r"(?:\b(?:before|prior\s+to|after|within|since|until|following|preceding|at\s+the\s+time\s+of|from|"
    r"(?:days?|weeks?|months?|years?|hours?)\s+of|date\s+of|time\s+of)\s+(?:the\s+|their\s+|his\s+|her\s+)?)$",
    re.IGNORECASE,
)


# Permission, not requirement: "Subjects with X will be able to / may / can still participate" says who is
# *not* excluded (an exception to the list), whereas "must be / is willing and able to participate" demands.
_PERMISSION_BEFORE = re.compile(
    r"\b(?:will|would|may|might|can|could)\s+(?:still\s+|also\s+)?(?:be\s+)?$", re.IGNORECASE
)
_TAKING_PART = re.compile(r"\bto\s+(?:participate|take\s+part)\b", re.IGNORECASE)


def _permission(clause: str, match: re.Match[str]) -> bool:
    """'… will be able to participate': a permission for a subgroup, not an entry requirement."""
    return (
        _TAKING_PART.search(match.group(0)) is not None
        and _PERMISSION_BEFORE.search(clause[max(0, match.start() - 30) : match.start()]) is not None
    )


def _in_parenthesis(text: str, start: int) -> bool:
    """Is `start` inside a parenthesis opened before it ("Pregnancy (women must use contraception)")?"""
    opened = text.rfind("(", 0, start)
    return opened >= 0 and text.find(")", opened, start) < 0


def _not_a_requirement(clause: str, match: re.Match[str]) -> bool:
    """A requirement phrase that the item does not require: negated before or right after ("unable to
    give consent", "consent not obtainable"), a time anchor ("30 days prior to signing consent"), a
    permission ("patients with X will be able to participate"), or inside a parenthetical aside of an
    exclusion ("Pregnancy (all patients must use contraception)")."""
    start = match.start()
    return (
        _permission(clause, match)
        or _negated_before(clause, start)
        or _NEGATED.search(match.group(0)) is not None
        or _NEGATED_AFTER.match(clause, match.end()) is not None
        or _TIME_ANCHOR.search(clause[max(0, start - 60) : start]) is not None
        or _in_parenthesis(clause, start)
    )


_MORE_WORDS = ("confirmed", "documented", "proven", "pregnan", "age", " old", "y.o")  # diagnosis, pregnancy, age
_HINTS = tuple((hint, index) for index, (_, hints, _) in enumerate(_ENTRY_REQUIREMENTS) for hint in hints)
_REQUIREMENT_WORDS = WordSet(dict.fromkeys([hint for hint, _ in _HINTS] + list(_MORE_WORDS)))
_ADEQUATE = next(i for i, check in enumerate(_ENTRY_REQUIREMENTS) if check[0] == "adequate organ function")


def _entry_requirement(ctx: Context, clause: str, lowered: str, hints: list[tuple[str, int]]) -> str | None:
    """The kind of entry requirement an exclusion item's first clause states, or None. `hints` are
    the requirement words that occur somewhere in the exclusion list at all."""
    tried: set[int] = set()
    for hint, index in hints:
        if index in tried or hint not in (lowered[:60] if index == _ADEQUATE else lowered):
            continue
        tried.add(index)
        name, _, pattern = _ENTRY_REQUIREMENTS[index]
        match = pattern.search(clause)
        if match and not _not_a_requirement(clause, match):
            return name
    if "pregnan" in lowered and _NOT_PREGNANT.search(clause):
        return "not pregnant"
    purpose = ctx.record.design.primary_purpose
    if (
        ctx.record.conditions
        and ("confirmed" in lowered or "documented" in lowered or "proven" in lowered)
        and purpose in (PrimaryPurpose.TREATMENT, None)
        and _CONFIRMED_DIAGNOSIS.search(clause)
    ):
        words = norm(clause)
        for condition in ctx.record.conditions:
            key = norm(condition)
            if len(key) >= 4 and f" {key} " in f" {words} ":
                return f"confirmed diagnosis of the studied condition ({condition})"
    age = _age_requirement(ctx, clause)
    if age:
        return age
    return None


def _age_requirement(ctx: Context, clause: str) -> str | None:
    """An exclusion item whose age bound repeats the structured age limits ("Age ≥ 18 years")."""
    eligibility = ctx.record.eligibility
    if eligibility.minimum_age is None and eligibility.maximum_age is None:
        return None
    lowered = clause[: _AGE_WITHIN + 40].lower()
    if "age" not in lowered and " old" not in lowered and "y.o" not in lowered:
        return None
    if not _AGE_ANCHOR.search(lowered):
        return None
    bounds = list(_age_bounds(lowered))
    if not bounds:
        return None
    if any(strict for _, _, _, strict in bounds):  # "< 18 or over 70": states who is out of the range
        return None
    low, high = ctx.record.eligibility.minimum_age, ctx.record.eligibility.maximum_age
    for side, value, unit, _strict_bound in bounds:
        limit = low if side == "min" else high
        if limit is not None and _same_age(limit, value, unit):
            return "age within the eligible range"
    return None


@rule(
    "eligibility.inclusion_item_in_exclusion",
    "error",
    example="Exclusion '9. Patients have signed the informed consent form and are willing to comply...'",
)
def inclusion_item_in_exclusion(ctx: Context) -> Iterator[Hit]:
    """An item under the exclusion header reads as an entry requirement (consent, willingness, contraception,
    "must have/be", confirmed diagnosis of the studied condition, adequate organ function, a permitted range,
    "Not pregnant").

    Read literally such an item excludes exactly the people the study wants, so the list is wrong
    (often pasted under the wrong header, as its numbering then shows). Items whose requirement
    wording is negated before it ("Unable to give informed consent", "Not willing to comply",
    "Refusal to use contraception") are real exclusions and are not reported; "to prevent
    pregnancy" is the purpose of contraception, not a negation.
    """
    everything = ctx.clauses_lower("exclusion")
    if not everything:
        return
    words = _REQUIREMENT_WORDS.present(everything)
    if not words:
        return
    found = set(words)
    hints = [(hint, index) for hint, index in _HINTS if hint in found]
    clauses = ctx.clauses("exclusion")
    for position in ctx.clauses_with("exclusion", words):
        index, item, clause, lowered = clauses[position]
        kind = _entry_requirement(ctx, clause, lowered, hints)
        if kind is None or _under_mixed_header(ctx, item):
            continue
        yield hit(f"exclusion item reads as an entry requirement ({kind})", ctx.item("exclusion", index))


def _under_mixed_header(ctx: Context, item: CriterionItem) -> bool:
    """The item follows a generic header naming both lists ("Mother Inclusion/Exclusion:"), which the
    splitter does not switch on; its place under "exclusion" is then not the record's claim."""
    text = ctx.span_text
    if text is None or item.span is None:
        return False
    starts = [
        h.span.end for h in ctx.record.eligibility.headers if h.span is not None and h.span.end <= item.span.start
    ]
    since = max(starts, default=0)
    return re.search(r"inclusion", text[since : item.span.start], re.IGNORECASE) is not None


@rule(
    "eligibility.exclusion_item_in_inclusion",
    "error",
    example="Inclusion '8. Patients with brain metastases will be excluded.'",
)
def exclusion_item_in_inclusion(ctx: Context) -> Iterator[Hit]:
    """An item under the inclusion header states an exclusion ("... will be excluded", "not eligible",
    "Unable to give consent", "Pregnant or breastfeeding", "Known allergy to mannitol").

    Read literally, an inclusion item that says who is excluded requires participants to have the
    excluding condition. Only items under an "Inclusion Criteria" header count (criteria without
    headers mix both kinds by design), and only the item's main clause is read, so a trailing
    exception ("...; patients with X are not eligible") or a parenthetical one ("(mucinous subtypes
    are not eligible)") inside a real requirement is not reported, nor is an allergy required by a
    study of allergy (its conditions, keywords or titles say so).
    """
    everything = ctx.clauses_lower("inclusion")
    present = [h for h in _EXCLUSION_HINTS if h in everything]  # (an RE2 word set saves nothing for 11 words)
    if not present:
        return
    clauses = ctx.clauses("inclusion")
    for position in ctx.clauses_with("inclusion", present):
        index, item, clause, _lowered = clauses[position]
        if not _under_inclusion_header(ctx, item):
            continue
        for name, pattern in _EXCLUSION_STATEMENTS:
            match = pattern.search(clause)
            if match and not _excused(ctx, name, clause, match.start()):
                yield hit(f"inclusion item reads as an exclusion ({name})", ctx.item("inclusion", index))
                break


def _under_inclusion_header(ctx: Context, item: CriterionItem) -> bool:
    """Does an "Inclusion Criteria" header stand over the item? Criteria without headers (NIH Clinical
    Center paragraphs, PDQ, "Eligibility Criteria:") land in the inclusion list by default: there an
    exclusion sentence is where it belongs, not under the wrong header."""
    if item.span is None:
        return any(h.kind == "inclusion" for h in ctx.record.eligibility.headers)
    before = [h for h in ctx.record.eligibility.headers if h.span is not None and h.span.end <= item.span.start]
    return bool(before) and max(before, key=lambda h: h.span.end if h.span else 0).kind == "inclusion"


def _excused(ctx: Context, statement: str, clause: str, start: int) -> bool:
    """A matched exclusion statement that is not one here: "... are not excluded" (negated before the
    match), an aside in a parenthesis ("(mucinous subtypes are not eligible)"), or an allergy in a
    record that studies allergy."""
    if _in_parenthesis(clause, start):
        return True
    if statement == _WHO_IS_EXCLUDED:
        return _NEGATED.search(clause, 0, start) is not None
    if statement == _KNOWN_ALLERGY:
        record = ctx.record
        return _ALLERGY_STUDY.search(" ".join([*record.conditions, *record.keywords, ctx.titles_lower])) is not None
    return False


# --- numbering ------------------------------------------------------------------------------

_NUMBER_LABEL = re.compile(r"^[(\[]?(\d{1,3})[.)\]:-]?\)?$")


def _number(label: str) -> int | None:
    if not label or label[0] not in "([0123456789":
        return None
    match = _NUMBER_LABEL.match(label)
    return int(match[1]) if match else None


def _segments(ctx: Context, kind: str) -> list[list[int]]:
    """Indices of `kind` items grouped by the header they stand under (a sub-header restarts a list)."""
    items = getattr(ctx.record.eligibility, kind)
    cuts = sorted(h.span.start for h in ctx.record.eligibility.headers if h.span is not None)
    groups: dict[int, list[int]] = {}
    for index, item in enumerate(items):
        group = bisect_right(cuts, item.span.start) if item.span is not None else 0
        groups.setdefault(group, []).append(index)
    return [groups[g] for g in sorted(groups)]


def _last_number(ctx: Context, kind: str, before: int) -> int | None:
    """The last top-level number in the `kind` list standing before offset `before`."""
    last = None
    for item in getattr(ctx.record.eligibility, kind):
        if item.level == 0 and item.span is not None and item.span.start < before:
            number = _number(item.label)
            if number is not None:
                last = number
    return last


_INLINE_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3})[.)](?=\s)")


def _numbers_inline(ctx: Context, start: int, end: int) -> set[int]:
    """Item numbers written inside the text between two offsets (items the layout ran together)."""
    text = ctx.span_text
    if text is None or end <= start:
        return set()
    return {int(m[1]) for m in _INLINE_NUMBER.finditer(text, start, end)}


@rule(
    "eligibility.numbering",
    "warning",
    example="Inclusion 1–7, then exclusion opens at 9 (continuing the inclusion numbering) and restarts at 1",
)
def numbering(ctx: Context) -> Iterator[Hit]:
    """A numbered criteria list skips numbers, repeats them, restarts, or continues the other list's
    numbering with a break.

    Numbering defects are the visible trace of criteria cut and pasted between lists: an
    exclusion list that opens at 9 right after an inclusion list ending at 7 holds items that
    were written as inclusion items (and item 8 was lost). One finding per list, listing every
    break, with the items where the numbering breaks as evidence. Both lists numbered as one
    run (inclusion 1-4, exclusion 5-7) is a layout choice, not reported unless the run breaks;
    numbers the text runs together on one line ("1. ... 2. ...") count as present.
    """
    other = {"inclusion": "exclusion", "exclusion": "inclusion"}
    headers = sorted(h.span.start for h in ctx.record.eligibility.headers if h.span is not None)
    for kind in ("inclusion", "exclusion"):
        items = getattr(ctx.record.eligibility, kind)
        if not any(item.label[:1].isdigit() or item.label[:1] in "([" for item in items):
            continue
        for segment in _segments(ctx, kind):
            problems: list[str] = []
            evidence: list[Evidence] = []
            continuation: tuple[str, Evidence] | None = None
            prev: int | None = None
            prev_end = 0
            separated = False
            for index in segment:
                item = items[index]
                if item.level > 0:
                    continue
                number = _number(item.label)
                if number is None:
                    separated = prev is not None
                    continue
                start = item.span.start if item.span is not None else 0
                if prev is None:
                    if number != 1:
                        since = max((h for h in headers if h <= start), default=0)
                        inline = _numbers_inline(ctx, since, start)
                        before = _last_number(ctx, other[kind], start) if item.span is not None else None
                        if before is not None and number == before + 1:
                            continuation = (
                                f"opens at {number}, continuing the {other[kind]} list (which ends at {before})",
                                ctx.item(kind, index),
                            )
                        elif before is not None and number > before:
                            if not set(range(before + 1, number)) <= inline:
                                problems.append(
                                    f"opens at {number} although the {other[kind]} list ends at {before} "
                                    f"(continues its numbering; {_missing(before, number)} missing)"
                                )
                                evidence.append(ctx.item(kind, index))
                        elif not set(range(1, number)) <= inline:
                            problems.append(f"opens at {number}")
                            evidence.append(ctx.item(kind, index))
                elif number == prev + 1 or (number == 1 and separated):
                    pass
                elif number <= prev:
                    word = "restarts at 1" if number == 1 else f"goes back to {number}"
                    problems.append(f"repeats {number}" if number == prev else f"{word} after {prev}")
                    evidence.append(ctx.item(kind, index))
                elif not set(range(prev + 1, number)) <= _numbers_inline(ctx, prev_end, start):
                    problems.append(f"jumps from {prev} to {number} ({_missing(prev, number)} missing)")
                    evidence.append(ctx.item(kind, index))
                prev = number
                prev_end = start
                separated = False
            if problems and continuation is not None:
                problems.insert(0, continuation[0])
                evidence.insert(0, continuation[1])
            if problems:
                yield hit(f"{kind} list numbering " + "; ".join(problems), *evidence)


def _missing(prev: int, number: int) -> str:
    return str(prev + 1) if number == prev + 2 else f"{prev + 1}–{number - 1}"


# --- announced lists --------------------------------------------------------------------------

_LIST_WORDS = re.compile(
    r"\b(?:following|follows|below|any\s+of|one\s+of|all\s+of|either|include|includes|including|such\s+as|"
    r"defined\s+as|listed|criteria|limits)\b",
    re.IGNORECASE,
)
_CONTINUES_SENTENCE = re.compile(r"^(?:[a-z]|(?:is|are|has|have|had|was|were|uses?|meets?|not)\b)")


def _looks_like_member(item: CriterionItem) -> bool:
    """A following sibling that reads as a member of the announced list (flattened by the text's layout):
    it continues the sentence (lower case, "Is ...") or is a fragment without closing punctuation."""
    text = item.text
    if _CONTINUES_SENTENCE.match(text):
        return True
    if _announces_list(text):
        return False  # a sibling that opens its own list ("..., defined as any of the following:")
    return not text.rstrip().endswith((".", ";", "。", "；"))


def _announces_list(text: str) -> bool:
    """The item ends with a colon after list wording ("meets any of the following:")."""
    return text.endswith((":", "：")) and _LIST_WORDS.search(text[-120:]) is not None and not text.isupper()


# Announcements of alternatives: such a list has at least two members.
_ALTERNATIVES = re.compile(
    r"\b(?:(?:any|one|either)(?:\s+or\s+(?:more|both))?\s+of\s+the\s+following|at\s+least\s+(?:one|two|\d)\s+of)\b",
    re.IGNORECASE,
)
# Announcements of laboratory limits: their members are numbers ("ANC >= 1.5 x 10^9/L").
_LAB_LIST = re.compile(
    r"\bfollowing\s+(?:laborator\w*|lab)\s+(?:limits|values|levels|parameters|results)\b[^:]*:$", re.IGNORECASE
)
# A sub-heading or a bare announcement ("Treatment Phase:", "Any of the following:"): members come under it.
_ONLY_ANNOUNCES = re.compile(
    r"^(?:(?:any|one|all|each|none)\s+of\s+(?:the\s+)?following\b|(?:the\s+)?following\b|[^:]{0,40}:$)",
    re.IGNORECASE,
)


def _next_number(label: str) -> int | None:
    core = label.strip("()[]").rstrip(".)-:").strip()
    return int(core) + 1 if core.isdigit() else None


def _same_level_run(items: list[CriterionItem], index: int, header_starts: list[int]) -> list[CriterionItem]:
    """The items after items[index] at its level or deeper, up to the next header or a shallower item."""
    item = items[index]
    run: list[CriterionItem] = []
    for following in items[index + 1 :]:
        if following.level < item.level:
            break
        if item.span and following.span and any(item.span.end <= cut < following.span.start for cut in header_starts):
            break
        if following.level == item.level:
            run.append(following)
    return run


def _list_is_missing(item: CriterionItem, after: list[CriterionItem]) -> bool:
    """Does what follows an announcement at the same level show that the announced list is not there?

    Layout flattens sub-lists (legacy XML writes members as bare paragraphs at the announcement's own
    level and marker), so a sibling is taken for a member unless the text shows otherwise: the
    numbering runs on (announcement "5.", next "6."), the next item announces a list of its own (not a
    mere sub-heading such as "Treatment Phase:", under which the members come), fewer than two items follow an announcement of alternatives ("one of the following:")
    before the list ends (unless that one reads as a member), or an announced list of laboratory limits is followed by an item without a
    number.
    """
    if not after:
        return False  # the next item is shallower: in legacy layouts the members are dedented paragraphs
    following = after[0]
    successor = _next_number(item.label)
    if (
        successor is not None
        and _next_number(following.label) == successor + 1
        and marker_style(following.label) == marker_style(item.label)
    ):
        return True
    if _announces_list(following.text) and not _ONLY_ANNOUNCES.match(following.text):
        return True
    if _ALTERNATIVES.search(item.text[-160:]) and len(after) < 2 and not _looks_like_member(following):
        return True
    return _LAB_LIST.search(item.text[-120:]) is not None and not any(ch.isdigit() for ch in following.text)


@rule(
    "eligibility.dangling_sublist",
    "info",  # on real records most announced lists are there, flattened by layout (docs/check_review_sample.md)
    example="'...which meets any of the following laboratory limits:' followed by the next criterion",
)
def dangling_sublist(ctx: Context) -> Iterator[Hit]:
    """An item announces a list ("any of the following:") and no list follows it.

    The criterion is then incomplete: a curator (or a patient) cannot tell which limits or
    conditions apply. An item is dangling when it ends with a colon after list wording and the
    next item is neither nested under it, nor under a sub-header, nor reads as a member of the
    list written flat (a following item that announces its own list is a sibling, not a member).
    """
    eligibility = ctx.record.eligibility
    header_starts = sorted(h.span.start for h in eligibility.headers if h.span is not None)
    for kind in ("inclusion", "exclusion"):
        items: list[CriterionItem] = getattr(eligibility, kind)
        for index, item in enumerate(items):
            text = item.text
            if not _announces_list(text):
                continue
            following = items[index + 1] if index + 1 < len(items) else None
            if following is not None:
                if following.level > item.level:
                    continue
                if (
                    item.span
                    and following.span
                    and any(item.span.end <= cut < following.span.start for cut in header_starts)
                ):
                    continue
                after = _same_level_run(items, index, header_starts)
                if not _list_is_missing(item, after):
                    continue
            where = "and the list ends there" if following is None else "but the next item is not part of it"
            yield hit(f"{kind} item announces a list {where}", ctx.item(kind, index))


# --- ages and sex ------------------------------------------------------------------------------

_NUM = r"(\d{1,3}(?:\.\d+)?)"
_UNIT = r"(?:\s*(years?|yrs?|yr|y\.?o\.?|months?|mos?|weeks?|wks?|days?|hours?|hrs?)\b)?"
_GE = r"(?:(?:≥|>=|>/=|=>|≧|>)\s*(?:than\s+)?|(?:greater|older|more)\s+than\s+|over\s+|above\s+|at\s+least\s+|minimum\s+(?:of\s+)?)"
_LE = r"(?:(?:≤|<=|</=|=<|≦|<)\s*(?:than\s+)?|(?:less|younger)\s+than\s+|under\s+|below\s+|up\s+to\s+|maximum\s+(?:of\s+)?)"
# What a _GE or _LE comparison starts with. Said first as a lookahead (it adds no condition: every
# comparison starts so), it lets a scan drop a position at once instead of trying every alternative there.
_COMPARISON_START = r"[≥>=≧≤<≦]|greater|older|more|over|above|at|minimum|less|younger|under|below|up|maximum"
_SEP = r"\s*(?:-|–|—|~|to|and|through)\s*"
_OLDER = r"\s*(?:or|and)\s+(?:older|over|above|more|greater|beyond)"
# The age patterns run on lower-cased text (no IGNORECASE: it is slower).
_AGE_ANCHOR = re.compile(r"\bage[ds]?\b|\byears?\s+old\b|\byears?\s+of\s+age\b|\by\.?o\.?\b")
# One age statement: after "age" ("Age 18-75", "aged ≥ 18", "ages of 60 to 79"), before "years old /
# of age" ("18 years of age or older", "12 -24 years old"), or "over the age of 21".
_AGE_FORMS = re.compile(
    rf"""
    (?=\d|{_COMPARISON_START})  # every form starts with a number or a comparison
    (?:(?P<range>(?P<r_ge>{_GE})?{_NUM}{_UNIT}{_SEP}(?P<r_le>{_LE})?{_NUM}{_UNIT})
  | (?P<ge>{_GE}){_NUM}{_UNIT}
  | (?P<le>{_LE}){_NUM}{_UNIT}
  | (?P<older>{_NUM}{_UNIT}(?:\s*of\s+age)?{_OLDER})
  | (?P<plus>{_NUM}\s*\+))
    """,
    re.VERBOSE,
)
_AFTER_ANCHOR = re.compile(r"\bage[ds]?\b(?:\s+(?:of|is|was|range|group))?[\s:,(=]*(?:between\s+|from\s+)?")
_OLD_TAIL = re.compile(r"\s*(?P<unit>years?|yrs?|yr|months?|weeks?|days?|hours?)?\s*(?:of\s+age|old)\b")
_THE_AGE_OF = re.compile(rf"(?={_COMPARISON_START})(?P<cmp>{_GE}|{_LE})(?:the\s+)?ages?\s+(?:of\s+)?{_NUM}{_UNIT}")
# What every _THE_AGE_OF match holds: a quick search (it starts with a literal) before the slow scan.
_AGE_THEN_NUMBER = re.compile(r"ages?\s+(?:of\s+)?\d")
_GE_START = re.compile(_GE)
_CONDITIONAL = re.compile(
    r"\b(?:if|for|unless|whose|death|died|relatives?|family|siblings?|parents?|onset|diagnos\w*|before|since|history)\b"
)
_NUMBER_THEN_WORD = re.compile(r"\d\s*[a-z]")
_AGE_WITHIN = 120  # an item states the participants' ages near its start ("Male or female, 18 years or older")
_STRICT_WORDS = ("greater", "older", "more", "less", "younger", "over", "above", "under", "below")


# A parent item whose sub-items are not the study's limits: strata, a definition ("Postmenopausal, defined
# as:"), a condition ("... required if any of the following is present:"). An "Age:" heading is the limit.
_AGE_HEADING = re.compile(r"^(?:patient\s+)?age\s*(?:range)?\s*[:：]?$", re.IGNORECASE)


def _sets_a_condition(parent: CriterionItem) -> bool:
    return parent.text.rstrip().endswith((":", "：")) and not _AGE_HEADING.match(parent.text.strip())


def _unit(word: str | None, default: str | None = None) -> AgeUnit:
    word = (word or default or "years").lower()
    if word.startswith("mo"):
        return AgeUnit.MONTHS
    return {"w": AgeUnit.WEEKS, "d": AgeUnit.DAYS, "h": AgeUnit.HOURS}.get(word[0], AgeUnit.YEARS)


# Words that, anywhere before an age in the item, make it a subgroup's or someone else's age: "if age 10
# or over", "among subjects > 40 years", "DONOR: Age < 75", "gestational age less than 33 weeks".
_QUALIFIED_AGE = re.compile(
    r"^\W*(?:\w{1,4}[.)]\s*)?for\b|\b(?:if|unless|when|whose|among|donors?|recipients?|controls?|gestation\w*|"
    r"(?:post-?)?concept\w*|menarche|"
    r"mothers?|fathers?|partners?|caregivers?|menopaus\w*|post-?menopausal|amenorrh\w*|bone\s+age)\b"
)
# A parenthesis opened right after the population ("Men and women (aged 18-65)") or "Age (45 - 70 yr)"
# states the study's ages; one after anything else qualifies that thing ("Sickle cell anemia (age 16 to
# 50 years)", "Lansky 60-100% (age under 10)").
_POPULATION_BEFORE_PAREN = re.compile(
    r"(?:^|\b(?:men|women|males?|females?|subjects?|patients?|adults?|children|volunteers?|participants?|persons?|"
    r"individuals?|ages?d?|age\s+range|years?))\s*[:,]?\s*$"
)


def _in_qualifying_parenthesis(text: str, start: int) -> bool:
    opened = text.rfind("(", 0, start)
    if opened < 0 or text.find(")", opened, start) >= 0:
        return False
    return _POPULATION_BEFORE_PAREN.search(text[:opened]) is None


def _conditional(text: str, start: int) -> bool:
    """An age that is not the participants' limit: under a condition ("For children aged under 18
    months: ...", "if over age 60"), someone else's ("sudden death under 40 years of age in a
    relative", a donor's, a gestational age), a parenthesis qualifying something else, or deep
    inside a long item."""
    return (
        start > _AGE_WITHIN
        or _CONDITIONAL.search(text, max(0, start - 40), start) is not None
        or _QUALIFIED_AGE.search(text, 0, start) is not None
        or _in_qualifying_parenthesis(text, start)
    )


def _age_bounds(text: str) -> Iterator[tuple[str, float, AgeUnit, bool]]:
    """(side 'min'|'max', value, unit, strict) for each age bound stated in `text`."""
    text = text.lower()
    for match in _THE_AGE_OF.finditer(text) if _AGE_THEN_NUMBER.search(text) else ():
        if not _conditional(text, match.start()):
            side = "min" if _GE_START.match(match["cmp"]) else "max"
            yield side, float(match[2]), _unit(match[3]), _strict(match["cmp"])
    anchored: set[int] = set()
    for anchor in _AFTER_ANCHOR.finditer(text):
        match = _AGE_FORMS.match(text, anchor.end())
        if match and match.end() > match.start():
            anchored.add(match.start())
            if not _conditional(text, anchor.start()):
                yield from _bounds(match, None)
    if "old" not in text and "of age" not in text and "y.o" not in text:
        return  # the forms below need "years old" / "of age" / "or older"
    for match in _AGE_FORMS.finditer(text):
        if match.start() in anchored:
            continue
        tail = _OLD_TAIL.match(text, match.end())
        has_unit = _NUMBER_THEN_WORD.search(match.group(0)) is not None
        if (tail is None and not (match["older"] and has_unit)) or not (has_unit or (tail and tail["unit"])):
            continue
        if not _conditional(text, match.start()):
            yield from _bounds(match, tail["unit"] if tail else None)


def _strict(comparator: str | None) -> bool:
    if not comparator:
        return False
    c = comparator.strip().lower()
    return (c.startswith((">", "<")) and not c.startswith((">=", "<=", ">/=", "</=", "=>", "=<"))) or c.startswith(
        _STRICT_WORDS
    )


def _bounds(match: re.Match[str], default_unit: str | None) -> Iterator[tuple[str, float, AgeUnit, bool]]:
    g = match.groups()
    if match["range"]:
        # groups: range, r_ge, n1, u1, r_le, n2, u2
        high_unit = _unit(g[6], default_unit)
        low_unit = _unit(g[3]) if g[3] else high_unit
        low, high = float(g[2]), float(g[5])
        if low * AGE_UNIT_IN_YEARS[low_unit] < high * AGE_UNIT_IN_YEARS[high_unit]:
            yield "min", low, low_unit, _strict(match["r_ge"])
            yield "max", high, high_unit, _strict(match["r_le"])
    elif match["ge"]:
        yield "min", float(g[8]), _unit(g[9], default_unit), _strict(match["ge"])
    elif match["le"]:
        yield "max", float(g[11]), _unit(g[12], default_unit), _strict(match["le"])
    elif match["older"]:
        yield "min", float(g[14]), _unit(g[15], default_unit), False
    elif match["plus"]:
        yield "min", float(g[17]), _unit(None, default_unit), False


def _in_unit(age: Age, unit: AgeUnit) -> float:
    return age.in_years() / AGE_UNIT_IN_YEARS[unit]


def _same_age(limit: Age, value: float, unit: AgeUnit, strict_shift: float = 0.0) -> bool:
    have = _in_unit(limit, unit)
    return abs(have - value) < 0.02 or (strict_shift != 0 and abs(have - (value + strict_shift)) < 0.02)


def _age_text(value: float, unit: AgeUnit) -> str:
    number = int(value) if value.is_integer() else value
    return f"{number} {unit.value.lower()}"


@rule(
    "eligibility.age_mismatch",
    "warning",
    example="Inclusion 'Age (45 - 70 yr old)' but minimum_age is 40 Years",
)
def age_mismatch(ctx: Context) -> Iterator[Hit]:
    """The ages the inclusion criteria state disagree with the structured minimum / maximum age.

    Registries search and filter on the structured ages, so a mismatch sends the wrong people
    to the study (or hides it from the right ones). The lowest lower bound and the highest upper
    bound stated in the inclusion items are compared with the fields; a strict bound ("> 18",
    "< 12 years") also matches the next whole unit (19, 11). Ages that are not the study's limits
    are not read: under a condition ("For children aged under 18 months: ...", "if age 10 or
    over"), of someone else (a donor, a relative, a gestational age), in a parenthesis qualifying
    something else ("Sickle cell anemia (age 16 to 50 years)"), in a sub-heading ("< 18 months of
    age:"), or in the sub-items of strata, definitions and conditions ("Postmenopausal, defined as:").
    """
    eligibility = ctx.record.eligibility
    lows: list[tuple[float, AgeUnit, bool, int]] = []
    highs: list[tuple[float, AgeUnit, bool, int]] = []
    heads = "\n".join(item.text[: _AGE_WITHIN + 60] for item in eligibility.inclusion).lower()
    if "age" not in heads and " old" not in heads and "y.o" not in heads:
        return
    parents: list[CriterionItem] = []  # the open item at each level
    for index, item in enumerate(eligibility.inclusion):
        del parents[item.level :]
        parent = parents[-1] if parents else None
        parents.extend([item] * (item.level + 1 - len(parents)))
        head = item.text[: _AGE_WITHIN + 60]
        lowered = head.lower()
        if ("age" not in lowered and " old" not in lowered and "y.o" not in lowered) or not _AGE_ANCHOR.search(lowered):
            continue
        if _is_heading(item) or (parent is not None and _sets_a_condition(parent)):
            continue
        if "exclu" in lowered or "ineligib" in lowered or "not eligib" in lowered:  # who is out, not the range
            continue
        for side, value, unit, strict in _age_bounds(head):
            (lows if side == "min" else highs).append((value, unit, strict, index))
    checks = (
        ("minimum_age", eligibility.minimum_age, lows, min, 1.0),
        ("maximum_age", eligibility.maximum_age, highs, max, -1.0),
    )
    for field, limit, bounds, pick, shift in checks:
        if not bounds:
            continue
        value, unit, strict, index = pick(bounds, key=lambda b: b[0] * AGE_UNIT_IN_YEARS[b[1]])
        if limit is not None and _same_age(limit, value, unit, shift if strict else 0.0):
            continue
        stated = ("over " if shift > 0 else "under ") if strict else ("at least " if shift > 0 else "at most ")
        field_text = limit.text if limit is not None else "not set (no limit)"
        yield hit(
            f"inclusion criteria state an age {stated}{_age_text(value, unit)} but {field} is {field_text}",
            ctx.item("inclusion", index),
            ctx.field(f"eligibility.{field}", limit.text if limit is not None else ""),
        )


_SEX_WORDS = re.compile(
    r"^(?:(?:healthy|adult|young|elderly|older|postmenopausal|post-menopausal|premenopausal|pre-menopausal|pregnant|"
    r"caucasian|asian|white|black|chinese|japanese|korean|ambulatory|non-pregnant|nonpregnant|\w+ese)\s+)*"
    r"(?P<sex>m[ae]n|males?|boys?|wom[ae]n|females?|girls?)\b(?P<rest>.{0,40})",
    re.IGNORECASE,
)
_BOTH = re.compile(
    r"\b(?:m[ae]n|males?|boys?)\b[^.;]{0,30}\b(?:wom[ae]n|females?|girls?)\b|"
    r"\b(?:wom[ae]n|females?|girls?)\b[^.;]{0,30}\b(?:m[ae]n|males?|boys?)\b|\bboth\s+(?:sexes|genders)\b",
    re.IGNORECASE,
)
_SEX_CONDITIONAL = re.compile(
    r"^(?:\s*(?:participants?|subjects?|patients?|volunteers?|candidates?)?\s*(?:of|who|with|must|should|will|"
    r"partners?|taking|using|agree|need|shall|may|can|are\s+required|if|whose|that|\(|,)|.*\b(?:contracept|pregnan|"
    r"childbearing|child-bearing|reproductive|menopaus|steril|lactat|breast|partner))",
    re.IGNORECASE,
)


@rule(
    "eligibility.sex_mismatch",
    "warning",
    example="Inclusion 'Healthy male volunteers aged 18-45' but sex is ALL",
)
def sex_mismatch(ctx: Context) -> Iterator[Hit]:
    """The inclusion criteria admit one sex and the structured sex field says another (or ALL).

    Like ages, the sex field drives registry search. Only items that open with the population
    ("Men with ...", "Healthy female volunteers") count; conditional mentions ("Women of
    childbearing potential must use contraception", "Male participants with partners ...") do not.
    """
    eligibility = ctx.record.eligibility
    if eligibility.sex is None:
        return
    said: dict[str, int] = {}
    for index, item in enumerate(eligibility.inclusion):
        if item.level > 0:
            continue
        match = _SEX_WORDS.match(item.text)
        if not match:
            continue
        if _BOTH.search(item.text[:80]):
            said.setdefault("both", index)
            continue
        if _SEX_CONDITIONAL.match(match["rest"]):
            continue
        word = match["sex"].lower()
        sex = "female" if word.startswith(("wom", "fem", "girl")) else "male"
        said.setdefault(sex, index)
    if not said:
        return
    sexes = set(said)
    if "both" in sexes or sexes == {"male", "female"}:
        if eligibility.sex != Sex.ALL:
            index = said.get("both", min(said.values()))
            yield hit(
                f"inclusion criteria admit both sexes but sex is {eligibility.sex.value}",
                ctx.item("inclusion", index),
                ctx.field("eligibility.sex", eligibility.sex.value),
            )
        return
    only = next(iter(sexes))
    expected = Sex.FEMALE if only == "female" else Sex.MALE
    if eligibility.sex != expected:
        yield hit(
            f"inclusion criteria admit {only} participants only but sex is {eligibility.sex.value}",
            ctx.item("inclusion", said[only]),
            ctx.field("eligibility.sex", eligibility.sex.value),
        )


# --- duplicates and missing parts ----------------------------------------------------------------


def _duplicate_key(text: str) -> str:
    """Case and closing punctuation ignored (item text is already one-spaced); everything else,
    comparison signs included, counts ('Age > 60' is not 'Age < 60')."""
    return text.lower().rstrip(" .;,:")


_PLACEHOLDERS = frozenset({"not specified", "none", "n a", "not applicable", "see above", "see below"})


def _has_repeats(*lists: list[CriterionItem]) -> bool:
    """Quick test before the grouping work: does any item text (as compared) occur twice?"""
    keys = [_duplicate_key(item.text) for items in lists for item in items]
    return len(set(keys)) < len(keys)


def _is_heading(item: CriterionItem) -> bool:
    return item.text.rstrip().endswith((":", "：")) or item.text.isupper()


@rule(
    "eligibility.duplicate_item",
    "warning",
    example="'Pregnant or breastfeeding' listed under both inclusion and exclusion",
)
def duplicate_item(ctx: Context) -> Iterator[Hit]:
    """The same criterion appears twice in one list, or in both the inclusion and the exclusion list.

    A criterion in both lists contradicts itself (the person is both required and excluded);
    a repeat inside one list usually marks a copy-paste slip that may hide a missing criterion.
    Items are compared after case and punctuation are removed (comparison signs kept). Sub-headings
    ("For parent participants:") and placeholders ("See Disease Characteristics") are not
    criteria, and a repeat inside one list under a different header, sub-heading or parent item
    (the same criterion for another group, cohort or option) is not reported; nor is one in both
    lists whose headers name different cohorts ("Inclusion criteria for patients without PAH" /
    "Exclusion criteria for patients with PAH"), or where either copy stands under a sub-heading
    that sets its sense (legacy ACTG records repeat "Concurrent Medication: Allowed: / Excluded: /
    Consult the monitor for the following:" sub-lists under both headers: repeated, not a
    contradiction). A block of three or more criteria pasted twice is one finding, not one per item.
    """
    eligibility = ctx.record.eligibility
    if not _has_repeats(eligibility.inclusion, eligibility.exclusion):
        return
    headers = sorted(
        (h for h in eligibility.headers if h.span is not None), key=lambda h: h.span.start if h.span else 0
    )
    cuts = [h.span.start for h in headers if h.span is not None]
    seen: dict[str, tuple[str, int, tuple[int, int, int], str, str]] = {}
    pairs: list[tuple[str, int, str, int]] = []
    for kind in ("inclusion", "exclusion"):
        headings = 0
        polarity = kind
        heading_section = -1  # the header section the last sub-heading stood in
        parents: list[int] = []  # index of the open item at each level
        for index, item in enumerate(getattr(eligibility, kind)):
            del parents[item.level :]
            parent = parents[-1] if parents else -1
            parents.extend([index] * (item.level + 1 - len(parents)))
            if _is_heading(item):
                headings += 1
                polarity = "exclusion" if _EXCLUDING_HEADING.search(item.text) else kind
                heading_section = bisect_right(cuts, item.span.start) if item.span is not None else 0
                continue
            key = _duplicate_key(item.text)
            if len(key) < 12 or key.startswith("see ") or key in _PLACEHOLDERS:
                continue
            section = bisect_right(cuts, item.span.start) if item.span is not None else 0
            group = (section, headings, parent)
            cohort = _cohort(headers[section - 1].text) if section else ""
            # under a sub-heading ("Allowed:", "Consult ...:") the sub-heading sets the item's sense
            sense = "sub-heading" if heading_section == section else polarity
            first = seen.get(key)
            if first is None:
                seen[key] = (kind, index, group, sense, cohort)
                continue
            first_kind, first_index, first_group, first_polarity, first_cohort = first
            if first_kind == kind and first_group != group:
                continue
            if first_kind != kind and (
                first_polarity == sense or "sub-heading" in (first_polarity, sense) or first_cohort != cohort
            ):
                continue  # excluded twice (an "Excluded:" sub-list under Inclusion), or for another cohort
            pairs.append((first_kind, first_index, kind, index))
    yield from _duplicate_findings(ctx, pairs)


_BLOCK = 3  # this many consecutive repeats are one pasted block


def _duplicate_findings(ctx: Context, pairs: list[tuple[str, int, str, int]]) -> Iterator[Hit]:
    """One finding per repeated criterion, or one per pasted block: a run of >= 3 repeats whose both
    copies are consecutive items (an eligibility block pasted twice) is reported once, with its first
    and last item on each side."""
    run: list[tuple[str, int, str, int]] = []
    for pair in [*pairs, None]:
        if (
            pair is not None
            and run
            and (pair[0], pair[2]) == (run[-1][0], run[-1][2])
            and (pair[1], pair[3]) == (run[-1][1] + 1, run[-1][3] + 1)
        ):
            run.append(pair)
            continue
        if len(run) >= _BLOCK:
            first_kind, first_start, kind, start = run[0]
            _, first_end, _, end = run[-1]
            where = (
                f"in both the {first_kind} and the {kind} list" if first_kind != kind else f"twice in the {kind} list"
            )
            yield hit(
                f"a block of {len(run)} criteria appears {where} (pasted twice)",
                ctx.item(first_kind, first_start),
                ctx.item(first_kind, first_end),
                ctx.item(kind, start),
                ctx.item(kind, end),
            )
        else:
            for first_kind, first_index, kind, index in run:
                where = (
                    f"in both the {first_kind} and the {kind} list"
                    if first_kind != kind
                    else f"twice in the {kind} list"
                )
                yield hit(
                    f"the same criterion appears {where}", ctx.item(first_kind, first_index), ctx.item(kind, index)
                )
        run = [pair] if pair is not None else []


# A sub-heading inside the inclusion list that opens an exclusion sub-list (legacy ACTG layout:
# "Concurrent Medication: Excluded:", "Patients with the following are excluded:").
_EXCLUDING_HEADING = re.compile(r"\b(?:exclu\w*|not\s+allowed|prohibited|not\s+permitted|disallowed)\b", re.IGNORECASE)
_CRITERIA_WORDS = re.compile(
    r"\b(?:non[\s-]?inclusion|inclusion|exclusion|criteria|criterion|critera)\b", re.IGNORECASE
)


def _cohort(header: str) -> str:
    """Whom a header's list is for ("Inclusion criteria for control participants:" -> "for control
    participants"); "" for a plain header."""
    return " ".join(_CRITERIA_WORDS.sub(" ", header).strip(" :：-").lower().split())


# NCI PDQ records (before ClinicalTrials.gov asked for two lists) group criteria under these headings
# and write exclusions as "No ..." items; they have no exclusion part by design, not by omission.
_PDQ_SECTIONS = re.compile(
    r"^\s*(?:DISEASE CHARACTERISTICS|PATIENT CHARACTERISTICS|PRIOR CONCURRENT THERAPY):", re.MULTILINE
)
# Exclusions stated without an exclusion header: a negated criterion ("No prior chemotherapy", "Patients
# must not have ..."), a sentence saying who is excluded or ineligible, or prose ("Exclusion criteria
# included ..."). Records from before the two-list layout (NIH Clinical Center, ORD "PROTOCOL ENTRY
# CRITERIA", PDQ) write their exclusions this way.
_EXCLUSION_STATED = re.compile(
    r"^[ \t]*(?:[-*•·o][ \t]+|\(?\w{1,3}[.)][ \t]+)?(?:[A-Za-z/ ]{1,30}:[ \t]*)?(?:no|not|none|without|never|neither)\b"
    r"|\b(?:exclu(?:de|ded|des|ding|sion|sions)|ineligible|not\s+(?:be\s+)?eligible|disqualif\w+)\b"
    r"|\b(?:must|should|may|can|will|shall|were|was|are|is)\s+not\s+(?:have|be|receive|take|use|had|been|on|taking|"
    r"receiving|allowed|permitted|participate|enrol\w*)\b"
    r"|\bbut\s+not\b|\bno\s+(?:history|evidence|prior|concurrent|active|known|other|current|previous|significant|"
    r"serious|severe|clinically)\b",
    re.IGNORECASE | re.MULTILINE,
)
# Criteria text that stands in for criteria: "No eligibility criteria", "Please contact site for information".
_PLACEHOLDER = re.compile(
    r"^\W*(?:no\s+eligibility\s+criteria|(?:please\s+)?(?:contact|refer\s+to|see)\b|not\s+(?:applicable|available|"
    r"provided|specified)|n/?a\b|none\b|tbd\b|to\s+be\s+determined)",
    re.IGNORECASE,
)


@rule(
    "eligibility.missing_section",
    "warning",
    example="Criteria text with 'Inclusion Criteria:' items and no exclusion criteria",
)
def missing_section(ctx: Context) -> Iterator[Hit]:
    """The eligibility criteria are missing or a placeholder, or have no inclusion part or no exclusion part.

    ClinicalTrials.gov review asks for both lists under their headers; a record without one
    leaves curators guessing whether the other was lost or never written. Records without a
    study type and without criteria (withheld or stub records) are not reported. An absent
    exclusion header is reported only when the text states no exclusion at all: criteria written
    before the two-list layout (NCI PDQ "DISEASE CHARACTERISTICS: ...", ORD "PROTOCOL ENTRY
    CRITERIA", NIH Clinical Center paragraphs) give their exclusions as "No ..." items, "must not"
    sentences or prose ("Exclusion criteria included ..."), which is a layout, not an omission.
    """
    record = ctx.record
    eligibility = record.eligibility
    text = eligibility.criteria_text or ""
    if not text.strip() and not eligibility.inclusion and not eligibility.exclusion:
        if record.study_type in (StudyType.INTERVENTIONAL, StudyType.OBSERVATIONAL):
            yield hit("the record has no eligibility criteria", ctx.field("eligibility.criteria_text", ""))
        return
    if eligibility.inclusion and eligibility.exclusion:
        return
    shown = shorten(text[:400], 200)
    if len(text) < 120 and _PLACEHOLDER.match(text):
        yield hit(
            "the eligibility criteria are a placeholder, not criteria", ctx.field("eligibility.criteria_text", shown)
        )
        return
    if not eligibility.inclusion:
        yield hit("the eligibility criteria have no inclusion items", ctx.field("eligibility.criteria_text", shown))
    if not eligibility.exclusion and not _PDQ_SECTIONS.search(text):
        has_header = any(h.kind == "exclusion" for h in eligibility.headers)
        if has_header:
            yield hit(
                "the eligibility criteria have an empty 'Exclusion Criteria' header",
                ctx.field("eligibility.criteria_text", shown),
            )
        elif not _EXCLUSION_STATED.search(text):
            yield hit("the eligibility criteria have no exclusion part", ctx.field("eligibility.criteria_text", shown))
