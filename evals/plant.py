"""Plant one known defect into real structured records; keep the unmodified record as its control.

    python evals/plant.py            # (re)write evals/fixtures/defects/
    python evals/plant.py --check    # exit 1 if a fixture on disk differs from a fresh plant

Each defect is a small edit of a real record in its own format (CT.gov v2 JSON or legacy XML,
from ../shared/records), made on the source file so extraction and checking run on it exactly
as on any input. A defect fixture `<NCT>-<defect>` must raise its rule (at a path where one is
known); its control `<NCT>-<defect>-control`, the same record unmodified, must not raise it.
Gold records are the structured mapping of the fixture's own source (defect included: gold is
what the record says, and finding the defect is the checker's job).

Records are chosen by what the defect needs (two arms, a double-blind title, a numbered list,
...), first in a fixed hash order, each record used once. Controls whose real record already
shows the defect were read and left out by hand (`EXCLUDED`, with the reason), so a control
never asks the checker to stay silent about a real defect.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import orjson  # noqa: E402
from lxml import etree  # noqa: E402

from extract.load.detect import records_from_bytes  # noqa: E402
from extract.model import TrialRecord  # noqa: E402
from extract.normalize import MONTHS  # noqa: E402
from extract.pipeline import extract_structured  # noqa: E402
from extract.score.fixtures import Gold, gold_json, sync_fixture_set  # noqa: E402

RECORDS = REPO.parent / "shared" / "records"
OUT = REPO / "evals" / "fixtures" / "defects"
MAX_BYTES = 20_000_000

# Real records left out as controls for a defect because, read by a person, they already show it.
EXCLUDED: dict[tuple[str, str], str] = {}


# --- one editable source record in either format --------------------------------------------------


class Source:
    """A source record's payload plus the edits the defects need, in its own vocabulary."""

    suffix = ""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def to_bytes(self) -> bytes:
        raise NotImplementedError

    def record(self) -> TrialRecord:
        data = self.to_bytes()
        (source,) = list(records_from_bytes(data, f"source{self.suffix}", max_bytes=MAX_BYTES))
        row = extract_structured(source)
        if row.record is None:
            raise ValueError(f"{self.origin}: {row.error}")
        return row.record

    def copy(self) -> Source:
        return copy.deepcopy(self)

    # edits (each returns None)
    def set_criteria(self, text: str) -> None: ...
    def set_arm_type(self, index: int, arm_type: str) -> None: ...
    def set_date(self, kind: str, date: dict[str, Any] | None) -> None: ...
    def set_masking_none(self) -> None: ...
    def remove_why_stopped(self) -> None: ...
    def set_allocation(self, value: str) -> None: ...
    def set_model(self, value: str) -> None: ...
    def set_outcome(self, index: int, *, measure: str | None = None, time_frame: str | None = "") -> None: ...
    def set_sex(self, value: str) -> None: ...
    def set_minimum_age(self, value: str) -> None: ...
    def set_enrollment_type(self, value: str) -> None: ...
    def set_enrollment_count(self, value: int) -> None: ...
    def unlink_arm(self, label: str) -> None: ...
    def set_phases(self, phases: list[str]) -> None: ...
    def set_masking(self, level: str, roles: list[str]) -> None: ...


class V2Source(Source):
    suffix = ".json"

    def __init__(self, origin: str, study: dict[str, Any]) -> None:
        super().__init__(origin)
        self.study = study

    @property
    def p(self) -> dict[str, Any]:
        return self.study["protocolSection"]

    def _module(self, name: str) -> dict[str, Any]:
        return self.p.setdefault(name, {})

    def to_bytes(self) -> bytes:
        return orjson.dumps(self.study, option=orjson.OPT_INDENT_2) + b"\n"

    def set_criteria(self, text: str) -> None:
        self._module("eligibilityModule")["eligibilityCriteria"] = text

    def set_arm_type(self, index: int, arm_type: str) -> None:
        self._module("armsInterventionsModule")["armGroups"][index]["type"] = arm_type

    def set_date(self, kind: str, date: dict[str, Any] | None) -> None:
        key = {
            "start_date": "startDateStruct",
            "primary_completion_date": "primaryCompletionDateStruct",
            "completion_date": "completionDateStruct",
        }[kind]
        status = self._module("statusModule")
        if date is None:
            status.pop(key, None)
        else:
            status[key] = {k: v for k, v in date.items() if v is not None}

    def set_masking_none(self) -> None:
        self._module("designModule").setdefault("designInfo", {})["maskingInfo"] = {"masking": "NONE"}

    def remove_why_stopped(self) -> None:
        self._module("statusModule").pop("whyStopped", None)

    def set_allocation(self, value: str) -> None:
        self._module("designModule").setdefault("designInfo", {})["allocation"] = value

    def set_model(self, value: str) -> None:
        self._module("designModule").setdefault("designInfo", {})["interventionModel"] = value

    def set_outcome(self, index: int, *, measure: str | None = None, time_frame: str | None = "") -> None:
        outcome = self._module("outcomesModule")["primaryOutcomes"][index]
        if measure is not None:
            outcome["measure"] = measure
        if time_frame is None:
            outcome.pop("timeFrame", None)
        elif time_frame:
            outcome["timeFrame"] = time_frame

    def set_sex(self, value: str) -> None:
        self._module("eligibilityModule")["sex"] = value

    def set_minimum_age(self, value: str) -> None:
        self._module("eligibilityModule")["minimumAge"] = value

    def set_enrollment_type(self, value: str) -> None:
        self._module("designModule")["enrollmentInfo"]["type"] = value

    def set_enrollment_count(self, value: int) -> None:
        self._module("designModule")["enrollmentInfo"]["count"] = value

    def set_phases(self, phases: list[str]) -> None:
        self._module("designModule")["phases"] = phases

    def set_masking(self, level: str, roles: list[str]) -> None:
        info = {"masking": level, **({"whoMasked": roles} if roles else {})}
        self._module("designModule").setdefault("designInfo", {})["maskingInfo"] = info

    def unlink_arm(self, label: str) -> None:
        arms = self._module("armsInterventionsModule")
        for arm in arms.get("armGroups", []):
            if arm["label"] == label:
                arm.pop("interventionNames", None)
        for intervention in arms.get("interventions", []):
            labels = [x for x in intervention.get("armGroupLabels", []) if x != label]
            intervention["armGroupLabels"] = labels


class XMLSource(Source):
    suffix = ".xml"
    _DATE_TYPES: ClassVar[dict[str, str]] = {"ACTUAL": "Actual", "ESTIMATED": "Anticipated"}
    _ARM_TYPES: ClassVar[dict[str, str]] = {"PLACEBO_COMPARATOR": "Placebo Comparator", "EXPERIMENTAL": "Experimental"}
    _WORDS: ClassVar[dict[str, str]] = {
        "RANDOMIZED": "Randomized",
        "NON_RANDOMIZED": "Non-Randomized",
        "SINGLE_GROUP": "Single Group Assignment",
        "PARALLEL": "Parallel Assignment",
        "ALL": "All",
        "FEMALE": "Female",
        "MALE": "Male",
        "ESTIMATED": "Anticipated",
        "ACTUAL": "Actual",
    }

    def __init__(self, origin: str, root: etree._Element) -> None:
        super().__init__(origin)
        self.root = root

    def to_bytes(self) -> bytes:
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8") + b"\n"

    def _text(self, path: str, value: str) -> None:
        node = self.root.find(path)
        if node is None:
            parent_path, _, tag = path.rpartition("/")
            parent = self.root.find(parent_path) if parent_path else self.root
            assert parent is not None, path
            node = etree.SubElement(parent, tag)
        node.text = value

    def set_criteria(self, text: str) -> None:
        self._text("eligibility/criteria/textblock", "\n" + text + "\n")

    def set_arm_type(self, index: int, arm_type: str) -> None:
        arm = self.root.findall("arm_group")[index]
        self._set_child(arm, "arm_group_type", self._ARM_TYPES[arm_type])

    @staticmethod
    def _set_child(parent: etree._Element, tag: str, value: str) -> None:
        node = parent.find(tag)
        if node is None:
            node = etree.SubElement(parent, tag)
        node.text = value

    def set_date(self, kind: str, date: dict[str, Any] | None) -> None:
        node = self.root.find(kind)
        if date is None:
            if node is not None:
                self.root.remove(node)
            return
        assert node is not None, kind
        year, month, *day = date["date"].split("-")
        months = MONTHS
        node.text = f"{months[int(month) - 1]} {int(day[0])}, {year}" if day else f"{months[int(month) - 1]} {year}"
        if date.get("type"):
            node.set("type", self._DATE_TYPES[date["type"]])
        elif "type" in node.attrib:
            del node.attrib["type"]

    def set_masking_none(self) -> None:
        self._text("study_design_info/masking", "None (Open Label)")

    def remove_why_stopped(self) -> None:
        node = self.root.find("why_stopped")
        if node is not None:
            self.root.remove(node)

    def set_allocation(self, value: str) -> None:
        self._text("study_design_info/allocation", self._WORDS[value])

    def set_model(self, value: str) -> None:
        self._text("study_design_info/intervention_model", self._WORDS[value])

    def set_outcome(self, index: int, *, measure: str | None = None, time_frame: str | None = "") -> None:
        outcome = self.root.findall("primary_outcome")[index]
        if measure is not None:
            self._set_child(outcome, "measure", measure)
        if time_frame is None:
            node = outcome.find("time_frame")
            if node is not None:
                outcome.remove(node)
        elif time_frame:
            self._set_child(outcome, "time_frame", time_frame)

    def set_sex(self, value: str) -> None:
        self._text("eligibility/gender", self._WORDS[value])

    def set_minimum_age(self, value: str) -> None:
        self._text("eligibility/minimum_age", value)

    def set_enrollment_type(self, value: str) -> None:
        node = self.root.find("enrollment")
        assert node is not None
        node.set("type", self._WORDS[value])

    def set_enrollment_count(self, value: int) -> None:
        node = self.root.find("enrollment")
        assert node is not None
        node.text = str(value)

    def set_phases(self, phases: list[str]) -> None:
        self._text("phase", "/".join(p.replace("PHASE", "Phase ") for p in phases))

    def set_masking(self, level: str, roles: list[str]) -> None:
        names = ", ".join(r.replace("_", " ").title() for r in roles)
        self._text("study_design_info/masking", f"{level.title()} ({names})" if names else level.title())

    def unlink_arm(self, label: str) -> None:
        for intervention in self.root.findall("intervention"):
            for node in intervention.findall("arm_group_label"):
                if " ".join((node.text or "").split()) == label:
                    intervention.remove(node)


def load_sources(records: Path) -> list[Source]:
    sources: dict[str, Source] = {}
    for folder, make in (("ctgov-v2", _v2), ("ctgov-xml", _xml)):
        for path in sorted((records / folder).iterdir()):
            origin = f"../shared/records/{folder}/{path.name}"
            try:
                source = make(origin, path.read_bytes())
                record = source.record()
            except (ValueError, etree.XMLSyntaxError, orjson.JSONDecodeError, KeyError, TypeError):
                continue
            if record.nct_id and record.nct_id not in sources:
                sources[record.nct_id] = source
    return [sources[k] for k in sorted(sources, key=lambda n: hashlib.sha256(f"plant:{n}".encode()).hexdigest())]


def _v2(origin: str, data: bytes) -> Source:
    value = orjson.loads(data)
    if not isinstance(value, dict) or "protocolSection" not in value:
        raise ValueError("not one v2 study")
    return V2Source(origin, value)


def _xml(origin: str, data: bytes) -> Source:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return XMLSource(origin, etree.fromstring(data, parser))


# --- criteria text edits (on the record's criteria text, with the splitter's item spans) ----------


def _line_range(text: str, start: int, end: int) -> tuple[int, int]:
    """The whole lines covering [start, end), with the newline after them."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    return first, (len(text) if last < 0 else last + 1)


def _item_lines(text: str, item: Any) -> tuple[int, int]:
    assert item.span is not None
    return _line_range(text, item.span.start, item.span.end)


# --- the defects ----------------------------------------------------------------------------------

ENTRY_WORDS = re.compile(r"\b(informed consent|consent form|willing|able to comply|agree to use|contracepti)", re.I)
DOUBLE_BLIND = re.compile(r"double[- ]blind", re.I)


@dataclass(frozen=True)
class Planted:
    note: str  # what was changed, for the fixture's source.note
    path: str | None  # where the rule must point (None: the rule anywhere)


@dataclass(frozen=True)
class Defect:
    name: str
    rule: str
    applies: Callable[[TrialRecord], bool]
    plant: Callable[[Source, TrialRecord], Planted]
    count: int = 1


def _move_inclusion_item(src: Source, rec: TrialRecord) -> Planted:
    text = rec.eligibility.criteria_text or ""
    index = next(
        i for i, item in enumerate(rec.eligibility.inclusion) if ENTRY_WORDS.search(item.text) and item.level == 0
    )
    item = rec.eligibility.inclusion[index]
    start, end = _item_lines(text, item)
    moved = text[start:end].rstrip("\n") + "\n"
    header = next(h for h in rec.eligibility.headers if h.kind == "exclusion")
    assert header.span is not None
    cut = text[:start] + text[end:]
    header_end = cut.find("\n", cut.find(header.text, header.span.start - (end - start)))
    header_end = len(cut) if header_end < 0 else header_end + 1
    if cut[header_end : header_end + 1] == "\n":  # keep the blank line under the header, and one after the item
        header_end += 1
        moved += "\n"
    src.set_criteria(cut[:header_end] + moved + cut[header_end:])
    return Planted(
        f"inclusion item {index + 1} ({item.text[:60]!r}) moved to the top of the exclusion list",
        "eligibility.exclusion[0]",
    )


def _has_entry_item(rec: TrialRecord) -> bool:
    return (
        any(ENTRY_WORDS.search(i.text) and i.level == 0 for i in rec.eligibility.inclusion)
        and len(rec.eligibility.inclusion) >= 3
        and len(rec.eligibility.exclusion) >= 2
        and {h.kind for h in rec.eligibility.headers} == {"inclusion", "exclusion"}
        and all(i.span is not None for i in rec.eligibility.inclusion)
        and not any(ENTRY_WORDS.search(i.text) for i in rec.eligibility.exclusion)
    )


def _placebo_label_applies(rec: TrialRecord) -> bool:
    types = [a.type for a in rec.arms]
    text = " ".join([rec.brief_title or "", rec.official_title or "", *(a.label for a in rec.arms)]).lower()
    return (
        len(rec.arms) >= 2
        and "EXPERIMENTAL" in types
        and "ACTIVE_COMPARATOR" in types
        and "placebo" not in text
        and "sham" not in text
        and all(a.intervention_names for a in rec.arms)
        and not any(re.search(r"placebo|sham|dummy|vehicle", n, re.I) for a in rec.arms for n in a.intervention_names)
        and rec.design.masking not in (None, "NONE")
    )


def _relabel_placebo(src: Source, rec: TrialRecord) -> Planted:
    index = next(i for i, a in enumerate(rec.arms) if a.type == "ACTIVE_COMPARATOR")
    src.set_arm_type(index, "PLACEBO_COMPARATOR")
    return Planted(
        f"arm {rec.arms[index].label!r} relabelled PLACEBO_COMPARATOR; it keeps "
        f"{', '.join(rec.arms[index].intervention_names)}",
        f"arms[{index}]",
    )


def _dates_applies(rec: TrialRecord) -> bool:
    start, end = rec.start_date, rec.completion_date
    return bool(start and end and start.date < end.date and rec.primary_completion_date)


def _swap_dates(src: Source, rec: TrialRecord) -> Planted:
    assert rec.start_date and rec.completion_date
    src.set_date("start_date", rec.completion_date.model_dump(mode="json"))
    src.set_date("completion_date", rec.start_date.model_dump(mode="json"))
    return Planted(f"start date ({rec.start_date.date}) and completion date ({rec.completion_date.date}) swapped", None)


def _masking_applies(rec: TrialRecord) -> bool:
    return bool(DOUBLE_BLIND.search(f"{rec.brief_title} {rec.official_title}")) and rec.design.masking in (
        "DOUBLE",
        "TRIPLE",
        "QUADRUPLE",
    )


def _masking_none(src: Source, rec: TrialRecord) -> Planted:
    src.set_masking_none()
    return Planted(
        f"masking {rec.design.masking} set to NONE (roles removed) under a double-blind title", "design.masking"
    )


def _sublist_applies(rec: TrialRecord) -> bool:
    return _sublist_item(rec) is not None


def _sublist_item(rec: TrialRecord) -> tuple[str, int, list[int]] | None:
    for kind in ("inclusion", "exclusion"):
        items = getattr(rec.eligibility, kind)
        for i, item in enumerate(items[:-1]):
            following = []
            for j in range(i + 1, len(items)):
                if items[j].level <= item.level:
                    break
                following.append(j)
            announces = item.text.rstrip().endswith(":") and len(item.text.split()) >= 4  # a sentence, not "Patients:"
            if announces and len(following) >= 2 and i + len(following) + 1 < len(items):
                return kind, i, following
    return None


def _delete_sublist(src: Source, rec: TrialRecord) -> Planted:
    found = _sublist_item(rec)
    assert found is not None
    kind, index, subs = found
    text = rec.eligibility.criteria_text or ""
    items = getattr(rec.eligibility, kind)
    start = _item_lines(text, items[subs[0]])[0]
    end = _item_lines(text, items[subs[-1]])[1]
    src.set_criteria(text[:start] + text[end:])
    return Planted(
        f"the {len(subs)} sub-items after {kind} item {index + 1} ({items[index].text[-50:]!r}) deleted",
        f"eligibility.{kind}[{index}]",
    )


def _completed_applies(rec: TrialRecord) -> bool:
    return rec.overall_status == "COMPLETED" and bool(rec.completion_date and rec.completion_date.type == "ACTUAL")


def _completed_estimated(src: Source, rec: TrialRecord) -> Planted:
    assert rec.completion_date
    src.set_date("completion_date", {"date": rec.completion_date.date, "type": "ESTIMATED"})
    return Planted("completion date of a COMPLETED study retyped ESTIMATED", None)


def _stopped_applies(rec: TrialRecord) -> bool:
    return rec.overall_status in ("TERMINATED", "WITHDRAWN", "SUSPENDED") and bool(rec.why_stopped)


def _remove_why_stopped(src: Source, rec: TrialRecord) -> Planted:
    src.remove_why_stopped()
    return Planted(f"why_stopped ({rec.why_stopped!r}) removed from a {rec.overall_status} study", None)


def _single_arm_applies(rec: TrialRecord) -> bool:
    return (
        len(rec.arms) == 1 and rec.design.intervention_model == "SINGLE_GROUP" and rec.design.allocation in (None, "NA")
    )


def _randomize_single_arm(src: Source, rec: TrialRecord) -> Planted:
    src.set_allocation("RANDOMIZED")
    return Planted("allocation of a one-arm SINGLE_GROUP study set to RANDOMIZED", "design.allocation")


def _multi_arm_applies(rec: TrialRecord) -> bool:
    return len(rec.arms) >= 2 and rec.design.intervention_model == "PARALLEL"


def _single_group(src: Source, rec: TrialRecord) -> Planted:
    src.set_model("SINGLE_GROUP")
    return Planted(
        f"intervention model PARALLEL set to SINGLE_GROUP in a study with {len(rec.arms)} arms",
        "design.intervention_model",
    )


def _outcome_applies(rec: TrialRecord) -> bool:
    primary = rec.outcomes.primary
    return bool(primary) and all(o.time_frame for o in primary) and len(primary[0].measure.split()) >= 3


def _vague_measure(src: Source, rec: TrialRecord) -> Planted:
    src.set_outcome(0, measure="Safety")
    return Planted(
        f"primary outcome measure {rec.outcomes.primary[0].measure!r} replaced by 'Safety'", "outcomes.primary[0]"
    )


def _drop_time_frame(src: Source, rec: TrialRecord) -> Planted:
    src.set_outcome(0, time_frame=None)
    return Planted(f"time frame of primary outcome {rec.outcomes.primary[0].measure!r} removed", "outcomes.primary[0]")


def _one_arm_outcome_applies(rec: TrialRecord) -> bool:
    return (
        _single_arm_applies(rec)
        and _outcome_applies(rec)
        and not any(
            re.search(r"randomi[sz]", f"{o.time_frame} {o.description}", re.I)
            for o in rec.outcomes.primary + rec.outcomes.secondary
        )
    )


def _from_randomization(src: Source, rec: TrialRecord) -> Planted:
    src.set_outcome(0, time_frame=f"From randomization to {rec.outcomes.primary[0].time_frame}")
    return Planted(
        "primary outcome time frame rewritten 'From randomization to ...' in a one-arm study", "outcomes.primary[0]"
    )


def _duplicate_applies(rec: TrialRecord) -> bool:
    exclusion = rec.eligibility.exclusion
    return (
        len(exclusion) >= 3
        and all(i.level == 0 and i.span for i in exclusion)
        and exclusion[-1].label in ("*", "-", "•")
        and len({i.text for i in exclusion}) == len(exclusion)
    )


def _duplicate_item(src: Source, rec: TrialRecord) -> Planted:
    text = rec.eligibility.criteria_text or ""
    first = rec.eligibility.exclusion[0]
    start, end = _item_lines(text, first)
    copied = text[start:end].rstrip("\n")
    src.set_criteria(text.rstrip("\n") + "\n" + copied)
    return Planted(f"exclusion item 1 ({first.text[:60]!r}) repeated at the end of the exclusion list", None)


def _two_sections_applies(rec: TrialRecord) -> bool:
    headers = rec.eligibility.headers
    return (
        [h.kind for h in headers] == ["inclusion", "exclusion"]
        and len(rec.eligibility.exclusion) >= 1
        and all(h.span for h in headers)
    )


def _drop_exclusion(src: Source, rec: TrialRecord) -> Planted:
    text = rec.eligibility.criteria_text or ""
    header = rec.eligibility.headers[1]
    assert header.span is not None
    src.set_criteria(text[: _line_range(text, header.span.start, header.span.end)[0]].rstrip())
    return Planted("the exclusion header and every exclusion item deleted", None)


def _numbered_applies(rec: TrialRecord) -> bool:
    inclusion = rec.eligibility.inclusion
    labels = [i.label for i in inclusion if i.level == 0]
    numbers = [int(m[1]) for label in labels if (m := re.fullmatch(r"(\d+)[.)]", label))]
    return len(numbers) >= 4 and len(numbers) == len(labels) and numbers == list(range(1, len(numbers) + 1))


def _skip_number(src: Source, rec: TrialRecord) -> Planted:
    text = rec.eligibility.criteria_text or ""
    top = [i for i in rec.eligibility.inclusion if i.level == 0]
    gone = top[2]
    start, end = _item_lines(text, gone)
    src.set_criteria(text[:start] + text[end:])
    return Planted(
        f"inclusion item {gone.label} deleted with its number, so the list skips from {top[1].label} to {top[3].label}",
        None,
    )


def _female_applies(rec: TrialRecord) -> bool:
    words = " ".join(i.text for i in rec.eligibility.inclusion).lower()
    return rec.eligibility.sex == "FEMALE" and bool(re.search(r"\b(women|female|postmenopausal|pregnant)\b", words))


def _sex_all(src: Source, rec: TrialRecord) -> Planted:
    src.set_sex("MALE")
    return Planted("sex FEMALE set to MALE in a study whose inclusion criteria admit women", "eligibility.sex")


def _age_applies(rec: TrialRecord) -> bool:
    age = rec.eligibility.minimum_age
    if age is None or age.unit != "YEARS" or not isinstance(age.value, int):
        return False
    pattern = rf"\b(?:aged?|older than|at least|over|≥|>=)\s*(?:of\s*)?{age.value}\b|\b{age.value}\s*(?:years|yrs)"
    return any(re.search(pattern, i.text, re.I) for i in rec.eligibility.inclusion)


def _shift_age(src: Source, rec: TrialRecord) -> Planted:
    age = rec.eligibility.minimum_age
    assert age is not None
    new = int(age.value) + 12
    src.set_minimum_age(f"{new} Years")
    return Planted(
        f"minimum age {age.text} set to {new} Years while the criteria still state {age.value}",
        "eligibility.minimum_age",
    )


def _enrollment_applies(rec: TrialRecord) -> bool:
    return rec.overall_status == "COMPLETED" and bool(rec.enrollment and rec.enrollment.type == "ACTUAL")


def _enrollment_estimated(src: Source, rec: TrialRecord) -> Planted:
    src.set_enrollment_type("ESTIMATED")
    return Planted("enrollment of a COMPLETED study retyped ESTIMATED", None)


def _enrollment_zero(src: Source, rec: TrialRecord) -> Planted:
    assert rec.enrollment is not None
    src.set_enrollment_count(0)
    return Planted(f"enrollment of a COMPLETED study ({rec.enrollment.count}, ACTUAL) set to 0", None)


def _untimed_frame(src: Source, rec: TrialRecord) -> Planted:
    src.set_outcome(0, time_frame="Through study completion")
    return Planted(
        f"time frame of primary outcome {rec.outcomes.primary[0].measure!r} replaced by 'Through study completion'",
        "outcomes.primary[0].time_frame",
    )


def _unlink_applies(rec: TrialRecord) -> bool:
    return (
        rec.study_type == "INTERVENTIONAL"
        and len(rec.arms) >= 2
        and all(a.intervention_names and a.type != "NO_INTERVENTION" for a in rec.arms)
        and len(rec.interventions) >= 2
    )


def _unlink_arm(src: Source, rec: TrialRecord) -> Planted:
    arm = rec.arms[-1]
    src.unlink_arm(arm.label)
    return Planted(f"arm {arm.label!r} unlinked from its interventions on both sides", f"arms[{len(rec.arms) - 1}]")


EXCLUSION_WORDS = re.compile(r"\b(pregnan\w*|breast-?feeding|lactating|allerg\w*|hypersensitivity)\b", re.I)
TITLE_PHASE = re.compile(r"\bphase\s*(1|2|3|4|i{1,3}|iv)\b(?![/-])", re.I)


def _exclusion_item_applies(rec: TrialRecord) -> bool:
    return (
        len(rec.eligibility.inclusion) >= 3
        and len(rec.eligibility.exclusion) >= 3
        and [h.kind for h in rec.eligibility.headers] == ["inclusion", "exclusion"]
        and all(i.span for i in rec.eligibility.exclusion + rec.eligibility.inclusion)
        and any(
            EXCLUSION_WORDS.search(i.text) and i.level == 0 and len(i.text) < 200 for i in rec.eligibility.exclusion
        )
        and not any(EXCLUSION_WORDS.search(i.text) for i in rec.eligibility.inclusion)
    )


def _move_exclusion_item(src: Source, rec: TrialRecord) -> Planted:
    text = rec.eligibility.criteria_text or ""
    index = next(
        i
        for i, item in enumerate(rec.eligibility.exclusion)
        if EXCLUSION_WORDS.search(item.text) and item.level == 0 and len(item.text) < 200
    )
    item = rec.eligibility.exclusion[index]
    start, end = _item_lines(text, item)
    moved = text[start:end].rstrip("\n") + "\n"
    cut = text[:start] + text[end:]
    first = rec.eligibility.inclusion[0]
    assert first.span is not None
    at = _line_range(cut, first.span.start, first.span.start)[
        0
    ]  # the first inclusion item's line, unchanged by the cut
    src.set_criteria(cut[:at] + moved + cut[at:])
    return Planted(
        f"exclusion item {index + 1} ({item.text[:60]!r}) moved to the top of the inclusion list",
        "eligibility.inclusion[0]",
    )


def _randomized_title_applies(rec: TrialRecord) -> bool:
    title = f"{rec.brief_title} {rec.official_title}"
    return (
        rec.design.allocation == "RANDOMIZED"
        and bool(re.search(r"(?<!non-)(?<!non )\brandomi[sz]ed\b", title, re.I))
        and not re.search(r"non-?\s?randomi", title, re.I)
    )


def _non_randomized(src: Source, rec: TrialRecord) -> Planted:
    src.set_allocation("NON_RANDOMIZED")
    return Planted(
        "allocation RANDOMIZED set to NON_RANDOMIZED under a title that says randomized", "design.allocation"
    )


def _phase_title_applies(rec: TrialRecord) -> bool:
    titles = f"{rec.brief_title} {rec.official_title}"
    found = {m.group(1).lower() for m in TITLE_PHASE.finditer(titles)}
    return len(found) == 1 and len(rec.phases) == 1 and rec.phases[0] in ("PHASE1", "PHASE2", "PHASE3", "PHASE4")


def _other_phase(src: Source, rec: TrialRecord) -> Planted:
    new = "PHASE4" if rec.phases[0] != "PHASE4" else "PHASE2"
    src.set_phases([new])
    return Planted(f"phases {rec.phases[0]} set to {new} while the title keeps its phase", "phases")


def _future_applies(rec: TrialRecord) -> bool:
    end = rec.completion_date
    return bool(end and end.type == "ESTIMATED" and rec.last_update_date and end.date > rec.last_update_date)


def _actual_future(src: Source, rec: TrialRecord) -> Planted:
    assert rec.completion_date
    src.set_date("completion_date", {"date": rec.completion_date.date, "type": "ACTUAL"})
    return Planted(f"completion date {rec.completion_date.date}, after the last update, retyped ACTUAL", None)


def _placebo_masked_applies(rec: TrialRecord) -> bool:
    blinded_words = re.search(r"blind|mask", f"{rec.brief_title} {rec.official_title} {rec.brief_summary}", re.I)
    return (
        any(a.type == "PLACEBO_COMPARATOR" for a in rec.arms)
        and rec.design.masking in ("DOUBLE", "TRIPLE", "QUADRUPLE")
        and not blinded_words
    )


def _open_label(src: Source, rec: TrialRecord) -> Planted:
    src.set_masking_none()
    return Planted(f"masking {rec.design.masking} of a placebo-controlled study set to NONE", "design.masking")


def _roles_applies(rec: TrialRecord) -> bool:
    return rec.design.masking in ("TRIPLE", "QUADRUPLE") and len(rec.design.who_masked) >= 3


def _wrong_level(src: Source, rec: TrialRecord) -> Planted:
    src.set_masking("SINGLE", [r.value for r in rec.design.who_masked])
    return Planted(
        f"masking {rec.design.masking} set to SINGLE, keeping its {len(rec.design.who_masked)} masked roles",
        "design.masking",
    )


def _one_arm_parallel_applies(rec: TrialRecord) -> bool:
    return len(rec.arms) == 1 and rec.design.intervention_model == "SINGLE_GROUP"


def _parallel(src: Source, rec: TrialRecord) -> Planted:
    src.set_model("PARALLEL")
    return Planted("intervention model SINGLE_GROUP of a one-arm study set to PARALLEL", "design.intervention_model")


DEFECTS: tuple[Defect, ...] = (
    Defect(
        "inclusion-in-exclusion", "eligibility.inclusion_item_in_exclusion", _has_entry_item, _move_inclusion_item, 2
    ),
    Defect("placebo-relabel", "arms.placebo_arm_gets_active_drug", _placebo_label_applies, _relabel_placebo, 2),
    Defect("dates-swapped", "dates.order", _dates_applies, _swap_dates, 2),
    Defect("masking-none-double-blind", "design.masking_vs_text", _masking_applies, _masking_none, 2),
    Defect("sublist-deleted", "eligibility.dangling_sublist", _sublist_applies, _delete_sublist, 2),
    Defect("completed-estimated-date", "dates.status_vs_dates", _completed_applies, _completed_estimated),
    Defect("why-stopped-removed", "status.why_stopped_missing", _stopped_applies, _remove_why_stopped),
    Defect("randomized-single-arm", "design.randomized_single_arm", _single_arm_applies, _randomize_single_arm),
    Defect("single-group-many-arms", "design.single_group_multiple_arms", _multi_arm_applies, _single_group),
    Defect("vague-measure", "outcomes.vague_measure", _outcome_applies, _vague_measure),
    Defect("time-frame-removed", "outcomes.missing_time_frame", _outcome_applies, _drop_time_frame),
    Defect(
        "randomization-one-arm", "outcomes.randomization_in_single_arm", _one_arm_outcome_applies, _from_randomization
    ),
    Defect("duplicate-criterion", "eligibility.duplicate_item", _duplicate_applies, _duplicate_item),
    Defect("exclusion-section-deleted", "eligibility.missing_section", _two_sections_applies, _drop_exclusion),
    Defect("numbering-gap", "eligibility.numbering", _numbered_applies, _skip_number),
    Defect("sex-mismatch", "eligibility.sex_mismatch", _female_applies, _sex_all),
    Defect("age-mismatch", "eligibility.age_mismatch", _age_applies, _shift_age),
    Defect("completed-estimated-enrollment", "enrollment.type_vs_status", _enrollment_applies, _enrollment_estimated),
    Defect("arm-unlinked", "arms.arm_without_intervention", _unlink_applies, _unlink_arm),
    Defect(
        "exclusion-in-inclusion",
        "eligibility.exclusion_item_in_inclusion",
        _exclusion_item_applies,
        _move_exclusion_item,
    ),
    Defect("non-randomized-title", "design.allocation_vs_title", _randomized_title_applies, _non_randomized),
    Defect("phase-vs-title", "design.phase_vs_title", _phase_title_applies, _other_phase),
    Defect("actual-future-date", "dates.actual_in_future", _future_applies, _actual_future),
    Defect("placebo-open-label", "design.placebo_in_open_label", _placebo_masked_applies, _open_label),
    Defect("masking-roles", "design.masking_roles_count", _roles_applies, _wrong_level),
    Defect("one-arm-parallel", "design.multi_arm_model_with_one_arm", _one_arm_parallel_applies, _parallel),
    Defect("completed-enrollment-zero", "enrollment.finished_with_none", _enrollment_applies, _enrollment_zero),
    Defect("untimed-time-frame", "outcomes.untimed_time_frame", _outcome_applies, _untimed_frame),
)


def plant_all(sources: list[Source]) -> list[tuple[str, Source, Gold]]:
    """(folder name, source, gold) for every defect fixture and its control."""
    out: list[tuple[str, Source, Gold]] = []
    used: set[str] = set()
    records = [(src, src.record()) for src in sources]
    for defect in DEFECTS:
        taken = 0
        for src, rec in records:
            if taken == defect.count:
                break
            nct = rec.nct_id or ""
            if nct in used or (nct, defect.name) in EXCLUDED or not defect.applies(rec):
                continue
            planted_src = src.copy()
            planted = defect.plant(planted_src, rec)
            planted_rec = planted_src.record()
            used.add(nct)
            taken += 1
            must = {"rule": defect.rule, **({"path": planted.path} if planted.path else {})}
            out.append(
                (
                    f"{nct}-{defect.name}",
                    planted_src,
                    _gold(
                        nct,
                        planted_src,
                        planted_rec,
                        f"defect planted by evals/plant.py: {planted.note}",
                        {"must_raise": [must], "must_not_raise": []},
                    ),
                )
            )
            out.append(
                (
                    f"{nct}-{defect.name}-control",
                    src,
                    _gold(
                        nct,
                        src,
                        rec,
                        f"unmodified control for the {defect.name} defect",
                        {"must_raise": [], "must_not_raise": [defect.rule]},
                    ),
                )
            )
        if taken < defect.count:
            print(f"warning: only {taken} record(s) for defect {defect.name}", file=sys.stderr)
    return out


def _gold(nct: str, src: Source, record: TrialRecord, note: str, findings: dict[str, Any]) -> Gold:
    return Gold.model_validate(
        {
            "id": nct,
            "set": "defects",
            "source": {"file": f"source{src.suffix}", "origin": src.origin, "note": note},
            "record": record.model_dump(mode="json"),
            "findings": findings,
            "judgement_calls": [],
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=Path, default=RECORDS)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="compare with the fixtures on disk; write nothing")
    args = parser.parse_args(argv)
    fixtures = plant_all(load_sources(args.records))
    folders = {
        name: {f"source{src.suffix}": src.to_bytes(), "gold.json": gold_json(gold)} for name, src, gold in fixtures
    }
    code = sync_fixture_set(args.out, folders, check=args.check, made="planted")
    if args.check:
        return code
    print(f"planted {len(fixtures)} fixtures ({len(fixtures) // 2} defects and their controls) into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
