"""Registry page text -> its sections, found deterministically by headings and labels.

Nothing here is specific to one site: section headings, field labels, CT.gov's "Type: Label"
and "[ Time Frame: ... ]" conventions, address lines ending in a country, and criteria headers
are what registries share. What stays ambiguous (which line is the title; how a run-together
line splits into condition names; whether an unlabelled outcome is primary) is left for the
model, as candidates that point into the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pycountry

from extract.model.vocab import AgencyClass
from extract.section.criteria import header_kind
from extract.section.groups import (
    ARM_LINE,
    INTERVENTION_LINE,
    ArmBlock,
    InterventionBlock,
    parse_type_label_list,
    parse_type_label_rows,
    parse_type_line_blocks,
)
from extract.section.labels import Field, find_fields, label_key
from extract.section.lines import Line, Located, split_lines, trim_cells

_HEADINGS: dict[str, tuple[str, ...]] = {
    "groups": ("study groups", "arms and interventions", "arm groups", "study arms", "arms", "treatment groups"),
    "groups_table": ("arm | intervention/treatment |", "arm intervention/treatment", "arm | intervention/treatment"),
    "interventions": ("interventions", "intervention"),
    "eligibility": ("eligibility criteria", "eligibility", "participation criteria", "criteria"),
    "outcomes": ("outcome measures", "outcomes"),
    "sponsors": ("sponsors", "sponsor", "sponsors and collaborators", "collaborators"),
    "locations": ("locations", "contacts and locations", "study locations", "layout table for location information"),
    "conditions": ("conditions", "condition", "conditions studied"),
    "summary": ("brief summary",),
    "description": ("detailed description",),
    "other": (
        "study design",
        "basic information",
        "study results",
        "responsible party",
        "central contacts",
        "other identifiers",
        "more related trials",
        "countries",
        "trial officials",
        "timeline",
        "keywords",
        "trial information",
        "clinconnect summary",
        "patients applied",
        "more information",
        "publications",
        "layout table for study information",
        "layout table for eligibility information",
        "layout table for location contacts",
        "layout table for investigator information",
        "layout table for additonal information",
        "layout table for additional information",
        "additional relevant mesh terms",
        "layout table for mesh terms",
        "information from the national library of medicine",
        "resource links provided by the national library of medicine",
        "study details",
        "tabular view",
        "contacts",
        "investigators",
        "study officials",
        "results pending",
    ),
}
_HEADING_OF = {name.lower(): kind for kind, names in _HEADINGS.items() for name in names}
_OUTCOME_KIND = re.compile(r"^(?P<kind>Primary|Secondary|Other(?:\s+Pre-specified)?)\s+Outcome\s+Measures?\s*:?$", re.I)
_STOP = re.compile(
    r"^(?:To learn more about this study|Choosing to participate in a study|Please refer to this study|"
    r"About (?:[A-Z][\w.,&'-]*\s?){1,8}$|Information from the National Library of Medicine|Condition or disease\b)",
)
_SITE_BLURB = re.compile(
    r"^(?:See|Review|Understand|Get|Dive|Check|Learn|Meet|Identify|Reach|Explore|Find|Discover|Read|Additional)\b"
    r"[^.]*\.$"
)
_TIME_FRAME = re.compile(
    r"^(?:[-*•]\s*|\d+\.\s*)?(?P<measure>.+?)\s*\[\s*Time\s+Frame\s*:\s*(?P<tf>[^\]]*?)\s*\]\s*(?P<desc>.*)$"
)
NCT_ID = re.compile(r"\bNCT\d{8}\b")
# "Primary: Overall survival" / "  Time frame: 2 years" (outcome lists written as labels)
_LABELLED_OUTCOME = re.compile(r"^(?P<kind>Primary|Secondary|Other)\s*(?:Outcome)?\s*:\s*(?P<measure>\S.*)$", re.I)
_TIME_FRAME_LINE = re.compile(r"^Time\s+frame\s*:\s*(?P<tf>\S.*)$", re.I)
_STATUS_WORDS = re.compile(
    r"^(Recruiting|Not yet recruiting|Active, not recruiting|Completed|Terminated|Suspended|Withdrawn|"
    r"Enrolling by invitation|Unknown status)$",
    re.IGNORECASE,
)
_SITE_STATUS_SUFFIX = re.compile(
    r"^(?P<facility>.+?)\s*(?:\|\s*|\(\s*)?(?P<status>Recruiting|Not yet recruiting|Active, not recruiting|Completed|"
    r"Terminated|Suspended|Withdrawn|Enrolling by invitation)\s*\)?\s*\|?$",
    re.IGNORECASE,
)


@dataclass
class OutcomeEntry:
    kind: str | None  # "primary" | "secondary" | "other", None when the page does not say
    measure: Located
    time_frame: Located | None
    description: list[Located] = field(default_factory=list)


@dataclass
class LocationEntry:
    facility: Located | None
    city: Located | None
    state: Located | None
    country: Located
    status: Located | None


@dataclass
class PageSections:
    text: str
    lines: list[Line]
    fields: dict[str, Field]
    nct_id: Located | None
    title_candidates: list[Line]
    eligibility: tuple[int, int] | None
    arms: list[ArmBlock]
    interventions: list[InterventionBlock]  # listed in their own section (may repeat arms' ones)
    untyped_group_headings: list[Located]
    outcomes: list[OutcomeEntry]
    conditions: Located | None  # the raw condition text; may hold several names run together
    lead_sponsor: Located | None
    lead_class: Located | None
    collaborators: list[Located]
    locations: list[LocationEntry]
    bare_status: Located | None
    brief_summary: list[Located]
    detailed_description: list[Located]


def heading_kind(line: Line) -> str | None:
    if line.blank or len(line.text) > 80:
        return None
    words = " ".join(line.text.lower().lstrip("#").split())  # markdown "## Arms"; non-breaking spaces too
    return _HEADING_OF.get(words.rstrip(":").strip()) or _HEADING_OF.get(words)


def _is_boundary(line: Line) -> bool:
    return (
        heading_kind(line) is not None
        or bool(_STOP.match(line.text))
        or bool(_OUTCOME_KIND.match(line.text))
        or bool(_TIME_FRAME.match(line.text))
    )


def _region(lines: list[Line], start: int) -> list[Line]:
    """Lines after position `start` up to the next heading or stop line."""
    out = []
    for line in lines[start + 1 :]:
        if _is_boundary(line):
            break
        out.append(line)
    return out


def _find_heading(lines: list[Line], kind: str) -> int | None:
    return next((i for i, line in enumerate(lines) if heading_kind(line) == kind), None)


def _content(region: list[Line]) -> list[Line]:
    """Region lines without blanks and without a site's blurb under its heading."""
    body = [line for line in region if not line.blank]
    if body and _SITE_BLURB.match(body[0].text):
        body = body[1:]
    return body


def _eligibility_region(lines: list[Line]) -> tuple[int, int] | None:
    start_pos = _find_heading(lines, "eligibility") or 0
    first = None
    for position in range(start_pos, len(lines)):
        text = re.sub(r"^[\s*•\-]+", "", lines[position].text)
        if header_kind(text) in ("inclusion", "exclusion"):
            first = position
            break
    if first is None:
        return None
    end_line = None
    for line in lines[first + 1 :]:
        if _is_boundary(line) or label_key(line) in {
            "minimum_age",
            "maximum_age",
            "age_range",
            "sex",
            "healthy_volunteers",
        }:
            end_line = line
            break
    start = lines[first].start
    end = end_line.start if end_line is not None else lines[-1].end
    return start, end


def _title_candidates(lines: list[Line], stop_at: int, claimed: list[Located]) -> list[Line]:
    """Lines near the top that could be a title: not headings, labels, list items, table rows, nor
    lines already read as another field (`claimed`, e.g. a "Launched by <sponsor> · <date>" line)."""
    candidates = []
    for line in lines[:stop_at]:
        if any(line.start <= value.start < line.end for value in claimed):
            continue
        words = line.text.split()
        if (
            3 <= len(words) <= 40  # the site's disclaimer paragraph is longer than any brief title
            and "|" not in line.text
            and not NCT_ID.search(line.text)  # "Search / Trial NCT…", "Identifier: NCT…" lines
            and not _SITE_BLURB.match(line.text)
            and heading_kind(line) is None
            and label_key(line) is None
            and not re.match(r"^[-*•·]\s", line.text)
        ):
            body = line.text.lstrip("#").strip()  # a markdown "# Title"
            offset = line.start + (len(line.text) - len(line.text.lstrip("#").lstrip()))
            candidates.append(Line(index=line.index, start=offset, end=offset + len(body), text=body))
        if len(candidates) == 10:
            break
    return candidates


def _outcomes(lines: list[Line], text: str) -> list[OutcomeEntry]:
    entries: list[OutcomeEntry] = []
    kind: str | None = None
    current: OutcomeEntry | None = None
    body = [line for line in lines if not line.blank]
    follows_frame = {
        id(line): nxt is not None and bool(_TIME_FRAME_LINE.match(nxt.text))
        for line, nxt in zip(body, [*body[1:], None][: len(body)], strict=True)
    }
    for line in lines:
        if line.blank:
            current = None
            continue
        header = _OUTCOME_KIND.match(line.text)
        if header:
            kind = header["kind"].split()[0].lower()
            current = None
            continue
        if heading_kind(line) not in (None, "outcomes"):
            kind, current = None, None
            continue
        labelled = _LABELLED_OUTCOME.match(line.text)
        if labelled and follows_frame.get(id(line)):  # "Other: X" alone is an arm or intervention type
            current = OutcomeEntry(
                kind=labelled["kind"].lower(), measure=_loc(line, text, labelled["measure"]), time_frame=None
            )
            entries.append(current)
            continue
        frame = _TIME_FRAME_LINE.match(line.text)
        if frame and current is not None and current.time_frame is None:
            current.time_frame = _loc(line, text, frame["tf"])
            continue
        match = _TIME_FRAME.match(line.text)
        if match:
            measure = _loc(line, text, match["measure"])
            time_frame = _loc(line, text, match["tf"]) if match["tf"] else None
            current = OutcomeEntry(kind=kind, measure=measure, time_frame=time_frame)
            if match["desc"]:
                current.description.append(_loc(line, text, match["desc"]))
            entries.append(current)
        elif current is not None and not _is_boundary(line):
            current.description.append(Located(line.text, line.start, line.end))
    return entries


def _loc(line: Line, text: str, value: str) -> Located:
    value = value.strip()
    offset = text.find(value, line.start, line.end)
    return Located(value, offset, offset + len(value)) if offset >= 0 else Located(line.text, line.start, line.end)


# Names registries use that ISO 3166 (pycountry) spells otherwise.
_COUNTRY_ALIASES = frozenset(
    {
        "turkey",
        "south korea",
        "korea",
        "russia",
        "taiwan",
        "iran",
        "vietnam",
        "uk",
        "czech republic",
        "macedonia",
        "swaziland",
        "cape verde",
        "ivory coast",
        "burma",
        "palestine",
        "laos",
        "syria",
        "tanzania",
        "bolivia",
        "venezuela",
        "moldova",
        "the netherlands",
        "hong kong",
        "kosovo",
    }
)


def _country(name: str) -> bool:
    cleaned = name.strip()
    if len(cleaned) < 2 or any(ch.isdigit() for ch in cleaned):
        return False
    if len(cleaned) <= 3 and cleaned.isupper() and cleaned not in {"USA", "UK"}:
        return False  # "MD", "PhD"-like tokens are degrees, not ISO codes, on registry pages
    try:
        pycountry.countries.lookup(cleaned)
    except LookupError:
        return cleaned.lower() in _COUNTRY_ALIASES
    return True


def _address(line: Line, text: str) -> tuple[Located | None, Located | None, Located] | None:
    """(city, state, country) when the line reads "City, State, Country[, zip]"."""
    body = re.sub(r"^[-*•]\s+", "", line.text.strip("| ").strip())
    parts = [p.strip() for p in body.split(",")]
    if len(parts) >= 2 and re.fullmatch(r"[\dA-Z\- ]{3,10}", parts[-1] or "") and any(c.isdigit() for c in parts[-1]):
        parts = parts[:-1]  # postal code
    if not 2 <= len(parts) <= 3 or not _country(parts[-1]):
        return None
    if len(parts) == 2 and _country(parts[0]):
        return None  # "China, Beijing": a country/region heading, not an address
    country = _loc(line, text, parts[-1])
    city = _loc(line, text, parts[0]) if parts[0] else None
    state = _loc(line, text, parts[1]) if len(parts) == 3 and parts[1] else None
    return city, state, country


def _locations(lines: list[Line], text: str, skip: tuple[int, int] | None) -> list[LocationEntry]:
    entries: list[LocationEntry] = []
    previous: Line | None = None
    for line in lines:
        if line.blank:
            continue
        if skip and skip[0] <= line.start < skip[1]:
            continue
        address = _address(line, text)
        if address is not None:
            city, state, country = address
            facility = status = None
            if previous is not None and _facility_like(previous, text):
                match = _SITE_STATUS_SUFFIX.match(previous.text.strip("| "))
                if match:
                    facility = _loc(previous, text, re.sub(r"^[-*•]\s+", "", match["facility"].rstrip("| ")))
                    status = _loc(previous, text, match["status"])
                else:
                    cell = trim_cells(previous, text)
                    bullet = re.match(r"^[-*•]\s+", cell.text) if cell else None
                    facility = (
                        Located(cell.text[bullet.end() :], cell.start + bullet.end(), cell.end)
                        if cell and bullet
                        else cell
                    )
            entries.append(LocationEntry(facility=facility, city=city, state=state, country=country, status=status))
        previous = line
    return entries


def _region_heading(line: Line) -> bool:
    """ "United States, California" / "China, Beijing": a country then a region, above a site list."""
    parts = [p.strip() for p in line.text.strip("| ").split(",")]
    return len(parts) == 2 and _country(parts[0])


def _facility_like(line: Line, text: str) -> bool:
    return (
        _address(line, text) is None
        and not _region_heading(line)
        and not _SITE_BLURB.match(line.text)
        and heading_kind(line) is None
        and label_key(line) is None
        and not line.text.lower().startswith(("contact", "site status", "principal investigator"))
        and len(line.text.split()) <= 20
    )


def _sponsor(
    lines: list[Line], text: str, fields: dict[str, Field]
) -> tuple[Located | None, Located | None, list[Located]]:
    """Lead sponsor, its class, and collaborators, from the conventions registries use."""
    if "lead_sponsor" in fields:  # "Lead Sponsor: X" / "Sponsor Class: OTHER" / "Collaborators: A; B"
        found = fields.get("collaborators")
        names = _split_located(found.value, text) if found else []
        klass = fields.get("lead_class")
        return fields["lead_sponsor"].value, klass.value if klass else None, names
    classes = {c.value for c in AgencyClass}
    lead = lead_class = None
    collaborators: list[Located] = []
    body = [line for line in lines if not line.blank]
    for position, line in enumerate(body):
        role = re.match(r"^Sponsor Role\s*:?\s*(lead|collaborator)$", line.text, re.I)
        if role:
            back = body[position - 1] if position else None
            org, klass = back, None
            if back is not None and back.text.upper() in classes and position >= 2:
                org, klass = body[position - 2], back
            if org is None:
                continue
            if role[1].lower() == "lead" and lead is None:
                lead = Located(org.text, org.start, org.end)
                lead_class = Located(klass.text, klass.start, klass.end) if klass else None
            elif role[1].lower() == "collaborator":
                collaborators.append(Located(org.text, org.start, org.end))
    if lead is not None:
        return lead, lead_class, collaborators
    heading = _find_heading(lines, "sponsors")
    if heading is not None:
        names = [line for line in _content(_region(lines, heading)) if not line.text.startswith("Layout table")]
        if names:
            first = names[0]
            return (
                Located(first.text, first.start, first.end),
                None,
                [Located(n.text, n.start, n.end) for n in names[1:]],
            )
    for line in body:
        launched = re.match(r"^Launched by (?P<org>.+?)\s*·", line.text)
        if launched:
            return _loc(line, text, launched["org"]), None, []
        verified = re.match(r"^Verified \w+ \d{4} by (?P<org>.+?\.?)\.?$", line.text)
        if verified:
            return _loc(line, text, verified["org"]), None, []
    return None, None, []


_ROW_PHASE = re.compile(r"(?:Early )?Phase \d(?:/Phase \d)?(?=\s*\|?\s*$)|\bN/A(?=\s*\|?\s*$)")


def _condition_table_row(lines: list[Line]) -> Line | None:
    """The value row under a "Condition or disease | Intervention/treatment | Phase" header."""
    for position, line in enumerate(lines):
        if line.text.lower().startswith("condition or disease"):
            for row in lines[position + 1 : position + 4]:
                if not row.blank and not set(row.text) <= set("-| "):
                    return row
    return None


def _table_phase(lines: list[Line], text: str) -> Located | None:
    row = _condition_table_row(lines)
    match = _ROW_PHASE.search(row.text) if row else None
    return _loc(row, text, match.group(0)) if row and match else None


def _split_located(value: Located, text: str) -> list[Located]:
    """ "A; B; C" -> each name with its own offsets."""
    parts = []
    for match in re.finditer(r"[^;|]+", value.text):
        name = match.group(0).strip()
        if name:
            start = value.start + match.start() + (len(match.group(0)) - len(match.group(0).lstrip()))
            parts.append(Located(name, start, start + len(name)))
    return parts


def _conditions(lines: list[Line], text: str) -> Located | None:
    heading = _find_heading(lines, "conditions")
    if heading is not None:
        body = _content(_region(lines, heading))
        if body:
            return Located(body[0].text, body[0].start, body[0].end)
    row = _condition_table_row(lines)
    if row is None:
        return None
    cell = row.text.split("|")[0] if "|" in row.text else row.text
    cut = re.search(rf"\s(?:{_INTERVENTION_TYPES}):", cell)
    cell = cell[: cut.start()] if cut else cell
    cell = _ROW_PHASE.sub("", cell).strip()
    return _loc(row, text, cell) if cell else None


_INTERVENTION_TYPES = (
    "Drug|Device|Biological|Procedure|Radiation|Behavioral|Genetic|Dietary Supplement|Combination Product|"
    "Diagnostic Test|Other"
)


def _paragraphs(lines: list[Line], kind: str) -> list[Located]:
    heading = _find_heading(lines, kind)
    if heading is None:
        return []
    return [
        Located(line.text, line.start, line.end)
        for line in _content(_region(lines, heading))
        if label_key(line) is None
    ]


def section_page(text: str) -> PageSections:
    """Find every section this module knows on one page."""
    lines = split_lines(text)
    eligibility = _eligibility_region(lines)
    outside = [line for line in lines if not (eligibility and eligibility[0] <= line.start < eligibility[1])]
    fields = find_fields(outside, text)
    if "phase" not in fields:
        phase = _table_phase(lines, text)
        if phase is not None:
            fields["phase"] = Field("phase", phase, phase)

    nct = fields["nct_id"].value if "nct_id" in fields and NCT_ID.search(fields["nct_id"].value.text) else None
    if nct is not None:
        found = NCT_ID.search(nct.text)
        assert found is not None
        nct = Located(found.group(0), nct.start + found.start(), nct.start + found.end())
    else:
        found = NCT_ID.search(text)
        nct = Located(found.group(0), found.start(), found.end()) if found else None

    first_structure = next(
        (i for i, line in enumerate(lines) if label_key(line) or heading_kind(line) or NCT_ID.search(line.text)),
        len(lines),
    )
    arms: list[ArmBlock] = []
    interventions: list[InterventionBlock] = []
    untyped: list[Located] = []
    table = _find_heading(lines, "groups_table")
    if table is not None:
        arms = parse_type_label_rows(_region(lines, table), text)
    groups = _find_heading(lines, "groups")
    if not arms and groups is not None:
        region = _content(_region(lines, groups))
        if any(ARM_LINE.match(line.text) for line in region):  # "- Experimental: Label" lists
            arms = parse_type_label_rows(region, text)
        else:
            arms, free, untyped = parse_type_line_blocks(region, text)
            interventions.extend(free)
    section = _find_heading(lines, "interventions")
    if section is not None:
        region = _content(_region(lines, section))
        if any(INTERVENTION_LINE.match(line.text) for line in region):  # "- Drug: Name" lists
            interventions.extend(parse_type_label_list(region, text))
        else:
            _more_arms, free, _ = parse_type_line_blocks(region, text)
            interventions.extend(free)
    bare_status = next(
        (
            Located(line.text, line.start, line.end)
            for line in lines[: first_structure + 40]
            if _STATUS_WORDS.match(line.text)
        ),
        None,
    )
    lead, lead_class, collaborators = _sponsor(lines, text, fields)
    return PageSections(
        text=text,
        lines=lines,
        fields=fields,
        nct_id=nct,
        title_candidates=_title_candidates(lines, max(first_structure, 3) + 6, [lead] if lead is not None else []),
        eligibility=eligibility,
        arms=arms,
        interventions=interventions,
        untyped_group_headings=untyped,
        outcomes=_outcomes(outside, text),
        conditions=_conditions(lines, text),
        lead_sponsor=lead,
        lead_class=lead_class,
        collaborators=collaborators,
        locations=_locations(lines, text, eligibility),
        bare_status=bare_status,
        brief_summary=_paragraphs(lines, "summary"),
        detailed_description=_paragraphs(lines, "description"),
    )
