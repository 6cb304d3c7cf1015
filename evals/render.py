"""Render real structured records into registry page text, with gold = what the page states.

    python evals/render.py                 # (re)write evals/fixtures/rendered/
    python evals/render.py --check         # exit 1 if a fixture on disk differs from a fresh render

Each record from ../shared/records (CT.gov v2 JSON and legacy XML) is mapped by the structured
mappers (`extract.pipeline.extract_structured` -> TrialRecord) and printed in one of five layouts:
the four the seed pages show and one none of them has:

- ctgov2019_pipe   2019 ClinicalTrials.gov page scraped with table pipes (like NCT04550949)
- ctgov2019_plain  2019 ClinicalTrials.gov page without pipes, "Layout table for ..." lines (NCT03792542)
- mirror           "Basic Information / Study Groups / Eligibility Criteria" mirror site (NCT06935409)
- clinconnect      ClinConnect patient page (NCT06406205)
- plain            "Field: value" lines under markdown headings (none of the seeds)

Gold rule: a layout function prints values and records them in the gold record in the same
step (`Page.show`), so gold is exactly the structured mapping restricted to what the page states;
every field the layout does not print stays null / [] in gold. Values a layout prints in a
changed form carry that form into gold (a criterion bullet "*" printed as "-" has label "-"; a
header printed without its colon has that text). Two things gold keeps although the page only
implies them, written down here because they are judgement calls of the renderer:
- ctgov2019_pipe prints outcomes without their Primary/Secondary headings (as the seed page
  does); gold keeps the registry's primary/secondary classification, which an extractor must
  infer from the page's order and wording;
- clinconnect prints every criterion line as a "•" bullet without indentation; gold keeps the
  registry's levels (the numbering and the announcing colons imply them).
Page sizes are kept modest (at most 3 outcomes of each kind, 3 locations) so CI replays quickly.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extract.load import iter_sources  # noqa: E402
from extract.model import TrialRecord  # noqa: E402
from extract.normalize import MONTHS  # noqa: E402
from extract.pipeline import extract_structured  # noqa: E402
from extract.score.fixtures import Gold, gold_json, record_without_spans, sync_fixture_set  # noqa: E402

RECORDS = REPO.parent / "shared" / "records"
OUT = REPO / "evals" / "fixtures" / "rendered"
LAYOUTS = ("ctgov2019_pipe", "ctgov2019_plain", "mirror", "clinconnect", "plain")
PER_LAYOUT = 7
MAX_OUTCOMES = 3
MAX_LOCATIONS = 3
MAX_CRITERIA_CHARS = 2500

STATUS_WORDS = {
    "ACTIVE_NOT_RECRUITING": "Active, not recruiting",
    "COMPLETED": "Completed",
    "ENROLLING_BY_INVITATION": "Enrolling by invitation",
    "NOT_YET_RECRUITING": "Not yet recruiting",
    "RECRUITING": "Recruiting",
    "SUSPENDED": "Suspended",
    "TERMINATED": "Terminated",
    "WITHDRAWN": "Withdrawn",
    "UNKNOWN": "Unknown status",
}
ARM_WORDS = {
    "EXPERIMENTAL": "Experimental",
    "ACTIVE_COMPARATOR": "Active Comparator",
    "PLACEBO_COMPARATOR": "Placebo Comparator",
    "SHAM_COMPARATOR": "Sham Comparator",
    "NO_INTERVENTION": "No Intervention",
    "OTHER": "Other",
}
MODEL_WORDS = {
    "SINGLE_GROUP": "Single Group Assignment",
    "PARALLEL": "Parallel Assignment",
    "CROSSOVER": "Crossover Assignment",
    "FACTORIAL": "Factorial Assignment",
    "SEQUENTIAL": "Sequential Assignment",
}
ALLOCATION_WORDS = {"RANDOMIZED": "Randomized", "NON_RANDOMIZED": "Non-Randomized", "NA": "N/A"}
STUDY_TYPE_WORDS = {
    "INTERVENTIONAL": "Interventional  (Clinical Trial)",
    "OBSERVATIONAL": "Observational",
    "EXPANDED_ACCESS": "Expanded Access",
}
DISCLAIMER = (
    "The safety and scientific validity of this study is the responsibility of the study sponsor and "
    "investigators. Listing a study does not mean it has been evaluated by the U.S. Federal Government."
)
_ITEM_MARKER = re.compile(r"^(?P<indent>\s*)(?P<marker>[*\-•])(?P<gap>\s+)")
_HEADER_LINE = re.compile(r"^\s*((?:Key\s+)?(?:Inclusion|Exclusion)\s+Criteria)\s*:?\s*$", re.I)


# --- small text helpers --------------------------------------------------------------------------


def line(text: str | None) -> str:
    """One-line form of a value: whitespace collapsed."""
    return " ".join((text or "").split())


def paragraphs(text: str | None) -> list[str]:
    return [line(p) for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def words(value: str) -> str:
    """DIETARY_SUPPLEMENT -> Dietary Supplement."""
    return value.replace("_", " ").title()


def long_date(iso: str) -> str:
    parts = [int(p) for p in iso.split("-")]
    if len(parts) == 2:
        return f"{MONTHS[parts[1] - 1]} {parts[0]}"
    return f"{MONTHS[parts[1] - 1]} {parts[2]}, {parts[0]}"


def phase_words(phases: list[str]) -> str:
    if phases == ["NA"]:
        return "Not Applicable"
    spelled = ["Early Phase 1" if p == "EARLY_PHASE1" else f"Phase {p[-1]}" for p in phases]
    return "/".join(spelled)


def masking_words(masking: str, who: list[str], style: str) -> str:
    if style == "enum":
        return masking
    if masking == "NONE":
        return "None (Open Label)"
    roles = ", ".join(words(w) for w in who)
    return f"{masking.title()} ({roles})" if roles else masking.title()


# --- the page builder: prints and records gold in one step ----------------------------------------


def blank_gold() -> dict[str, Any]:
    return record_without_spans(TrialRecord().model_dump(mode="json"))


class Page:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.gold = blank_gold()

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def show(self, path: str, value: Any) -> None:
        """Record that the page states `value` for the gold field at dotted `path`."""
        node = self.gold
        *parents, leaf = path.split(".")
        for part in parents:
            if node.get(part) is None:
                node[part] = {}
            node = node[part]
        node[leaf] = value

    def text(self) -> str:
        return "\n".join(self.lines).rstrip("\n") + "\n"


# --- shared pieces ------------------------------------------------------------------------------


def arm_rows(rec: dict[str, Any]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Each arm with the interventions the record links to it (by arm label or by "Type: Name")."""
    rows = []
    for arm in rec["arms"]:
        names = {n.split(":", 1)[-1].strip().lower() for n in arm["intervention_names"]}
        linked = [
            i for i in rec["interventions"] if arm["label"] in i["arm_labels"] or i["name"].strip().lower() in names
        ]
        rows.append((arm, linked))
    return rows


def show_groups(
    page: Page,
    rec: dict[str, Any],
    rows: list[tuple[dict[str, Any], list[dict[str, Any]]]],
    extra: Iterable[dict[str, Any]] = (),
    joiner: str = "\n",
    other_names: bool = True,
) -> None:
    """Gold arms and interventions as a page prints them: arm rows with their interventions."""
    arms, interventions = [], {}
    for arm, linked in rows:
        arms.append(
            {
                "label": arm["label"],
                "type": arm["type"],
                "description": joiner.join(paragraphs(arm["description"])) or None,
                "intervention_names": [f"{words(i['type'])}: {i['name']}" for i in linked],
            }
        )
        for i in linked:
            entry = interventions.setdefault(i["name"], _intervention_gold(i, joiner, other_names))
            entry["arm_labels"].append(arm["label"])
    for i in extra:
        interventions.setdefault(i["name"], _intervention_gold(i, joiner, other_names))
    page.show("arms", arms)
    page.show("interventions", list(interventions.values()))


def _intervention_gold(i: dict[str, Any], joiner: str, other_names: bool) -> dict[str, Any]:
    return {
        "type": i["type"],
        "name": i["name"],
        "description": joiner.join(paragraphs(i["description"])) or None,
        "other_names": list(i["other_names"]) if other_names else [],
        "arm_labels": [],
    }


def capped_outcomes(rec: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {
        kind: [
            {
                "measure": line(o["measure"]),
                "time_frame": line(o["time_frame"]) or None,
                "description": line(o["description"]) or None,
            }
            for o in rec["outcomes"][kind][:MAX_OUTCOMES]
        ]
        for kind in ("primary", "secondary", "other")
    }


def criteria_block(
    rec: dict[str, Any], bullet: str | None, header_colon: bool, page: Page, prefix_all: str | None = None
) -> list[str]:
    """The criteria text as this layout prints it, and its gold items / headers / criteria_text.

    bullet: replaces "*" / "-" / "•" item markers (None keeps them); header_colon: False drops
    the colon after "Inclusion Criteria"; prefix_all: ClinConnect's "  • " before every line
    (item markers dropped, continuation lines joined to their item).
    """
    elig = rec["eligibility"]
    text = elig["criteria_text"] or ""
    out: list[str] = []
    if prefix_all is not None:
        for raw in _joined_items(text):
            header = _HEADER_LINE.match(raw)
            if header:
                out.append(f"{prefix_all}{header[1]}:")
                continue
            body = _ITEM_MARKER.sub("", raw, count=1).strip()
            out.append(f"{prefix_all}{body}")
    else:
        for raw in text.split("\n"):
            header = _HEADER_LINE.match(raw)
            if header and not header_colon:
                out.append(header[1])
                continue
            if bullet is not None:
                raw = _ITEM_MARKER.sub(lambda m: f"{m['indent']}{bullet}{m['gap']}", raw, count=1)
            out.append(raw)
    new_label = "•" if prefix_all is not None else bullet

    def relabel(item: dict[str, Any]) -> dict[str, Any]:
        label = item["label"]
        if new_label is not None and label in ("*", "-", "•"):
            label = new_label
        return {"text": item["text"], "label": label, "level": item["level"]}

    page.show("eligibility.inclusion", [relabel(i) for i in elig["inclusion"]])
    page.show("eligibility.exclusion", [relabel(i) for i in elig["exclusion"]])
    headers = []
    for h in elig["headers"]:
        shown = h["text"] if header_colon or prefix_all is not None else h["text"].rstrip(":").rstrip()
        headers.append({"kind": h["kind"], "text": shown})
    page.show("eligibility.headers", headers)
    page.show("eligibility.criteria_text", "\n".join(out).strip())
    return out


def _joined_items(text: str) -> list[str]:
    """Criteria lines with wrapped continuation lines joined to the item they continue."""
    joined: list[str] = []
    for raw in text.split("\n"):
        if not raw.strip():
            continue
        starts_item = _ITEM_MARKER.match(raw) or re.match(r"^\s*\d+[.)]\s", raw) or _HEADER_LINE.match(raw)
        if joined and not starts_item and raw.startswith(" "):
            joined[-1] = f"{joined[-1]} {raw.strip()}"
        else:
            joined.append(raw.strip())
    return joined


def age_range(elig: dict[str, Any]) -> str | None:
    low, high = elig["minimum_age"], elig["maximum_age"]
    low_text = low["text"] if low else None
    high_text = high["text"] if high else None
    if low_text and high_text:
        return f"{low_text} to {high_text}"
    if low_text:
        return f"{low_text} and older"
    if high_text:
        return f"up to {high_text}"
    return None


def show_ages(page: Page, elig: dict[str, Any]) -> None:
    for key in ("minimum_age", "maximum_age"):
        if elig[key]:
            page.show(f"eligibility.{key}", elig[key]["text"])


def date_label(kind: str, date: dict[str, Any] | None) -> tuple[str, str] | None:
    if not date:
        return None
    prefix = {"ACTUAL": "Actual ", "ESTIMATED": "Estimated "}.get(date["type"] or "", "")
    name = {
        "start_date": "Study Start Date",
        "primary_completion_date": "Primary Completion Date",
        "completion_date": "Study Completion Date",
    }[kind]
    return f"{prefix}{name}", long_date(date["date"])


def locations(rec: dict[str, Any]) -> list[dict[str, Any]]:
    return [loc for loc in rec["locations"] if loc["city"] and loc["country"]][:MAX_LOCATIONS]


def address(loc: dict[str, Any], *, empty_state: bool = False) -> str:
    parts = [loc["city"], loc["state"] or ("" if empty_state else None), loc["country"]]
    return ", ".join(p for p in parts if p is not None)


# --- layouts -------------------------------------------------------------------------------------


def ctgov2019_pipe(rec: dict[str, Any]) -> Page:
    p = Page()
    status = rec["overall_status"]
    p.add(
        rec["brief_title"],
        "![]() |",
        f"{DISCLAIMER} Read our disclaimer for details. |",
        f"ClinicalTrials.gov Identifier: {rec['nct_id']} |",
        f"Recruitment Status : {STATUS_WORDS[status]}",
    )
    p.show("brief_title", rec["brief_title"])
    p.show("nct_id", rec["nct_id"])
    p.show("overall_status", status)
    lead = rec["sponsor"]["lead"]
    if lead and rec["last_update_date"]:
        p.add(f"Verified {long_date(rec['last_update_date'][:7])} by {lead}.")
    if rec["last_update_date"]:
        p.add(f"Last Update Posted : {long_date(rec['last_update_date'])}")
        p.show("last_update_date", rec["last_update_date"])
    p.add(
        "|", "- Study Details", "- Tabular View", "- No Results Posted", "- Disclaimer", "- How to Read a Study Record"
    )
    rows = arm_rows(rec)
    linked = list({i["name"]: i for _, ints in rows for i in ints}.values())
    p.add("Condition or disease | Intervention/treatment | Phase |", "---|---|---|")
    cells = [
        " ".join(rec["conditions"]),
        " ".join(f"{words(i['type'])}: {i['name']}" for i in linked),
        phase_words(rec["phases"]) if rec["phases"] else "",
    ]
    p.add(" | ".join(cells) + " |")
    p.show("conditions", list(rec["conditions"]))
    p.show("phases", list(rec["phases"]))
    summary = paragraphs(rec["brief_summary"])
    p.add(*summary)
    p.show("brief_summary", "\n".join(summary) or None)
    p.add(f"Study Type : | {STUDY_TYPE_WORDS[rec['study_type']].replace('  ', ' ')} |")
    p.show("study_type", rec["study_type"])
    _pipe_design(p, rec)
    if rec["official_title"]:
        p.add(f"Official Title: | {rec['official_title']} |")
        p.show("official_title", rec["official_title"])
    for kind in ("start_date", "primary_completion_date", "completion_date"):
        labelled = date_label(kind, rec[kind])
        if labelled:
            p.add(f"{labelled[0]} : | {labelled[1]} |")
            p.show(kind, rec[kind])
    p.add("", "Arm | Intervention/treatment |", "---|---|")
    for arm, ints in rows:
        p.add(f"{ARM_WORDS[arm['type']]}: {arm['label']}", *paragraphs(arm["description"]), "|")
        row: list[str] = []
        for i in ints:
            row += [f"{words(i['type'])}: {i['name']}", *paragraphs(i["description"])]
            if i["other_names"]:
                row.append(
                    ("Other Names: " if len(i["other_names"]) > 1 else "Other Name: ") + "; ".join(i["other_names"])
                )
        if row:
            row[-1] += " |"
        p.add(*row)
    show_groups(p, rec, rows)
    outcomes = capped_outcomes(rec)
    for kind in ("primary", "secondary"):
        for o in outcomes[kind]:
            frame = f" [ Time Frame: {o['time_frame']} ]" if o["time_frame"] else ""
            p.add(f"- {o['measure']}{frame}{o['description'] or ''}")
    p.show("outcomes", {**outcomes, "other": []})
    p.add(
        "",
        "Choosing to participate in a study is an important personal decision. Talk with your doctor and "
        "family members or friends about deciding to join a study.",
    )
    _pipe_eligibility_fields(p, rec)
    p.add(*criteria_block(rec, "-", True, p))
    p.add(
        "",
        "To learn more about this study, you or your doctor may contact the study research staff using the "
        "contact information provided by the sponsor.",
        f"Please refer to this study by its ClinicalTrials.gov identifier (NCT number): {rec['nct_id']}",
    )
    shown = []
    for loc in locations(rec):
        p.add(f"{loc['country']}, {loc['state'] or loc['city']} | |")
        if loc["facility"]:
            status_cell = STATUS_WORDS.get(loc["status"] or "", "") if loc["status"] else ""
            p.add(f"{loc['facility']} | {status_cell} |" if status_cell else f"{loc['facility']} | |")
        p.add(f"{address(loc)} | |")
        shown.append({**loc, "status": loc["status"] if loc["facility"] else None})
    p.show("locations", shown)
    if lead:
        p.add(f"Responsible Party: | {lead} |")
        p.show("sponsor.lead", lead)
    p.add(f"ClinicalTrials.gov Identifier: | {rec['nct_id']} |")
    return p


def _pipe_design(p: Page, rec: dict[str, Any], sep: str = " | ", end: str = " |") -> None:
    """Enrollment and design rows of the 2019 layouts: "Label: | value |" (pipe) or "Label: value" (plain)."""
    enrollment = rec["enrollment"]
    if enrollment and enrollment["count"] is not None:
        prefix = {"ACTUAL": "Actual ", "ESTIMATED": "Estimated "}.get(enrollment["type"] or "", "")
        p.add(f"{prefix}Enrollment :{sep}{enrollment['count']} participants{end}")
        p.show("enrollment", {"count": enrollment["count"], "type": enrollment["type"]})
    design = rec["design"]
    if design["allocation"]:
        p.add(f"Allocation:{sep}{ALLOCATION_WORDS[design['allocation']]}{end}")
        p.show("design.allocation", design["allocation"])
    if design["intervention_model"]:
        p.add(f"Intervention Model:{sep}{MODEL_WORDS[design['intervention_model']]}{end}")
        p.show("design.intervention_model", design["intervention_model"])
    if design["masking"]:
        p.add(f"Masking:{sep}{masking_words(design['masking'], design['who_masked'], 'words')}{end}")
        p.show("design.masking", design["masking"])
        p.show("design.who_masked", list(design["who_masked"]))
    if design["primary_purpose"]:
        p.add(f"Primary Purpose:{sep}{words(design['primary_purpose'])}{end}")
        p.show("design.primary_purpose", design["primary_purpose"])


def _pipe_eligibility_fields(p: Page, rec: dict[str, Any], sep: str = ": | ", end: str = " |") -> None:
    elig = rec["eligibility"]
    ages = age_range(elig)
    if ages:
        p.add(f"Ages Eligible for Study{sep}{ages}{end}")
        show_ages(p, elig)
    if elig["sex"]:
        p.add(f"Sexes Eligible for Study{sep}{elig['sex'].title()}{end}")
        p.show("eligibility.sex", elig["sex"])
    if elig["healthy_volunteers"] is not None:
        p.add(f"Accepts Healthy Volunteers{sep}{'Yes' if elig['healthy_volunteers'] else 'No'}{end}")
        p.show("eligibility.healthy_volunteers", elig["healthy_volunteers"])


def ctgov2019_plain(rec: dict[str, Any]) -> Page:
    p = Page()
    status = rec["overall_status"]
    p.add(
        "Working... Menu",
        "",
        rec["brief_title"],
        "",
        f"{DISCLAIMER} Know the risks and potential benefits of clinical studies and talk to your health care "
        f"provider before participating. Read our disclaimer for details. Identifier: {rec['nct_id']}",
        f"Recruitment Status : {STATUS_WORDS[status]}",
    )
    p.show("brief_title", rec["brief_title"])
    p.show("nct_id", rec["nct_id"])
    p.show("overall_status", status)
    if rec["last_update_date"]:
        p.add(f"Last Update Posted : {long_date(rec['last_update_date'])}")
        p.show("last_update_date", rec["last_update_date"])
    sponsor = rec["sponsor"]
    p.add(*sponsor["collaborators"])
    if sponsor["lead"]:
        p.add("Information provided by (Responsible Party):", sponsor["lead"])
    summary = paragraphs(rec["brief_summary"])
    if summary:
        p.add("", "Brief Summary:", *summary)
        p.show("brief_summary", "\n".join(summary))
    rows = arm_rows(rec)
    linked = list({i["name"]: i for _, ints in rows for i in ints}.values())
    p.add(
        "",
        "Condition or disease Intervention/treatment Phase",
        " ".join(
            [
                *rec["conditions"],
                *(f"{words(i['type'])}: {i['name']}" for i in linked),
                phase_words(rec["phases"]) if rec["phases"] else "",
            ]
        ).strip(),
    )
    p.show("conditions", list(rec["conditions"]))
    p.show("phases", list(rec["phases"]))
    detailed = paragraphs(rec["detailed_description"])
    if detailed:
        p.add("", "Detailed Description:", "")
        for para in detailed:
            p.add(para, "")
        p.show("detailed_description", "\n\n".join(detailed))
    p.add("", "Layout table for study information", f"Study Type : {STUDY_TYPE_WORDS[rec['study_type']]}")
    p.show("study_type", rec["study_type"])
    _pipe_design(p, rec, sep=" ", end="")
    if rec["official_title"]:
        p.add(f"Official Title: {rec['official_title']}")
        p.show("official_title", rec["official_title"])
    for kind in ("start_date", "primary_completion_date", "completion_date"):
        labelled = date_label(kind, rec[kind])
        if labelled:
            p.add(f"{labelled[0]} : {labelled[1]}")
            p.show(kind, rec[kind])
    p.add("", "Resource links provided by the National Library of Medicine", "", "Arm Intervention/treatment")
    for arm, ints in rows:
        p.add(f"{ARM_WORDS[arm['type']]}: {arm['label']}", *paragraphs(arm["description"]))
        for i in ints:
            p.add(f"{words(i['type'])}: {i['name']}", *paragraphs(i["description"]))
            if i["other_names"]:
                p.add(("Other Names: " if len(i["other_names"]) > 1 else "Other Name: ") + "; ".join(i["other_names"]))
        p.add("")
    show_groups(p, rec, rows)
    outcomes = capped_outcomes(rec)
    for kind, title in (("primary", "Primary"), ("secondary", "Secondary"), ("other", "Other Pre-specified")):
        if not outcomes[kind]:
            continue
        p.add("", f"{title} Outcome Measures :")
        for n, o in enumerate(outcomes[kind], start=1):
            frame = f" [ Time Frame: {o['time_frame']} ]" if o["time_frame"] else ""
            p.add(f"  {n}. {o['measure']}{frame}")
            if o["description"]:
                p.add(f"    {o['description']}")
            p.add("")
    p.show("outcomes", outcomes)
    p.add(
        "",
        "Information from the National Library of Medicine",
        "",
        "Choosing to participate in a study is an important personal decision. Talk with your doctor and family "
        "members or friends about deciding to join a study.",
        "",
        "Layout table for eligibility information",
    )
    _pipe_eligibility_fields(p, rec, sep=":   ", end="")
    p.add("")
    p.add(*criteria_block(rec, "•", True, p))
    p.add(
        "",
        "Information from the National Library of Medicine",
        "",
        "To learn more about this study, you or your doctor may contact the study research staff using the "
        "contact information provided by the sponsor.",
        "",
        f"Please refer to this study by its identifier (NCT number): {rec['nct_id']}",
        "",
    )
    shown = []
    if locations(rec):
        p.add("Layout table for location information")
    for loc in locations(rec):
        p.add(f"{loc['country']}, {loc['state'] or loc['city']}")
        if loc["facility"]:
            status_words = STATUS_WORDS.get(loc["status"] or "", "") if loc["status"] else ""
            p.add(f"{loc['facility']} {status_words}".rstrip())
        p.add(address(loc))
        shown.append({**loc, "status": loc["status"] if loc["facility"] else None})
    p.show("locations", shown)
    if sponsor["lead"]:
        p.add("Sponsors and Collaborators", sponsor["lead"], *sponsor["collaborators"])
        p.show("sponsor.lead", sponsor["lead"])
        p.show("sponsor.collaborators", list(sponsor["collaborators"]))
    p.add(
        "Layout table for additonal information",
        f"Responsible Party: {sponsor['lead'] or ''} Identifier: {rec['nct_id']}     History of Changes",
    )
    return p


def _blurb(p: Page, heading: str, blurb: str) -> None:
    p.add(heading, "", blurb, "")


def mirror(rec: dict[str, Any]) -> Page:
    p = Page()
    p.add(rec["brief_title"], "", f"NCT ID: {rec['nct_id']}", "")
    p.show("brief_title", rec["brief_title"])
    p.show("nct_id", rec["nct_id"])
    if rec["last_update_date"]:
        p.add(f"Last Updated: {rec['last_update_date']}", "")
        p.show("last_update_date", rec["last_update_date"])
    p.add(
        "Study Results",
        "",
        "Results pending",
        "",
        "The study team has not published outcome measurements, participant flow, or safety data for this trial "
        "yet. Check back later for updates.",
        "",
    )
    _blurb(
        p,
        "Basic Information",
        "Get a concise snapshot of the trial, including recruitment status, study "
        "phase, enrollment targets, and key timeline milestones.",
    )
    p.add("Recruitment Status", "", rec["overall_status"], "")
    p.show("overall_status", rec["overall_status"])
    if rec["phases"]:
        p.add("Clinical Phase", "", ", ".join(rec["phases"]), "")
        p.show("phases", list(rec["phases"]))
    if rec["enrollment"] and rec["enrollment"]["count"] is not None:
        p.add("Total Enrollment", "", f"{rec['enrollment']['count']} participants", "")
        p.show("enrollment", {"count": rec["enrollment"]["count"], "type": None})
    p.add("Study Classification", "", rec["study_type"], "")
    p.show("study_type", rec["study_type"])
    for kind, label in (("start_date", "Study Start Date"), ("completion_date", "Study Completion Date")):
        if rec[kind]:
            p.add(label, "", rec[kind]["date"], "")
            p.show(kind, {"date": rec[kind]["date"], "type": None})
    summary = paragraphs(rec["brief_summary"])
    if summary:
        _blurb(
            p,
            "Brief Summary",
            "Review the sponsor-provided synopsis that highlights what the study is about "
            "and why it is being conducted.",
        )
        for para in summary:
            p.add(para, "")
        p.show("brief_summary", "\n\n".join(summary))
    detailed = paragraphs(rec["detailed_description"])
    if detailed:
        _blurb(
            p,
            "Detailed Description",
            "Dive into the extended narrative that explains the scientific "
            "background, objectives, and procedures in greater depth.",
        )
        for para in detailed:
            p.add(para, "")
        p.show("detailed_description", "\n\n".join(detailed))
    if rec["conditions"]:
        _blurb(
            p,
            "Conditions",
            "See the medical conditions and disease areas that this research is targeting or investigating.",
        )
        p.add(" ".join(rec["conditions"]), "")
        p.show("conditions", list(rec["conditions"]))
    _blurb(
        p,
        "Study Design",
        "Understand how the trial is structured, including allocation methods, masking "
        "strategies, primary purpose, and other design elements.",
    )
    design = rec["design"]
    for key, label in (
        ("allocation", "Allocation Method"),
        ("intervention_model", "Intervention Model"),
        ("primary_purpose", "Primary Study Purpose"),
        ("masking", "Blinding Strategy"),
    ):
        if design[key]:
            p.add(label, "", design[key], "")
            p.show(f"design.{key}", design[key])
    rows = arm_rows(rec)
    if rows:
        _blurb(
            p,
            "Study Groups",
            "Review each arm or cohort in the study, along with the interventions and objectives associated with them.",
        )
        for arm, ints in rows:
            p.add(arm["label"], "")
            for para in paragraphs(arm["description"]):
                p.add(para, "")
            p.add(f"Group Type {arm['type']}", "")
            for i in ints:
                p.add(i["name"], "", f"Intervention Type {i['type']}", "")
                for para in paragraphs(i["description"]):
                    p.add(para, "")
    if rec["interventions"]:
        _blurb(
            p,
            "Interventions",
            "Learn about the drugs, procedures, or behavioral strategies being tested and "
            "how they are applied within this trial.",
        )
        for i in rec["interventions"]:
            p.add(i["name"], "")
            for para in paragraphs(i["description"]):
                p.add(para, "")
            p.add(f"Intervention Type {i['type']}", "")
    show_groups(p, rec, rows, extra=rec["interventions"], joiner="\n\n", other_names=False)
    _blurb(
        p,
        "Eligibility Criteria",
        "Check the participation requirements, including inclusion and exclusion "
        "rules, age limits, and whether healthy volunteers are accepted.",
    )
    p.add(*criteria_block(rec, None, False, p))
    elig = rec["eligibility"]
    for key, label in (("minimum_age", "Minimum Eligible Age"), ("maximum_age", "Maximum Eligible Age")):
        if elig[key]:
            p.add(label, "", elig[key]["text"], "")
    show_ages(p, elig)
    if elig["sex"]:
        p.add("Eligible Sex", "", elig["sex"], "")
        p.show("eligibility.sex", elig["sex"])
    if elig["healthy_volunteers"] is not None:
        p.add("Accepts Healthy Volunteers", "", "Yes" if elig["healthy_volunteers"] else "No", "")
        p.show("eligibility.healthy_volunteers", elig["healthy_volunteers"])
    sponsor = rec["sponsor"]
    if sponsor["lead"]:
        _blurb(
            p, "Sponsors", "Meet the organizations funding or collaborating on the study and learn about their roles."
        )
        p.add(sponsor["lead"], "")
        if sponsor["lead_class"]:
            p.add(sponsor["lead_class"], "")
        p.add("Sponsor Role lead", "")
        for name in sponsor["collaborators"]:
            p.add(name, "", "Sponsor Role collaborator", "")
        p.show(
            "sponsor",
            {
                "lead": sponsor["lead"],
                "lead_class": sponsor["lead_class"],
                "collaborators": list(sponsor["collaborators"]),
            },
        )
    _blurb(
        p,
        "Responsible Party",
        "Identify the individual or organization who holds primary responsibility for "
        "the study information submitted to regulators.",
    )
    shown = []
    if locations(rec):
        _blurb(
            p,
            "Locations",
            "Explore where the study is taking place and check the recruitment status at each participating site.",
        )
        for loc in locations(rec):
            if loc["facility"]:
                p.add(loc["facility"], "")
            p.add(address(loc, empty_state=True), "", "Site Status", "")
            shown.append({**loc, "status": None})
        _blurb(p, "Countries", "Review the countries where the study has at least one active or historical site.")
        p.add(*dict.fromkeys(loc["country"] for loc in locations(rec)), "")
    p.show("locations", shown)
    _blurb(p, "More Related Trials", "Additional clinical trials that may be relevant based on similarity analysis.")
    return p


def clinconnect(rec: dict[str, Any]) -> Page:
    p = Page()
    lead = rec["sponsor"]["lead"]
    p.add("ClinConnect ClinConnect Logo", f"Search / Trial {rec['nct_id']}", "", rec["brief_title"], "")
    p.show("nct_id", rec["nct_id"])
    p.show("brief_title", rec["brief_title"])
    site_date = long_date(rec["last_update_date"]) if rec["last_update_date"] else "Not reported"
    if lead:
        # ClinConnect's "Launched" and "Current as of" dates are the site's, not record fields.
        p.add(f"Launched by {lead.upper()} · {site_date}", "")
        p.show("sponsor.lead", lead.upper())
    p.add(
        "Trial Information",
        "",
        f"Current as of {site_date}",
        "",
        STATUS_WORDS[rec["overall_status"]],
        "",
        "Keywords",
        "",
    )
    p.show("overall_status", rec["overall_status"])
    summary = paragraphs(rec["brief_summary"])
    if summary:
        p.add("ClinConnect Summary", "")
        for para in summary:
            p.add(para, "")
        p.show("brief_summary", "\n\n".join(summary))
    if rec["eligibility"]["sex"]:
        p.add("Gender", "", rec["eligibility"]["sex"], "")
        p.show("eligibility.sex", rec["eligibility"]["sex"])
    p.add("Eligibility criteria", "")
    p.add(*criteria_block(rec, None, True, p, prefix_all="  • "))
    p.add("")
    if lead:
        p.add(f"About {lead}", "", "The organization responsible for this trial provides its profile to the site.", "")
    shown = []
    if locations(rec):
        p.add("Locations", "")
        for loc in locations(rec):
            p.add(address(loc), "")
            shown.append(
                {
                    "facility": None,
                    "city": loc["city"],
                    "state": loc["state"],
                    "country": loc["country"],
                    "status": None,
                }
            )
    p.show("locations", shown)
    p.add(
        "Patients applied",
        "",
        "0 patients applied",
        "",
        "Trial Officials",
        "",
        "Timeline",
        "",
        "First submit",
        "",
        "Trial launched",
        "",
        "Trial updated",
        "",
        "Estimated completion",
        "",
        "Not reported",
    )
    return p


def plain(rec: dict[str, Any]) -> Page:
    p = Page()
    p.add(f"# {rec['brief_title']}", "", f"NCT Number: {rec['nct_id']}")
    p.show("brief_title", rec["brief_title"])
    p.show("nct_id", rec["nct_id"])
    for key, label in (("official_title", "Official Title"), ("acronym", "Acronym")):
        if rec[key]:
            p.add(f"{label}: {rec[key]}")
            p.show(key, rec[key])
    p.add(f"Overall Status: {STATUS_WORDS[rec['overall_status']]}")
    p.show("overall_status", rec["overall_status"])
    if rec["why_stopped"]:
        p.add(f"Why Stopped: {rec['why_stopped']}")
        p.show("why_stopped", rec["why_stopped"])
    p.add(f"Study Type: {words(rec['study_type'])}")
    p.show("study_type", rec["study_type"])
    if rec["phases"]:
        p.add(f"Phase: {phase_words(rec['phases'])}")
        p.show("phases", list(rec["phases"]))
    for kind, name in (
        ("start_date", "Start Date"),
        ("primary_completion_date", "Primary Completion Date"),
        ("completion_date", "Completion Date"),
    ):
        date = rec[kind]
        if date:
            prefix = {"ACTUAL": "Actual ", "ESTIMATED": "Estimated "}.get(date["type"] or "", "")
            p.add(f"{prefix}{name}: {date['date']}")
            p.show(kind, date)
    if rec["last_update_date"]:
        p.add(f"Last Updated: {rec['last_update_date']}")
        p.show("last_update_date", rec["last_update_date"])
    enrollment = rec["enrollment"]
    if enrollment and enrollment["count"] is not None:
        prefix = {"ACTUAL": "Actual ", "ESTIMATED": "Estimated "}.get(enrollment["type"] or "", "")
        p.add(f"{prefix}Enrollment: {enrollment['count']} participants")
        p.show("enrollment", {"count": enrollment["count"], "type": enrollment["type"]})
    design = rec["design"]
    if any(design[k] for k in ("allocation", "intervention_model", "primary_purpose", "masking")):
        p.add("", "## Design")
        if design["allocation"]:
            p.add(f"Allocation: {ALLOCATION_WORDS[design['allocation']]}")
        if design["intervention_model"]:
            p.add(f"Intervention Model: {words(design['intervention_model'])}")
        if design["primary_purpose"]:
            p.add(f"Primary Purpose: {words(design['primary_purpose'])}")
        if design["masking"]:
            p.add(f"Masking: {masking_words(design['masking'], design['who_masked'], 'words')}")
        p.show("design", {**design, "who_masked": list(design["who_masked"]) if design["masking"] else []})
    if rec["conditions"] or rec["keywords"]:
        p.add("", "## Conditions")
        if rec["conditions"]:
            p.add("; ".join(rec["conditions"]))
            p.show("conditions", list(rec["conditions"]))
        if rec["keywords"]:
            p.add(f"Keywords: {'; '.join(rec['keywords'])}")
            p.show("keywords", list(rec["keywords"]))
    for key, title in (("brief_summary", "Brief Summary"), ("detailed_description", "Detailed Description")):
        paras = paragraphs(rec[key])
        if paras:
            p.add("", f"## {title}", "")
            for para in paras:
                p.add(para, "")
            p.show(key, "\n\n".join(paras))
    rows = arm_rows(rec)
    if rows:
        p.add("", "## Arms")
        for arm, ints in rows:
            p.add(f"- {ARM_WORDS[arm['type']] + ': ' if arm['type'] else ''}{arm['label']}")
            if arm["description"]:
                p.add(f"  {line(arm['description'])}")
            if ints:
                p.add("  Interventions: " + "; ".join(f"{words(i['type'])}: {i['name']}" for i in ints))
    if rec["interventions"]:
        p.add("", "## Interventions")
        for i in rec["interventions"]:
            p.add(f"- {words(i['type'])}: {i['name']}")
            if i["description"]:
                p.add(f"  {line(i['description'])}")
            if i["other_names"]:
                p.add(f"  Other names: {'; '.join(i['other_names'])}")
    show_groups(p, rec, rows, extra=rec["interventions"], joiner=" ")
    outcomes = capped_outcomes(rec)
    if any(outcomes.values()):
        p.add("", "## Outcome Measures")
        for kind in ("primary", "secondary", "other"):
            for o in outcomes[kind]:
                p.add(f"{kind.title()}: {o['measure']}")
                if o["time_frame"]:
                    p.add(f"  Time frame: {o['time_frame']}")
                if o["description"]:
                    p.add(f"  {o['description']}")
        p.show("outcomes", outcomes)
    elig = rec["eligibility"]
    p.add("", "## Eligibility")
    for key, label in (("minimum_age", "Minimum Age"), ("maximum_age", "Maximum Age")):
        if elig[key]:
            p.add(f"{label}: {elig[key]['text']}")
    show_ages(p, elig)
    if elig["sex"]:
        p.add(f"Sex: {elig['sex'].title()}")
        p.show("eligibility.sex", elig["sex"])
    if elig["healthy_volunteers"] is not None:
        p.add(f"Healthy Volunteers: {'Yes' if elig['healthy_volunteers'] else 'No'}")
        p.show("eligibility.healthy_volunteers", elig["healthy_volunteers"])
    p.add("")
    p.add(*criteria_block(rec, None, True, p))
    sponsor = rec["sponsor"]
    if sponsor["lead"]:
        p.add("", "## Sponsor", f"Lead Sponsor: {sponsor['lead']}")
        if sponsor["lead_class"]:
            p.add(f"Sponsor Class: {sponsor['lead_class']}")
        if sponsor["collaborators"]:
            p.add(f"Collaborators: {'; '.join(sponsor['collaborators'])}")
        p.show("sponsor", {**sponsor, "collaborators": list(sponsor["collaborators"])})
    shown = locations(rec)
    if shown:
        p.add("", "## Locations")
        for loc in shown:
            status = f" ({STATUS_WORDS[loc['status']]})" if loc["status"] in STATUS_WORDS else ""
            if loc["facility"]:
                p.add(f"- {loc['facility']}{status}", f"  {address(loc)}")
            else:
                p.add(f"- {address(loc)}{status}")
        p.show(
            "locations", [{**loc, "status": loc["status"] if loc["status"] in STATUS_WORDS else None} for loc in shown]
        )
    return p


RENDERERS: dict[str, Callable[[dict[str, Any]], Page]] = {
    "ctgov2019_pipe": ctgov2019_pipe,
    "ctgov2019_plain": ctgov2019_plain,
    "mirror": mirror,
    "clinconnect": clinconnect,
    "plain": plain,
}
SHOWS = {
    "ctgov2019_pipe": "title, identifier, status, last update, conditions/phase table, summary (no heading), "
    "design table, official title, typed dates, arms table with interventions, outcomes without kind headings, "
    "ages/sex/volunteers, criteria with '-' bullets, locations, responsible party as lead sponsor",
    "ctgov2019_plain": "title, identifier, status, last update, brief and detailed description, conditions row, "
    "design, official title, typed dates, arms with interventions, outcomes under kind headings, "
    "ages/sex/volunteers, criteria with '•' bullets, locations, sponsors and collaborators",
    "mirror": "title, NCT ID, last updated, status, phases, enrollment count (no type), study type, start and "
    "completion dates (no type), summaries, conditions run together, design enums (no masked roles), study groups "
    "and interventions (no other names), criteria with headers without colons, ages/sex/volunteers, sponsors, locations (no site "
    "status); no outcomes, no official title",
    "clinconnect": "NCT id, title, lead sponsor (upper case, 'Launched by'), status word, summary, gender, criteria "
    "as '•' lines, locations as city/state/country only; no dates, design, arms or outcomes",
    "plain": "every field as 'Field: value' lines under '## ' headings, arms / interventions / outcomes / locations "
    "as dash lists",
}


# --- record choice --------------------------------------------------------------------------------


def load_records(records: Path) -> list[tuple[str, dict[str, Any]]]:
    """(origin path, record dict) per structured record, one per NCT id, sorted by a hash of the id."""
    seen: dict[str, tuple[str, dict[str, Any]]] = {}
    inputs = [str(records / "ctgov-v2"), str(records / "ctgov-xml")]
    for source in iter_sources(inputs, max_bytes=20_000_000):
        row = extract_structured(source)
        if row.status != "ok" or row.record is None or not row.record.nct_id:
            continue
        origin = f"../shared/records/{Path(source.path).relative_to(records).as_posix()}"
        seen.setdefault(row.record.nct_id, (origin, row.record.model_dump(mode="json")))
    return sorted(seen.values(), key=lambda item: hashlib.sha256(item[1]["nct_id"].encode()).hexdigest())


def _base_ok(rec: dict[str, Any]) -> bool:
    elig = rec["eligibility"]
    kinds = {h["kind"] for h in elig["headers"]}
    return (
        bool(rec["brief_title"] and rec["study_type"] and rec["overall_status"] in STATUS_WORDS)
        and kinds == {"inclusion", "exclusion"}
        and len(elig["criteria_text"] or "") <= MAX_CRITERIA_CHARS
        and len(rec["brief_summary"] or "") <= 2000
        and len(rec["detailed_description"] or "") <= 3000
        and bool(elig["inclusion"])
        and bool(elig["exclusion"])
    )


def _groups_ok(rec: dict[str, Any]) -> bool:
    rows = arm_rows(rec)
    return (
        rec["study_type"] == "INTERVENTIONAL"
        and 1 <= len(rec["arms"]) <= 4
        and all(arm["type"] for arm in rec["arms"])
        and all(i["type"] for i in rec["interventions"])
        and all(ints for _, ints in rows)
    )


ELIGIBLE: dict[str, Callable[[dict[str, Any]], bool]] = {
    "ctgov2019_pipe": lambda r: _base_ok(r) and _groups_ok(r) and bool(r["outcomes"]["primary"]),
    "ctgov2019_plain": lambda r: _base_ok(r) and _groups_ok(r) and bool(r["outcomes"]["primary"]),
    "mirror": lambda r: _base_ok(r) and _groups_ok(r),
    "clinconnect": lambda r: _base_ok(r) and bool(r["brief_summary"]),
    "plain": lambda r: _base_ok(r) and all(i["type"] for i in r["interventions"]),
}


def choose(records: list[tuple[str, dict[str, Any]]], per_layout: int) -> list[tuple[str, str, dict[str, Any]]]:
    """Round-robin over layouts: each takes the next unused record it can show, until it has `per_layout`."""
    chosen: list[tuple[str, str, dict[str, Any]]] = []
    used: set[str] = set()
    counts = dict.fromkeys(LAYOUTS, 0)
    progress = True
    while progress:
        progress = False
        for layout in LAYOUTS:
            if counts[layout] >= per_layout:
                continue
            pick = next(((o, r) for o, r in records if r["nct_id"] not in used and ELIGIBLE[layout](r)), None)
            if pick is None:
                continue
            used.add(pick[1]["nct_id"])
            counts[layout] += 1
            chosen.append((layout, *pick))
            progress = True
    return chosen


def render_fixture(layout: str, origin: str, rec: dict[str, Any]) -> tuple[str, bytes]:
    page = RENDERERS[layout](rec)
    gold = Gold.model_validate(
        {
            "id": rec["nct_id"],
            "set": "rendered",
            "source": {
                "file": "source.txt",
                "origin": origin,
                "note": f"rendered by evals/render.py (layout {layout}): the page shows {SHOWS[layout]}; "
                "gold = the structured mapping restricted to what the page shows",
            },
            "record": page.gold,
            "findings": {"must_raise": [], "must_not_raise": []},
            "judgement_calls": [],
        }
    )
    return page.text(), gold_json(gold)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=Path, default=RECORDS)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--per-layout", type=int, default=PER_LAYOUT)
    parser.add_argument("--check", action="store_true", help="compare with the fixtures on disk; write nothing")
    args = parser.parse_args(argv)
    chosen = choose(load_records(args.records), args.per_layout)
    folders = {}
    for layout, origin, rec in chosen:
        text, gold = render_fixture(layout, origin, rec)
        folders[f"{rec['nct_id']}-{layout}"] = {"source.txt": text.encode("utf-8"), "gold.json": gold}
    code = sync_fixture_set(args.out, folders, check=args.check, made="rendered")
    if args.check:
        return code
    print(f"rendered {len(chosen)} fixtures into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
