"""The curated label -> field and spelling -> value tables (data in extract/page/data/), and label keys.

Invariant: every entry names what motivated it ("WHO TRDS", "data dictionary", "seeds", or the
rendered layout(s) whose page showed it). `Tables.without(layout)` drops the entries motivated
only by that layout: what leave-one-layout-out scores a layout with.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

# Record fields a page label can hold; "ignore" = a label that holds no record field.
FIELDS: dict[str, str] = {
    "nct_id": "the ClinicalTrials.gov identifier (NCT number)",
    "brief_title": "the short public title",
    "official_title": "the full scientific title",
    "acronym": "the study acronym",
    "overall_status": "the recruitment status",
    "why_stopped": "why the study stopped",
    "last_update_date": "date the record was last updated",
    "start_date": "date the study started or first participant enrolled",
    "primary_completion_date": "date of primary completion",
    "completion_date": "date the study ended",
    "study_type": "interventional or observational",
    "phases": "the trial phase",
    "enrollment": "number of participants",
    "allocation": "randomised or not",
    "intervention_model": "parallel, crossover, single group assignment",
    "primary_purpose": "treatment, prevention, diagnostic purpose",
    "masking": "blinding / masking",
    "design_prose": "study design described in words",
    "conditions": "diseases or conditions studied",
    "keywords": "keywords",
    "brief_summary": "summary or objectives of the study",
    "detailed_description": "detailed description",
    "interventions": "interventions or treatments",
    "intervention_type": "type of one intervention",
    "intervention_name": "name of one intervention",
    "outcomes": "outcome measures",
    "primary_outcomes": "primary outcome(s) or end point(s)",
    "secondary_outcomes": "secondary outcome(s) or end point(s)",
    "time_frame": "when an outcome is measured (time point)",
    "criteria": "inclusion / exclusion criteria",
    "minimum_age": "minimum age",
    "maximum_age": "maximum age",
    "age_range": "eligible ages as a range",
    "sex": "sex or gender eligible",
    "healthy_volunteers": "whether healthy volunteers are accepted",
    "lead_sponsor": "the lead or primary sponsor",
    "collaborators": "collaborators or secondary sponsors",
    "ignore": "none of these",
}

CODE = re.compile(r"^(?:[A-Z]{1,2}\.(?:\d+(?:\.\d+)*)?\.?|\d+(?:\.\d+)*[.)]?)\s+")
_INDEX = re.compile(r"\s*\[(\d+)\]\s*$")
_DATE_KIND = re.compile(
    r"^(?:(?P<pre>actual|anticipated|estimated|planned|expected)\s+)?(?P<rest>.*?)"
    r"(?:\s*\((?P<post>actual|anticipated|estimated|planned|expected)\))?$",
    re.I,
)
DATE_KINDS = {
    "actual": "ACTUAL",
    "anticipated": "ESTIMATED",
    "estimated": "ESTIMATED",
    "planned": "ESTIMATED",
    "expected": "ESTIMATED",
}


@dataclass(frozen=True)
class LabelKey:
    """A page label reduced to what the tables are keyed by, plus what the reduction removed."""

    key: str  # lower case, no section code, no "[n]", no date-kind word, "(s)" -> "s"
    index: int | None  # "Outcome [2]" -> 2
    kind: str | None  # ACTUAL / ESTIMATED from "Actual …" / "… (Estimated)"


def label_key(label: str) -> LabelKey:
    """ "E.5.1.1 Timepoint(s) of evaluation:" -> key "timepoints of evaluation"; "Timepoint [2]" -> index 2."""
    text = " ".join(label.split()).strip().rstrip(":：").strip()
    text = CODE.sub("", text)
    index = None
    numbered = _INDEX.search(text)
    if numbered:
        index = int(numbered[1])
        text = text[: numbered.start()]
    kind = None
    match = _DATE_KIND.match(text)
    if match and (match["pre"] or match["post"]) and match["rest"]:
        kind = DATE_KINDS[(match["pre"] or match["post"]).lower()]
        text = match["rest"]
    text = re.sub(r"\((e?s)\)", r"\1", text.lower())
    text = re.sub(r"\s*([/&,])\s*", r" \1 ", text)
    words = text.replace("’", "'").split()
    if words and len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith(("ss", "us", "is")):
        words[-1] = words[-1][:-1]  # "Secondary Outcomes" and "Secondary Outcome" are one label
    return LabelKey(key=" ".join(words), index=index, kind=kind)


def display_label(label: str) -> str:
    """The label as the page prints it, without its section code and trailing colon (what the model sees)."""
    return CODE.sub("", " ".join(label.split()).strip().rstrip(":：").strip())


@dataclass(frozen=True)
class Tables:
    labels: dict[str, str]  # label key -> field
    values: dict[str, dict[str, str | None]]  # field -> normalised spelling -> v2 value (None: states nothing)

    def without(self, layout: str) -> Tables:
        return load_tables(exclude=layout)


def spelling_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


@cache
def load_tables(exclude: str | None = None) -> Tables:
    """The curated tables; `exclude`: drop entries motivated only by that layout (leave one out)."""
    synonyms = json.loads((DATA / "synonyms.json").read_text(encoding="utf-8"))["fields"]
    labels: dict[str, str] = {}
    for field, entries in synonyms.items():
        for entry in entries:
            if exclude is not None and set(entry["from"]) <= {exclude}:
                continue
            labels.setdefault(label_key(entry["label"]).key, field)
    spellings = json.loads((DATA / "values.json").read_text(encoding="utf-8"))["values"]
    values: dict[str, dict[str, str | None]] = {}
    for field, entries in spellings.items():
        for entry in entries:
            if exclude is not None and set(entry["from"]) <= {exclude}:
                continue
            values.setdefault(field, {})[spelling_key(entry["spelling"])] = entry["value"]
    return Tables(labels=labels, values=values)


__all__ = ["DATE_KINDS", "FIELDS", "LabelKey", "Tables", "display_label", "label_key", "load_tables", "spelling_key"]
