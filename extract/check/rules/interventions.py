"""Intervention rules: one intervention described with different doses in different places."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from extract.check.context import Context
from extract.check.finding import Evidence
from extract.check.registry import Hit, hit, rule
from extract.check.text import WHITESPACE, Screen, sentence_around, sentences
from extract.model import Intervention

# Numbers are found with one fast scan; the unit (or count noun) is then matched right after each.
# Everything runs on lower-cased text (no IGNORECASE: it is slower).
_NUMBER = re.compile(r"\d[\d,.]*")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
_UNIT_AFTER = re.compile(
    r"\s*(?:(?:-|–|to)\s*(?P<b>\d+(?:\.\d+)?)\s*)?"
    r"(?P<unit>mg/m2|mg/m²|mg/kg|µg/kg|μg/kg|mcg/kg|ug/kg|mg|µg|μg|mcg|ug|ml|iu|units?|cgy|gy|g)"
    r"(?P<per>/(?:day|d|week|wk|dose))?(?![\w/²])(?!\s*(?:increments?|aliquots?|portions?|each|per\b))"
)
_COUNT_AFTER = re.compile(
    r"\s+(?:consecutive\s+|cumulative\s+|total\s+|treatment\s+)?"
    r"(?P<noun>doses|cycles|fractions|injections|infusions|sessions)\b(?!\s*(?:per|a|each|every|/|daily|weekly))"
)
_UNIT_ALIASES = {
    "mg/m²": "mg/m2",
    "μg": "µg",
    "mcg": "µg",
    "ug": "µg",
    "μg/kg": "µg/kg",
    "mcg/kg": "µg/kg",
    "ug/kg": "µg/kg",
    "unit": "units",
}
_DIGIT = re.compile(r"\d")
# Every dose `_doses` reads is a digit, then (after spaces and a range's other end) a unit that no letter,
# digit, '_', '/' or '²' follows, or a count noun: a text with none holds no dose (about half the texts).
_DOSE_SCREEN = Screen(
    rf"\p{{Nd}}(?:{WHITESPACE}*(?:(?:-|–|to){WHITESPACE}*\p{{Nd}}+(?:\.\p{{Nd}}+)?{WHITESPACE}*)?"
    r"(?:mg/m2|mg/m²|mg/kg|µg/kg|μg/kg|mcg/kg|ug/kg|mg|µg|μg|mcg|ug|ml|iu|units?|cgy|gy|g)"
    r"(?:/(?:day|d|week|wk|dose))?(?:[^A-Za-z0-9_/²]|$)"
    rf"|{WHITESPACE}+(?:(?:consecutive|cumulative|total|treatment){WHITESPACE}+)?"
    r"(?:doses|cycles|fractions|injections|infusions|sessions))"
)


def _doses(text: str) -> dict[str, set[float]]:
    """unit -> the amounts stated with it ('14-14.8 Gy' gives both ends); counts as '#doses' etc."""
    found: dict[str, set[float]] = {}
    text = text.lower()
    if not _DOSE_SCREEN.could_match(text):
        return found
    for token in _NUMBER.finditer(text):
        raw = token.group(0)
        stripped = raw.rstrip(".,")
        end = token.start() + len(stripped)
        comma = "," in stripped  # most numbers have none: no thousands match, no split
        if comma and _THOUSANDS.fullmatch(stripped):
            value = float(stripped.replace(",", ""))
        else:
            head = stripped.split(",")[0] if comma else stripped
            end = token.start() + len(head)
            try:
                value = float(head)
            except ValueError:  # "1.2.3"
                continue
        unit = _UNIT_AFTER.match(text, end)
        if unit is not None:
            name = _UNIT_ALIASES.get(unit["unit"], unit["unit"]) + (unit["per"] or "")
            values = found.setdefault(name, set())
            values.add(value)
            if unit["b"]:
                values.add(float(unit["b"]))
            continue
        if head_is_count(text, token.start(), end):
            count = _COUNT_AFTER.match(text, end)
            if count is not None:
                found.setdefault("#" + count["noun"], set()).add(value)
    return found


def _cached_doses(ctx: Context, text: str) -> dict[str, set[float]]:
    """`_doses` of a whole field, once per record (an arm's description serves every intervention)."""
    cache = ctx.__dict__.setdefault("_doses", {})
    found = cache.get(text)
    if found is None:
        found = cache[text] = _doses(text)
    return found


def head_is_count(text: str, start: int, end: int) -> bool:
    """A whole number of at most three digits standing as its own word."""
    return end - start <= 3 and text[start:end].isdigit() and (start == 0 or not text[start - 1].isalnum())


def _fmt(values: set[float], unit: str) -> str:
    shown = ", ".join(f"{v:g}" for v in sorted(values))
    return f"{shown} {unit[1:]}" if unit.startswith("#") else f"{shown} {unit}"


@dataclass
class _Place:
    evidence: Evidence
    doses: dict[str, set[float]]


def _names(intervention: Intervention) -> list[str]:
    """The lower-cased names a text may call the intervention by (three characters or more)."""
    return [n.lower() for n in (intervention.name, *intervention.other_names) if len(n.strip()) >= 3]


# Words too common to stand for an intervention when a name is cut to its first word.
_GENERIC_HEADS = frozenset({"placebo", "standard", "control", "usual", "best", "high", "low", "oral", "intravenous"})


def _all_names(ctx: Context) -> tuple[list[list[str]], list[set[str]]]:
    """For each intervention, its `_names`, and the first words of its longer names (five letters or
    more, not a generic word), once per record. A text that calls another intervention by its short
    name ("irinotecan" for "irinotecan hydrochloride") still names it, so `_places` adds the heads to
    the other interventions' names, less those that are part of the intervention's own names."""
    cached = ctx.__dict__.get("_intervention_names")
    if cached is None:
        names = [_names(intervention) for intervention in ctx.record.interventions]
        heads = [
            {h for n in mine if " " in n for h in (n.split()[0],) if len(h) >= 5 and h not in _GENERIC_HEADS}
            for mine in names
        ]
        cached = ctx.__dict__["_intervention_names"] = (names, heads)
    return cached


def _names_in(lowered: str, names: list[str]) -> bool:
    return any(name in lowered for name in names)


def _places(ctx: Context, index: int) -> list[_Place]:
    """Where else intervention `index` is described with doses: the arms that receive it (the whole
    description when it is the arm's only intervention, else the sentences naming it), and summary
    / description sentences that name it and no other intervention."""
    record = ctx.record
    names, heads = _all_names(ctx)
    own = names[index]
    if not own:
        return []
    others = [
        n
        for j, (mine, candidates) in enumerate(zip(names, heads, strict=True))
        if j != index
        for n in mine + sorted(h for h in candidates if not any(h in name for name in own))
    ]
    places: list[_Place] = []
    for arm_index, given in enumerate(ctx.arm_interventions):
        description = record.arms[arm_index].description
        if index not in given or not description or not _DIGIT.search(description):
            continue
        path = f"arms[{arm_index}].description"
        if description == record.interventions[index].description:
            continue  # the same text twice cannot disagree with itself
        if given == [index]:
            doses = _cached_doses(ctx, description)
            if doses:
                places.append(_Place(ctx.field(path, description), doses))
            continue
        places += _sentences_naming(ctx, path, description, description.lower(), own, others)
    for path in ("brief_summary", "detailed_description"):
        value = getattr(record, path)
        if value:
            places += _sentences_naming(ctx, path, value, ctx.lower(path), own, others)
    return places


def _sentences_naming(
    ctx: Context, path: str, text: str, lowered: str, own: list[str], others: list[str]
) -> list[_Place]:
    """The sentences of `text` that name the intervention (and no other) and state doses, found from
    the name's occurrences rather than by splitting the whole text."""
    if not any(name in lowered for name in own):
        return []
    if len(lowered) != len(text):  # lower() changed the length (rare letters): offsets differ, split instead
        parts = sentences(text)
    else:
        bounds: set[tuple[int, int]] = set()
        for name in own:
            found = lowered.find(name)
            while found != -1:
                bounds.add(sentence_around(text, found, found + len(name)))
                found = lowered.find(name, found + len(name))
        parts = [(start, text[start:end]) for start, end in sorted(bounds)]
    out = []
    for offset, sentence in parts:
        piece = sentence.lower()
        if not _names_in(piece, own) or _names_in(piece, others) or not _DIGIT.search(sentence):
            continue
        doses = _doses(sentence)
        if doses:
            out.append(_Place(ctx.excerpt(path, text, offset, offset + len(sentence)), doses))
    return out


@rule(
    "interventions.dose_mismatch",
    "info",  # judged precision below 0.8 on real records (docs/check_review_sample.md): a hint, not a defect
    example="Intervention 'Drug X' says 120 mg every 4 weeks; its arm says 12 mg every 4 weeks",
)
def dose_mismatch(ctx: Context) -> Iterator[Hit]:
    """One intervention is given different doses (or numbers of doses, cycles, fractions) in different
    places of the record: its own description against its arm's description or the summary.

    Doses are retyped in every section of a registration, and a slip (120 mg vs 12 mg, 13 vs 12
    doses) leaves readers unable to tell what participants receive. Places are only compared on
    the same unit, and only when no stated amount is shared, so dose ranges, loading and
    maintenance doses and dose-escalation lists that overlap are not reported. Rates ("2
    fractions per day") are not counts.
    """
    record = ctx.record
    for index, intervention in enumerate(record.interventions):
        if not intervention.description or not _DIGIT.search(intervention.description):
            continue
        own = _cached_doses(ctx, intervention.description)
        if not own:
            continue
        for place in _places(ctx, index):
            conflict = next(
                (unit for unit in sorted(own) if unit in place.doses and not own[unit] & place.doses[unit]), None
            )
            if conflict is None:
                continue
            where = place.evidence.path.split("[")[0].split(".")[0].replace("_", " ")
            yield hit(
                f"intervention {intervention.name!r} is described with {_fmt(own[conflict], conflict)} but its "
                f"{where} says {_fmt(place.doses[conflict], conflict)}",
                ctx.field(f"interventions[{index}].description", intervention.description),
                place.evidence,
            )
            break
