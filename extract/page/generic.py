"""Generic page extraction: discovered (label, value) pairs -> fields -> parsed values, each with its span.

Labels map to fields through the curated tables (extract/page/data) and the page layout's learned
map; a label in neither is one closed-set model question (at most `GenericPolicy.max_questions` per
page), answered once and kept in the learned map, so later pages of the layout ask nothing. Values
are parsed deterministically (extract.page.values); a spelling no table knows is one closed
question per spelling (kept in the map too) or is reported in `unmapped`.

Invariant: every value put into the draft carries the span of the page text it was read from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from extract.errors import MappingError
from extract.ground import Reader
from extract.model import Span
from extract.model.vocab import ArmType, InterventionType
from extract.normalize import to_bool, to_masking
from extract.page import questions
from extract.page.discover import Pair, discover, label_like, parse_line, table_cells
from extract.page.draft import Ledger, PageDraft
from extract.page.layouts import LayoutMap, LayoutStore
from extract.page.questions import Asker
from extract.page.tables import CODE, FIELDS, Tables, display_label, label_key, load_tables, spelling_key
from extract.page.values import (
    ENUMS,
    parse_age,
    parse_age_range,
    parse_count,
    parse_date,
    parse_design_prose,
    parse_enum,
    parse_masked_roles,
    parse_masking,
    parse_phases,
)
from extract.section.criteria import split_criteria
from extract.section.lines import Line, Located, split_lines

BLOCK_FIELDS = frozenset(
    {
        "criteria",
        "brief_summary",
        "detailed_description",
        "conditions",
        "interventions",
        "outcomes",
        "primary_outcomes",
        "secondary_outcomes",
    }
)
_NCT = re.compile(r"\bNCT\d{8}\b")
_FRAME = re.compile(r"^(?P<m>.+?)\s*\[\s*Time\s*frame\s*:\s*(?P<tf>[^\]]*?)\s*\]\s*$", re.I)
_MARKER = re.compile(r"^(?:\d+[.)]|[-*•])\s+")
_HEADER_WORDS = re.compile(
    r"\b(?:type|name|condition|outcome|measure|time\s*points?|time\s*frame|details?|description)\b", re.I
)
_TYPE_NAME = re.compile(r"^(?P<type>[A-Z][A-Za-z /]{1,30}?):\s+(?P<name>\S.*)$")


@dataclass(frozen=True)
class GenericPolicy:
    """How much the model may be asked per page, and which tables and learned maps answer first."""

    max_questions: int = 15
    # A page of a layout no map knows is asked about its unknown labels only when it has at least this
    # many (an unfamiliar layout); pages of a layout the model has answered for are always asked.
    min_unknown_to_ask: int = 3
    # Later pages of a layout the model has answered for: at most this many questions per page, the
    # sectioner's included (its questions on the layout's last page are reserved); label and spelling
    # questions past it are listed in `unmapped` and asked on a later page.
    max_questions_known_layout: int = 2
    tables: Tables | None = None  # None: the full curated tables


@dataclass
class GenericResult:
    draft: PageDraft
    layout: LayoutMap
    questions: int = 0
    labelled: set[str] = field(default_factory=set)  # fields found through a label


class LabelFieldAnswer(BaseModel):
    field: Literal[tuple(FIELDS)]  # type: ignore[valid-type]


async def ask_label(llm: Asker, ledger: Ledger, label: str, sample: str) -> str:
    answer = await questions.ask(
        llm, ledger, "label_field", LabelFieldAnswer, 24, label=label, sample=sample[:300], fields=list(FIELDS)
    )
    return str(answer.field)


async def ask_spelling(llm: Asker, ledger: Ledger, field_name: str, value: str) -> str | None:
    allowed = (*[m.value for m in ENUMS[field_name]], "none")
    model = create_model("SpellingAnswer", value=(Literal[allowed], Field(description="standard value")))
    answer = await questions.ask(
        llm, ledger, "value_spelling", model, 24, field=field_name, allowed=list(allowed), value=value[:200]
    )
    chosen = str(answer.value)  # type: ignore[attr-defined]
    return None if chosen == "none" else chosen


class _Draft:
    def __init__(self, text: str, ledger: Ledger) -> None:
        self.text = text
        self.draft = PageDraft(data={}, ledger=ledger)

    def put(self, path: str, value: Any, where: Located | Span | None) -> None:
        node = self.draft.data
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
        if where is not None:
            self.draft.spans[path] = where if isinstance(where, Span) else where.span

    def read(self, path: str, value: Any, where: Located | Span, reader: Reader) -> None:
        """`put` a coded value with the reader that read it from the text at `where` (grounding reads it again)."""
        self.put(path, value, where)
        self.draft.readers[path] = reader

    def has(self, path: str) -> bool:
        node: Any = self.draft.data
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return node not in (None, [], {})

    def unmapped(self, path: str, value: str, reason: str) -> None:
        self.draft.unmapped.append({"path": path, "value": value, "reason": reason})


def _label_kind(label: str) -> str | None:
    """ "Actual Study Start Date" -> ACTUAL: a date's or count's type, which its label states."""
    return label_key(label).kind


def _randomised(answer: str) -> str:
    """ "Randomised: Yes" -> RANDOMIZED, "No" -> NON_RANDOMIZED."""
    return {"yes": "RANDOMIZED", "no": "NON_RANDOMIZED"}[answer.strip().lower()]


def _healthy_volunteers(text: str) -> bool | None:
    return to_bool(text, "eligibility.healthy_volunteers")


def _prose_reader(key: str) -> Reader:
    """Reads design field `key` from the words of a design sentence that state it ("double-blind")."""
    return lambda words: parse_design_prose(words)[key][0]


def _joined(parts: list[Located], text: str) -> tuple[str, Span] | None:
    if not parts:
        return None
    return text[parts[0].start : parts[-1].end], Span(start=parts[0].start, end=parts[-1].end)


async def extract_generic(
    text: str,
    llm: Asker | None,
    ledger: Ledger,
    store: LayoutStore,
    policy: GenericPolicy = GenericPolicy(),
) -> GenericResult:
    tables = policy.tables or load_tables()
    raw_pairs = [p for p in (parse_line(line) for line in _lines(text)) if p is not None]
    keys = {
        label_key(p.label.text).key
        for p in raw_pairs
        if p.form != "alone" or label_key(p.label.text).key in tables.labels
    }
    layout = store.match(keys)
    layout.labels |= keys
    layout.pages += 1

    def field_of(label: str) -> str | None:
        key = label_key(label).key
        entry = layout.entries.get(key)
        if entry is not None and entry.get("source") == "user":
            return entry["field"]
        if key in tables.labels:
            return tables.labels[key]
        return entry["field"] if entry is not None else None

    lines, pairs = discover(text, lambda p: field_of(p.label.text) is not None)
    asked = 0
    budget = policy.max_questions
    if llm is not None:
        inside = _inside_blocks(pairs, field_of)
        candidates = _unknown_candidates(lines, inside, field_of)
        learned = any(e.get("source") == "model" for e in layout.entries.values())
        if not learned and len(candidates) < policy.min_unknown_to_ask:
            candidates = []
        if learned:
            budget = max(0, policy.max_questions_known_layout - layout.lead_questions)
        for candidate in candidates:
            if asked >= budget:
                break
            key = label_key(candidate.label.text).key
            if key in layout.entries:
                continue
            sample = " ".join(v.text for v in candidate.value_lines()[:3]) or _next_text(lines, candidate.line)
            answer = await ask_label(llm, ledger, display_label(candidate.label.text), sample)
            asked += 1
            layout.entries[key] = {"field": answer, "source": "model", "sample": sample[:120]}
        if asked:
            lines, pairs = discover(text, lambda p: field_of(p.label.text) is not None)
    result = GenericResult(draft=PageDraft(data={}, ledger=ledger), layout=layout)
    builder = _Draft(text, ledger)
    asked += await _build(builder, pairs, field_of, tables, layout, llm, ledger, result, budget - asked)
    store.save(layout)
    _unmapped_labels(builder, lines, pairs, field_of, tables, layout)
    result.draft = builder.draft
    result.questions = asked
    return result


def _unmapped_labels(
    b: _Draft, lines: list[Line], pairs: list[Pair], field_of: Any, tables: Tables, layout: LayoutMap
) -> None:
    """Every label that holds no record field goes into `unmapped`: those mapped to "ignore" (by the
    table, the model or a person) and those no map knows (not asked: outside an unfamiliar layout,
    or past the question budget)."""
    seen: set[str] = set()
    for pair in pairs:
        key = label_key(pair.label.text).key
        if field_of(pair.label.text) == "ignore" and key not in seen:
            seen.add(key)
            source = layout.entries.get(key, {}).get("source") or ("table" if key in tables.labels else "map")
            b.unmapped("(label)", pair.label.text, f"label holds no record field (decided by the {source})")
    for candidate in _unknown_candidates(lines, _inside_blocks(pairs, field_of), field_of):
        key = label_key(candidate.label.text).key
        if key not in seen:
            seen.add(key)
            b.unmapped("(label)", candidate.label.text, "no record field is known for this label")


def _lines(text: str) -> list[Line]:
    return split_lines(text)


def _next_text(lines: list[Line], position: int) -> str:
    for line in lines[position + 1 : position + 4]:
        if not line.blank:
            return line.text
    return ""


def _inside_blocks(pairs: list[Pair], field_of: Any) -> set[int]:
    """Line indexes inside the blocks of known long-text and list fields (never asked about)."""
    inside: set[int] = set()
    for pair in pairs:
        if field_of(pair.label.text) in BLOCK_FIELDS:
            inside.update(line.index for line in pair.block)
    return inside


def _unknown_candidates(lines: list[Line], inside: set[int], field_of: Any) -> list[Pair]:
    """Label-shaped lines no table or map knows, outside known blocks: same-line pairs, and a label
    alone on its line followed by one value line and a blank line."""
    found, seen = [], set()
    for position, line in enumerate(lines):
        if line.blank or position in inside:
            continue
        pair = parse_line(line)
        if pair is None or pair.form == "header" or field_of(pair.label.text) is not None:
            continue
        key = label_key(pair.label.text).key
        if key in seen or not key or not _askable(pair.label.text):
            continue
        if pair.form == "alone":
            nxt = lines[position + 1] if position + 1 < len(lines) else None
            after = lines[position + 2] if position + 2 < len(lines) else None
            if nxt is None or nxt.blank or (parse_line(nxt) is not None and parse_line(nxt).form != "alone"):  # type: ignore[union-attr]
                continue
            if after is not None and not after.blank:
                continue
            if not (position == 0 or lines[position - 1].blank) or not label_like(line.text):
                continue
            if len(line.text.split()) > 8:
                continue
        seen.add(key)
        found.append(pair)
    return found


_TYPE_WORDS = frozenset(
    {m.value.replace("_", " ").lower() for m in (*ArmType, *InterventionType)}
    | {"experimental", "active comparator", "placebo comparator", "sham comparator", "no intervention"}
)


def _askable(label: str) -> bool:
    """Worth a model question: a short label starting with a capital or a section code, not a CT.gov
    "Type: Name" line ("Drug: X", "Experimental: Arm A"), which names an item rather than a field."""
    coded = bool(CODE.match(label))
    body = display_label(label)
    if not body or body.lower() in _TYPE_WORDS:
        return False
    if not (coded or body[0].isupper()):
        return False
    return len(body.split()) <= (16 if coded else 8)


async def _build(
    b: _Draft,
    pairs: list[Pair],
    field_of: Any,
    tables: Tables,
    layout: LayoutMap,
    llm: Asker | None,
    ledger: Ledger,
    result: GenericResult,
    allowed: int,
) -> int:
    """Build the draft from the pairs; at most `allowed` spelling questions. The number asked."""
    asked = 0
    text = b.text
    outcomes: dict[str, list[dict[str, Any]]] = {"primary": [], "secondary": [], "other": []}
    last_kind = "primary"
    by_index: dict[tuple[str, int], dict[str, Any]] = {}
    interventions: list[dict[str, Any]] = []
    numbered_types: dict[int, Located] = {}

    def spelling_reader(field_name: str) -> Reader:
        """Reads a spelling: the alias tables, else the layout map's recorded answer (MappingError when
        neither gives a standard value). Grounding reads the value's span again with it."""

        def read(spelling: str) -> Any:
            try:
                return parse_enum(field_name, spelling, tables)
            except MappingError:
                known = layout.spellings.get(field_name, {}).get(spelling_key(spelling))
                if known is None or known["value"] is None:
                    raise
                return ENUMS[field_name](known["value"])

        return read

    async def enum_value(field_name: str, path: str, value: Located) -> Any:
        """`value`'s spelling as a standard value: read, or else asked once (within the page's budget) and
        recorded in the layout map; what stays unknown is listed in `unmapped`."""
        read = spelling_reader(field_name)
        try:
            found = read(value.text)
        except MappingError as exc:
            if not await learned_spelling(field_name, path, value, exc):
                return None
            found = read(value.text)
        if found is not None:
            b.draft.readers[path] = read
        return found

    async def learned_spelling(field_name: str, path: str, value: Located, exc: MappingError) -> bool:
        """Whether the model gave a standard value for a spelling the tables and map do not read."""
        nonlocal asked
        key = spelling_key(value.text)
        if key in layout.spellings.get(field_name, {}):  # asked before: no standard value
            b.unmapped(path, value.text, f"{exc} (the layout map holds no standard value for it)")
            return False
        if llm is None:
            b.unmapped(path, value.text, str(exc))
            return False
        if asked >= allowed:
            b.unmapped(path, value.text, f"{exc} (past this page's question budget: asked on a later page)")
            return False
        chosen = await ask_spelling(llm, ledger, field_name, value.text)
        asked += 1
        layout.spellings.setdefault(field_name, {})[key] = {"value": chosen, "source": "model"}
        if chosen is None:
            b.unmapped(path, value.text, f"{exc} (the model found no standard value)")
            return False
        return True

    for pair in pairs:
        name = field_of(pair.label.text)
        if name is None or name == "ignore":
            continue
        lk = label_key(pair.label.text)
        values = pair.value_lines()
        first = values[0] if values else None
        if first is None and name not in BLOCK_FIELDS and name not in ("time_frame", "intervention_type"):
            continue
        if name == "nct_id" and first is not None and not b.has("nct_id"):
            found = _NCT.search(first.text)
            if found:
                b.put(
                    "nct_id",
                    found.group(0),
                    Located(found.group(0), first.start + found.start(), first.start + found.end()),
                )
                result.labelled.add(name)
        elif name in ("brief_title", "official_title", "acronym", "why_stopped", "lead_sponsor") and first is not None:
            path = "sponsor.lead" if name == "lead_sponsor" else name
            if not b.has(path):
                joined = _joined(values, text) if name != "lead_sponsor" else (first.text, first.span)
                assert joined is not None
                b.put(path, " ".join(joined[0].split()) if name != "lead_sponsor" else joined[0], joined[1])
                result.labelled.add(name)
        elif name in ("brief_summary", "detailed_description") and values and not b.has(name):
            joined = _joined(values, text)
            assert joined is not None
            b.put(name, joined[0], joined[1])
            result.labelled.add(name)
        elif (
            name in ("start_date", "primary_completion_date", "completion_date", "last_update_date")
            and first is not None
        ):
            if b.has(name if name == "last_update_date" else f"{name}.date"):
                continue
            try:
                date = parse_date(first.text)
            except MappingError as exc:
                b.unmapped(name, first.text, str(exc))
                continue
            if name == "last_update_date":
                b.read(name, date, first, parse_date)
            else:
                b.read(f"{name}.date", date, first, parse_date)
                if lk.kind:  # "Actual ..." is in the label
                    b.read(f"{name}.type", lk.kind, pair.label, _label_kind)
                else:
                    b.put(f"{name}.type", None, None)
            result.labelled.add(name)
        elif name == "enrollment" and first is not None and not b.has("enrollment.count"):
            try:
                count = parse_count(first.text)
            except MappingError as exc:
                b.unmapped("enrollment.count", first.text, str(exc))
                continue
            m = re.search(r"\d[\d,]*", first.text)
            assert m is not None
            b.read(
                "enrollment.count",
                count,
                Located(m.group(0), first.start + m.start(), first.start + m.end()),
                parse_count,
            )
            if lk.kind:
                b.read("enrollment.type", lk.kind, pair.label, _label_kind)
            else:
                b.put("enrollment.type", None, None)
            result.labelled.add(name)
        elif name == "phases" and first is not None and not b.has("phases"):
            try:
                b.read("phases", parse_phases(first.text), first, parse_phases)
                result.labelled.add(name)
            except MappingError as exc:
                b.unmapped("phases", first.text, str(exc))
        elif name == "allocation" and first is not None and re.fullmatch(r"(?i)yes|no", first.text.strip()):
            if "randomi" in lk.key and not b.has("design.allocation"):
                b.read("design.allocation", _randomised(first.text), first, _randomised)
                result.labelled.add(name)
        elif name == "masking" and first is not None and not b.has("design.masking"):
            try:
                if spelling_key(first.text) in tables.values.get("masking", {}):
                    raise MappingError("alias")
                masking, roles = to_masking(first.text)
                b.draft.readers["design.masking"] = parse_masking
            except MappingError:
                masking = await enum_value("masking", "design.masking", first)  # records its own reader
                roles = []
            if masking is not None:
                b.put("design.masking", masking, first)
                if roles:
                    b.read("design.who_masked", roles, first, parse_masked_roles)
                else:
                    b.put("design.who_masked", roles, None)
                result.labelled.add(name)
        elif name in ENUMS and name != "intervention_type" and first is not None:
            path = {
                "allocation": "design.allocation",
                "intervention_model": "design.intervention_model",
                "primary_purpose": "design.primary_purpose",
                "sex": "eligibility.sex",
            }.get(name, name)
            if b.has(path):
                continue
            value = await enum_value(name, path, first)
            if value is not None:
                b.put(path, value, first)
                result.labelled.add(name)
        elif name == "design_prose" and first is not None:
            for key, (value, start, end) in parse_design_prose(first.text).items():
                path = f"design.{key}"
                if not b.has(path):
                    b.read(path, value, Span(start=first.start + start, end=first.start + end), _prose_reader(key))
                    result.labelled.add(key)
        elif name in ("minimum_age", "maximum_age") and first is not None:
            path = f"eligibility.{name}"
            if b.has(path):
                continue
            try:
                age = parse_age(first.text)
            except MappingError as exc:
                b.unmapped(path, first.text, str(exc))
                continue
            if age is not None:
                b.read(path, age, first, parse_age)
                result.labelled.add(name)
        elif name == "age_range" and first is not None:
            try:
                low, high = parse_age_range(first.text)
            except MappingError as exc:
                b.unmapped("eligibility.age_range", first.text, str(exc))
                continue
            for position, (key, age) in enumerate((("minimum_age", low), ("maximum_age", high))):
                if age is not None and not b.has(f"eligibility.{key}"):
                    b.read(f"eligibility.{key}", age, first, lambda t, at=position: parse_age_range(t)[at])
            result.labelled.add(name)
        elif name == "healthy_volunteers" and first is not None and not b.has("eligibility.healthy_volunteers"):
            try:
                flag = to_bool(first.text, "eligibility.healthy_volunteers")
            except MappingError as exc:
                b.unmapped("eligibility.healthy_volunteers", first.text, str(exc))
                continue
            if flag is not None:
                b.read("eligibility.healthy_volunteers", flag, first, _healthy_volunteers)
                result.labelled.add(name)
        elif name in ("conditions", "keywords", "collaborators") and values:
            path = "sponsor.collaborators" if name == "collaborators" else name
            if b.has(path):
                continue
            items = _list_items(values)
            if items:
                b.put(path, [i.text for i in items], None)
                for n, item in enumerate(items):
                    b.draft.spans[f"{path}[{n}]"] = item.span
                result.labelled.add(name)
        elif name == "criteria" and values and not b.has("eligibility.criteria_text"):
            start, end = values[0].start, values[-1].end
            split = split_criteria(text, start, end)
            if split.inclusion or split.exclusion:
                b.put("eligibility.inclusion", split.inclusion, None)
                b.put("eligibility.exclusion", split.exclusion, None)
                b.put("eligibility.headers", split.headers, None)
                b.put("eligibility.criteria_text", text[start:end].strip(), Span(start=start, end=end))
                result.labelled.add(name)
        elif name in ("interventions", "intervention_type") and lk.index is not None and first is not None:
            numbered_types[lk.index] = first  # "Intervention type [2]: Drug" (its name follows, numbered alike)
        elif name in ("interventions", "intervention_type") and values:
            for item in _intervention_items(values):
                interventions.append(item)
        elif name == "intervention_name" and first is not None:
            type_text = numbered_types.get(lk.index or 0)
            interventions.append({"type_text": type_text, "name": first})
        elif name in ("outcomes", "primary_outcomes", "secondary_outcomes"):
            kind = {"primary_outcomes": "primary", "secondary_outcomes": "secondary"}.get(name)
            if kind:
                last_kind = kind
            if pair.value is not None and lk.index is not None and kind:  # "Primary outcome [1]  X"
                item = {"measure": pair.value}
                outcomes[kind].append(item)
                by_index[(kind, lk.index)] = item
                continue
            for item_kind, item in _outcome_items(values, kind or "primary"):
                outcomes[item_kind].append(item)
        elif name == "time_frame":
            if lk.index is not None and first is not None:
                target = by_index.get((last_kind, lk.index))
                if target is not None and "time_frame" not in target:
                    target["time_frame"] = first
            else:  # a block of time points, in the order of the kind's measures
                frames = [_unmark(v) for v in values]
                items = outcomes[last_kind]
                if len(frames) == len(items):
                    for item, frame in zip(items, frames, strict=True):
                        item.setdefault("time_frame", frame)
    await _put_interventions(b, interventions, enum_value, result)
    _put_outcomes(b, outcomes, result)
    return asked


def _unmark(value: Located) -> Located:
    m = _MARKER.match(value.text)
    if not m:
        return value
    return Located(value.text[m.end() :], value.start + m.end(), value.end)


def _is_header_row(cells: list[Located]) -> bool:
    return (
        len(cells) >= 2 and all(len(c.text.split()) <= 4 for c in cells) and bool(_HEADER_WORDS.search(cells[-1].text))
    )


def _list_items(values: list[Located]) -> list[Located]:
    """List values: one per line, table rows' last cell, or ";"/"|"-separated on one line."""
    items: list[Located] = []
    for n, value in enumerate(values):
        line = Line(index=0, start=value.start, end=value.end, text=value.text)
        cells = table_cells(line)
        if cells is not None:
            if n == 0 and _is_header_row(cells):
                continue
            if cells:
                items.append(cells[-1])
            continue
        parts = list(re.finditer(r"[^;]+", value.text))
        for part in parts:
            body = part.group(0).strip()
            if body:
                start = value.start + part.start() + (len(part.group(0)) - len(part.group(0).lstrip()))
                items.append(_unmark(Located(body, start, start + len(body))))
    return items


def _intervention_items(values: list[Located]) -> list[dict[str, Any]]:
    items = []
    for n, value in enumerate(values):
        line = Line(index=0, start=value.start, end=value.end, text=value.text)
        cells = table_cells(line)
        if cells is not None:
            if n == 0 and _is_header_row(cells):
                continue
            if len(cells) >= 2:
                items.append({"type_text": cells[0], "name": cells[1]})
            continue
        m = _TYPE_NAME.match(value.text)
        if m:
            type_loc = Located(m["type"], value.start, value.start + len(m["type"]))
            start = value.start + m.start("name")
            items.append({"type_text": type_loc, "name": Located(m["name"], start, start + len(m["name"]))})
    return items


def _outcome_items(values: list[Located], kind: str) -> list[tuple[str, dict[str, Any]]]:
    items: list[tuple[str, dict[str, Any]]] = []
    for n, value in enumerate(values):
        line = Line(index=0, start=value.start, end=value.end, text=value.text)
        cells = table_cells(line)
        if cells is not None:
            if _is_header_row(cells) and (n == 0 or not items):
                continue
            if not cells:
                continue
            item_kind = kind
            rest = []
            for cell in cells[1:]:
                word = re.match(r"(?i)^(primary|secondary|other)\b", cell.text)
                if word and len(cell.text.split()) <= 3:
                    item_kind = word[1].lower()
                else:
                    rest.append(cell)
            item: dict[str, Any] = {"measure": cells[0]}
            if rest:
                item["time_frame"] = rest[-1]
            items.append((item_kind, item))
            continue
        framed = _FRAME.match(value.text)
        if framed:
            start = value.start + framed.start("m")
            measure = Located(framed["m"], start, start + len(framed["m"]))
            entry: dict[str, Any] = {"measure": _unmark(measure)}
            if framed["tf"]:
                tf_start = value.start + framed.start("tf")
                entry["time_frame"] = Located(framed["tf"], tf_start, tf_start + len(framed["tf"]))
            items.append((kind, entry))
            continue
        if _MARKER.match(value.text) or not items:
            items.append((kind, {"measure": _unmark(value)}))
    return items


async def _put_interventions(b: _Draft, items: list[dict[str, Any]], enum_value: Any, result: GenericResult) -> None:
    if not items or b.has("interventions"):
        return
    data = []
    for n, item in enumerate(items):
        type_text = item.get("type_text")
        itype = await enum_value("intervention_type", f"interventions[{n}].type", type_text) if type_text else None
        name: Located = item["name"]
        data.append({"type": itype, "name": name.text, "other_names": [], "arm_labels": []})
        b.draft.spans[f"interventions[{n}].name"] = name.span
        if itype is not None:
            b.draft.spans[f"interventions[{n}].type"] = type_text.span
    b.put("interventions", data, None)
    result.labelled.add("interventions")


def _put_outcomes(b: _Draft, outcomes: dict[str, list[dict[str, Any]]], result: GenericResult) -> None:
    if not any(outcomes.values()):
        return
    data: dict[str, list[dict[str, Any]]] = {}
    for kind, items in outcomes.items():
        data[kind] = []
        for n, item in enumerate(items):
            entry: dict[str, Any] = {"measure": item["measure"].text}
            b.draft.spans[f"outcomes.{kind}[{n}].measure"] = item["measure"].span
            if item.get("time_frame") is not None:
                entry["time_frame"] = item["time_frame"].text
                b.draft.spans[f"outcomes.{kind}[{n}].time_frame"] = item["time_frame"].span
            data[kind].append(entry)
    b.draft.data["outcomes"] = data
    result.labelled.add("outcomes")


__all__ = ["GenericPolicy", "GenericResult", "extract_generic"]
