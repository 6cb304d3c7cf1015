"""The sectioned strategy: settle structure by code, ask the model only what stays ambiguous.

Page sections come from `extract.section.page`; labelled values are normalised with
`extract.normalize`; criteria come from the splitter. The model is asked: which candidate line
is the title, how a run-together conditions line splits, whether an unlabelled outcome is
primary, and an arm's or intervention's type when the page omits it. Every value is copied
from the page with its span; values that do not map to the vocabulary are reported in
`unmapped`, never guessed.
"""

from __future__ import annotations

import contextlib
import re
from enum import StrEnum
from typing import Any, TypeVar

from extract.errors import MappingError
from extract.ground import Reader
from extract.model import Span, paths
from extract.model.vocab import (
    AgencyClass,
    Allocation,
    ArmType,
    EnrollmentType,
    InterventionModel,
    InterventionType,
    OverallStatus,
    PrimaryPurpose,
    RecruitmentStatus,
    Sex,
    StudyType,
)
from extract.normalize import to_bool, to_enum, to_masking, to_partial_date, to_phases
from extract.page import questions
from extract.page.draft import Ledger, PageDraft
from extract.page.questions import Asker
from extract.page.values import parse_age, parse_age_range, parse_masked_roles, parse_masking
from extract.section.criteria import split_criteria
from extract.section.groups import ArmBlock, InterventionBlock
from extract.section.labels import Field
from extract.section.lines import Located
from extract.section.page import PageSections, section_page

STRATEGY = "sectioned"
E = TypeVar("E", bound=StrEnum)


class _Builder:
    def __init__(self, sections: PageSections, ledger: Ledger) -> None:
        self.sections = sections
        self.draft = PageDraft(data={}, ledger=ledger)

    def put(self, path: str, value: Any, where: Located | None = None, reader: Reader | None = None) -> None:
        """Set data at a field path ("design.masking"); remember where it was read (`mark`)."""
        paths.put(self.draft.data, path, value)
        if where is not None:
            self.mark(path, where.span, reader)

    def mark(self, path: str, span: Span, reader: Reader | None = None) -> None:
        """The span a value at `path` was read from, and for a coded value the reader that read it from
        the span's text (grounding reads it again)."""
        self.draft.spans[path] = span
        if reader is not None:
            self.draft.readers[path] = reader

    def field(self, key: str) -> Field | None:
        return self.sections.fields.get(key)

    def mapped(self, key: str, path: str, convert: Any) -> Any:
        """Normalise a labelled field; a value with no v2 equivalent is reported, not guessed."""
        found = self.field(key)
        if found is None:
            return None
        try:
            value = convert(found.value.text)
        except MappingError as exc:
            self.draft.unmapped.append({"path": path, "value": found.value.text, "reason": str(exc)})
            return None
        if value is not None and value != []:
            self.put(path, value, found.value, convert)
        return value


def _enum(enum: type[E], path: str) -> Reader:
    """Reads a spelling as a value of `enum` (the shared normaliser); `path` names the field in errors."""
    return lambda text: to_enum(enum, text, path)


def _prefix_type(label_text: str, default: str | None = None) -> str | None:
    """ "Actual Study Start Date" -> ACTUAL; "Estimated Enrollment" -> ESTIMATED."""
    first = label_text.split()[0].lower() if label_text.split() else ""
    return {"actual": "ACTUAL", "estimated": "ESTIMATED", "anticipated": "ESTIMATED"}.get(first, default)


def _type_title(itype: InterventionType | None) -> str:
    return itype.value.replace("_", " ").title() if itype else "Other"


def _joined(parts: list[Located], text: str) -> tuple[str, Span] | None:
    """Consecutive page paragraphs as one value: the exact slice from first to last."""
    if not parts:
        return None
    start, end = parts[0].start, parts[-1].end
    return text[start:end], Span(start=start, end=end)


async def extract_page(text: str, llm: Asker | None, ledger: Ledger | None = None) -> PageDraft:
    """Page text -> draft record; `llm` may be None when no question is needed (tests). Each call's
    cost goes into `ledger` as it is made, so the caller keeps it when a later question fails."""
    sections = section_page(text)
    b = _Builder(sections, ledger if ledger is not None else Ledger())
    ledger = b.draft.ledger

    if sections.nct_id is not None:
        b.put("nct_id", sections.nct_id.text, sections.nct_id)
    await _title(b, llm, ledger)
    b.mapped("official_title", "official_title", lambda v: " ".join(v.split()))
    b.mapped("acronym", "acronym", lambda v: v.strip())
    read_status = _enum(OverallStatus, "overall_status")
    status = b.mapped("overall_status", "overall_status", read_status)
    if status is None and sections.bare_status is not None:
        b.put("overall_status", read_status(sections.bare_status.text), sections.bare_status, read_status)
    b.mapped("why_stopped", "why_stopped", lambda v: v.strip())
    b.mapped("last_update_date", "last_update_date", lambda v: to_partial_date(v, "last_update_date"))
    for key in ("start_date", "primary_completion_date", "completion_date"):
        found = b.field(key)
        date = b.mapped(key, f"{key}.date", lambda v, k=key: to_partial_date(v, k))
        if date is not None and found is not None:
            kind = _prefix_type(found.label.text)
            b.put(f"{key}.type", kind, found.label if kind else None, _prefix_type)  # "Actual Study Start Date"
    b.mapped("study_type", "study_type", lambda v: to_enum(StudyType, re.sub(r"\(.*?\)", "", v), "study_type"))
    b.mapped("phase", "phases", to_phases)
    _enrollment(b)
    b.mapped("allocation", "design.allocation", _enum(Allocation, "design.allocation"))
    b.mapped(
        "intervention_model",
        "design.intervention_model",
        _enum(InterventionModel, "design.intervention_model"),
    )
    b.mapped("primary_purpose", "design.primary_purpose", _enum(PrimaryPurpose, "design.primary_purpose"))
    masking_field = b.field("masking")
    if masking_field is not None:
        try:
            masking, roles = to_masking(masking_field.value.text)
        except MappingError as exc:
            b.draft.unmapped.append({"path": "design.masking", "value": masking_field.value.text, "reason": str(exc)})
        else:
            b.put("design.masking", masking, masking_field.value, parse_masking)
            b.put("design.who_masked", roles, masking_field.value if roles else None, parse_masked_roles)
    await _conditions(b, llm, ledger)
    _keywords(b)
    for key, part in (
        ("brief_summary", sections.brief_summary),
        ("detailed_description", sections.detailed_description),
    ):
        joined = _joined(part, text)
        if joined:
            b.draft.data[key] = joined[0]
            b.draft.spans[key] = joined[1]
    await _groups(b, llm, ledger)
    await _outcomes(b, llm, ledger)
    _eligibility(b)
    _sponsor(b)
    _locations(b)
    return b.draft


async def _title(b: _Builder, llm: Asker | None, ledger: Ledger) -> None:
    candidates = b.sections.title_candidates
    if not candidates:
        return
    if len(candidates) == 1 or llm is None:
        chosen = candidates[0]
    else:
        numbered = [(i + 1, line.text) for i, line in enumerate(candidates)]
        chosen = candidates[await questions.title_line(llm, ledger, numbered) - 1]
    b.put("brief_title", chosen.text, Located(chosen.text, chosen.start, chosen.end))


def _enrollment(b: _Builder) -> None:
    found = b.field("enrollment")
    if found is None:
        return
    match = re.search(r"\d[\d,]*", found.value.text)
    if not match:
        b.draft.unmapped.append({"path": "enrollment.count", "value": found.value.text, "reason": "no number"})
        return
    where = Located(match.group(0), found.value.start + match.start(), found.value.start + match.end())
    b.put("enrollment.count", int(match.group(0).replace(",", "")), where, lambda v: int(v.replace(",", "")))
    kind = _prefix_type(found.label.text)
    b.put("enrollment.type", EnrollmentType(kind) if kind else None, found.label if kind else None, _prefix_type)


async def _conditions(b: _Builder, llm: Asker | None, ledger: Ledger) -> None:
    line = b.sections.conditions
    if line is None:
        return
    text = b.sections.text
    # ";" and "|" separate names; a comma may be part of one ("Solid Tumor, Adult"), so the model decides
    if re.search(r"[;|]", line.text):
        names = [n.strip() for n in re.split(r"[;|]", line.text) if n.strip()]
    elif len(line.text.split()) >= 3 and llm is not None:
        names = await questions.conditions_split(llm, ledger, b.draft.data.get("brief_title", ""), line.text)
    else:
        names = [line.text]
    conditions = []
    lowered = text[line.start : line.end].lower()  # the line only: lower() of a whole page costs 12 bytes a character
    for name in names:
        found = lowered.find(name.lower())
        offset = line.start + found if found >= 0 and len(lowered) == line.end - line.start else -1
        if offset < 0:
            continue  # conditions_split already verified; a miss here means whitespace differences
        conditions.append(text[offset : offset + len(name)])
        b.draft.spans[f"conditions[{len(conditions) - 1}]"] = Span(start=offset, end=offset + len(name))
    b.draft.data["conditions"] = conditions


def _keywords(b: _Builder) -> None:
    found = b.field("keywords")
    if found is None:
        return
    names = [n.strip() for n in re.split(r"[;|]", found.value.text) if n.strip()]
    offset = found.value.start
    keywords = []
    for name in names:
        start = b.sections.text.find(name, offset, found.value.end)
        if start >= 0:
            b.draft.spans[f"keywords[{len(keywords)}]"] = Span(start=start, end=start + len(name))
            keywords.append(name)
            offset = start + len(name)
    b.draft.data["keywords"] = keywords


def _norm_name(name: str) -> str:
    return " ".join(name.lower().split())


def _stated(b: _Builder, enum: type[E], stated: Located, path: str) -> E | None:
    """A type the page states, in the vocabulary; a spelling it lacks is listed in `unmapped`, not asked."""
    try:
        return to_enum(enum, stated.text, path)
    except MappingError as exc:
        b.draft.unmapped.append({"path": path, "value": stated.text, "reason": str(exc)})
        return None


async def _arm_type(b: _Builder, llm: Asker | None, ledger: Ledger, arm: ArmBlock) -> ArmType | None:
    if arm.stated_type is not None:
        return _stated(b, ArmType, arm.stated_type, "arms.type")
    if llm is None:
        return None
    description = " ".join(d.text for d in arm.description)
    return await questions.arm_type(llm, ledger, b.draft.data.get("brief_title", ""), arm.label.text, description)


async def _intervention_type(
    b: _Builder, llm: Asker | None, ledger: Ledger, block: InterventionBlock
) -> InterventionType | None:
    if block.stated_type is not None:
        return _stated(b, InterventionType, block.stated_type, "interventions.type")
    if llm is None:
        return None
    description = " ".join(d.text for d in block.description)
    return await questions.intervention_type(llm, ledger, block.name.text, description)


def _type_read(
    block: ArmBlock | InterventionBlock, anchor: Located, enum: type[E], path: str
) -> tuple[Span, Reader | None]:
    """Where a block's type was read, and how to read it again: the stated type's words with the
    vocabulary's reader, or (a type the model judged) the block's label or name through its
    description, the text it was shown, with none: a judgement cannot be redone from text."""
    if block.stated_type is not None:
        return block.stated_type.span, _enum(enum, path)
    end = block.description[-1].end if block.description else anchor.end
    return Span(start=anchor.start, end=max(end, anchor.end)), None


async def _groups(b: _Builder, llm: Asker | None, ledger: Ledger) -> None:
    """Arms with their interventions; interventions merged by name across the page's sections."""
    text = b.sections.text
    merged: dict[str, dict[str, Any]] = {}
    order: list[str] = []

    async def register(block: InterventionBlock, arm_label: Located | None) -> dict[str, Any]:
        key = _norm_name(block.name.text)
        if key not in merged:
            itype = await _intervention_type(b, llm, ledger, block)
            merged[key] = {
                "name": block.name,
                "type": itype,
                "type_read": _type_read(block, block.name, InterventionType, "interventions.type") if itype else None,
                "description": block.description,
                "other_names": block.other_names,
                "arm_labels": [],
                "arm_spans": [],
            }
            order.append(key)
        entry = merged[key]
        if not entry["description"] and block.description:
            entry["description"] = block.description
        if arm_label is not None and arm_label.text not in entry["arm_labels"]:
            entry["arm_labels"].append(arm_label.text)
            entry["arm_spans"].append(arm_label.span)
        return entry

    arms_data = []
    for arm_index, arm in enumerate(b.sections.arms):
        names = []
        for block in arm.interventions:
            entry = await register(block, arm.label)
            b.draft.spans[f"arms[{arm_index}].intervention_names[{len(names)}]"] = block.name.span
            names.append(f"{_type_title(entry['type'])}: {entry['name'].text}")
        arm_type = await _arm_type(b, llm, ledger, arm)
        arm_data: dict[str, Any] = {"label": arm.label.text, "type": arm_type, "intervention_names": names}
        b.draft.spans[f"arms[{arm_index}].label"] = arm.label.span
        if arm_type is not None:
            b.mark(f"arms[{arm_index}].type", *_type_read(arm, arm.label, ArmType, "arms.type"))
        joined = _joined(arm.description, text)
        if joined:
            arm_data["description"] = joined[0]
            b.draft.spans[f"arms[{arm_index}].description"] = joined[1]
        arms_data.append(arm_data)
    for block in b.sections.interventions:  # an "Interventions" section: better descriptions, extra items
        key = _norm_name(block.name.text)
        if key in merged and block.description:
            merged[key]["description"] = block.description
        await register(block, None)

    interventions = []
    for index, key in enumerate(order):
        entry = merged[key]
        data: dict[str, Any] = {
            "type": entry["type"],
            "name": entry["name"].text,
            "other_names": [o.text for o in entry["other_names"]],
            "arm_labels": entry["arm_labels"],
        }
        b.draft.spans[f"interventions[{index}].name"] = entry["name"].span
        if entry["type_read"] is not None:
            b.mark(f"interventions[{index}].type", *entry["type_read"])
        for position, span in enumerate(entry["arm_spans"]):
            b.draft.spans[f"interventions[{index}].arm_labels[{position}]"] = span
        joined = _joined(entry["description"], text)
        if joined:
            data["description"] = joined[0]
            b.draft.spans[f"interventions[{index}].description"] = joined[1]
        interventions.append(data)
    if arms_data:
        b.draft.data["arms"] = arms_data
    if interventions:
        b.draft.data["interventions"] = interventions


async def _outcomes(b: _Builder, llm: Asker | None, ledger: Ledger) -> None:
    entries = b.sections.outcomes
    if not entries:
        return
    text = b.sections.text
    objectives = b.draft.data.get("brief_summary") or _objectives_near(b.sections)
    listing = [f"{e.measure.text} [{e.time_frame.text if e.time_frame else ''}]" for e in entries]
    unlabelled = [i for i, e in enumerate(entries) if e.kind is None]
    primary: set[int] = set()
    if unlabelled and llm is not None:
        picked = await questions.primary_outcomes(llm, ledger, objectives, [listing[i] for i in unlabelled])
        primary = {unlabelled[number - 1] for number in picked}
    groups: dict[str, list[dict[str, Any]]] = {"primary": [], "secondary": [], "other": []}
    for index, entry in enumerate(entries):
        kind = entry.kind or ("primary" if index in primary or llm is None else "secondary")
        position = len(groups[kind])
        path = f"outcomes.{kind}[{position}]"
        item: dict[str, Any] = {"measure": entry.measure.text}
        b.draft.spans[f"{path}.measure"] = entry.measure.span
        if entry.time_frame is not None:
            item["time_frame"] = entry.time_frame.text
            b.draft.spans[f"{path}.time_frame"] = entry.time_frame.span
        joined = _joined(entry.description, text)
        if joined:
            item["description"] = joined[0]
            b.draft.spans[f"{path}.description"] = joined[1]
        groups[kind].append(item)
    b.draft.data["outcomes"] = groups


def _objectives_near(sections: PageSections) -> str:
    """Without a labelled summary, the page's first sentences that state objectives."""
    found = [line.text for line in sections.lines if re.search(r"\bobjectives?\b", line.text, re.I)]
    return " ".join(found)[:1200]


def _eligibility(b: _Builder) -> None:
    s = b.sections
    elig: dict[str, Any] = {}
    if s.eligibility is not None:
        start, end = s.eligibility
        split = split_criteria(s.text, start, end)
        elig.update(inclusion=split.inclusion, exclusion=split.exclusion, headers=split.headers)
        raw = s.text[start:end]
        elig["criteria_text"] = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        b.mark("eligibility.criteria_text", Span(start=start + lead, end=start + lead + len(elig["criteria_text"])))
    for key in ("minimum_age", "maximum_age"):
        found = b.field(key)
        if found is not None:
            with contextlib.suppress(MappingError):
                age = parse_age(found.value.text)
                if age is not None:
                    elig[key] = age
                    b.mark(f"eligibility.{key}", found.value.span, parse_age)
    age_range = b.field("age_range")
    if age_range is not None and "minimum_age" not in elig and "maximum_age" not in elig:
        with contextlib.suppress(MappingError):
            low, high = parse_age_range(age_range.value.text)
            for position, (key, age) in enumerate((("minimum_age", low), ("maximum_age", high))):
                if age is not None:
                    elig[key] = age
                    b.mark(f"eligibility.{key}", age_range.value.span, lambda v, at=position: parse_age_range(v)[at])
    for key, path, convert in (
        ("sex", "eligibility.sex", _enum(Sex, "eligibility.sex")),
        (
            "healthy_volunteers",
            "eligibility.healthy_volunteers",
            lambda v: to_bool(v, "eligibility.healthy_volunteers"),
        ),
    ):
        value = b.mapped(key, path, convert)
        if value is not None:
            elig[path.split(".")[1]] = value
    b.draft.data["eligibility"] = {**b.draft.data.get("eligibility", {}), **elig}


def _sponsor(b: _Builder) -> None:
    s = b.sections
    sponsor: dict[str, Any] = {}
    if s.lead_sponsor is not None:
        sponsor["lead"] = s.lead_sponsor.text
        b.draft.spans["sponsor.lead"] = s.lead_sponsor.span
    if s.lead_class is not None:
        try:
            read_class = _enum(AgencyClass, "sponsor.lead_class")
            sponsor["lead_class"] = read_class(s.lead_class.text)
            b.mark("sponsor.lead_class", s.lead_class.span, read_class)
        except MappingError as exc:
            b.draft.unmapped.append({"path": "sponsor.lead_class", "value": s.lead_class.text, "reason": str(exc)})
    if s.collaborators:
        sponsor["collaborators"] = [c.text for c in s.collaborators]
        for i, c in enumerate(s.collaborators):
            b.draft.spans[f"sponsor.collaborators[{i}]"] = c.span
    if sponsor:
        b.draft.data["sponsor"] = sponsor


def _locations(b: _Builder) -> None:
    locations = []
    for index, entry in enumerate(b.sections.locations):
        item: dict[str, Any] = {}
        for key in ("facility", "city", "state", "country"):
            value = getattr(entry, key)
            if value is not None:
                item[key] = value.text
                b.draft.spans[f"locations[{index}].{key}"] = value.span
        if entry.status is not None:
            with contextlib.suppress(MappingError):
                read_site_status = _enum(RecruitmentStatus, "locations.status")
                item["status"] = read_site_status(entry.status.text)
                b.mark(f"locations[{index}].status", entry.status.span, read_site_status)
        locations.append(item)
    if locations:
        b.draft.data["locations"] = locations


__all__ = ["STRATEGY", "PageDraft", "extract_page"]
