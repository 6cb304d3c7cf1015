"""Render real structured records as other registries print them, with gold = what the page states.

    python evals/render_registries.py            # (re)write evals/fixtures/registries/
    python evals/render_registries.py --check    # exit 1 if a fixture on disk differs from a fresh render

The `registries` set measures page extraction on layouts none of the five seed pages has. Each
layout below copies one real registry's label words, field order, separators, date style and age
style (from that registry's public record pages and data dictionary): ClinicalTrials.gov's current
study page, the EU Clinical Trials Register, ChiCTR, CTRI, jRCT, DRKS, ANZCTR, ISRCTN and PACTR.
Records come from ../shared/records (CT.gov v2 JSON and legacy XML), mapped by the structured
mappers, chosen deterministically (sha256 of "registries:" + NCT id, round robin over layouts, no
record used twice, none of the records the `rendered` set uses).

Gold rule (as evals/render.py): a layout prints a value and records it in gold in the same step
(`render.Page.show`), so gold is the structured mapping restricted to what the page states.
Values a registry prints in a coarser form carry that form: a masking printed as "double-blind"
without roles has who_masked []; a date printed without "Actual"/"Anticipated" has type null;
a design printed as prose ("Randomised double-blind parallel-group trial") is gold for the
allocation, masking and model the prose states. Criteria are printed as the record writes them
(with its own Inclusion/Exclusion headers) under the registry's criteria label; what follows them
is the registry's next label. Not printed by any layout (gold empty): arms, locations, detailed
description, keywords. Dates printed as day/month/year are day first (the WHO registries' order).

Leave one layout out (decided before any tuning; see docs/registries.md): every synonym-table and
alias entry in extract/page/data/ names the layout(s) whose page motivated it, or a public source
("WHO TRDS", "data dictionary", "seeds"); a layout is scored with the entries motivated only by
itself removed and an empty learned layout map.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "evals"))

import render  # noqa: E402
from render import MONTHS, Page, capped_outcomes, criteria_block, words  # noqa: E402

from extract.score.fixtures import Gold, gold_json, sync_fixture_set  # noqa: E402

OUT = REPO / "evals" / "fixtures" / "registries"
PER_LAYOUT = 5
MAX_INTERVENTIONS = 4


# --- value styles -------------------------------------------------------------------------------


def _parts(iso: str) -> list[int]:
    return [int(p) for p in iso.split("-")]


def date_iso(iso: str) -> str:
    return iso


def date_dmy(sep: str) -> Callable[[str], str]:
    def fmt(iso: str) -> str:
        p = _parts(iso)
        if len(p) == 2:
            return f"{MONTHS[p[1] - 1]} {p[0]}"
        return f"{p[2]:02d}{sep}{p[1]:02d}{sep}{p[0]}"

    return fmt


def date_anz(iso: str) -> str:
    """ANZCTR: 5/08/2014 (day without a leading zero)."""
    p = _parts(iso)
    return f"{MONTHS[p[1] - 1]} {p[0]}" if len(p) == 2 else f"{p[2]}/{p[1]:02d}/{p[0]}"


def date_ymd_slash(iso: str) -> str:
    p = _parts(iso)
    return "/".join(f"{x:02d}" if i else str(x) for i, x in enumerate(p))


def date_long(iso: str) -> str:
    """5 August 2014; August 2014."""
    p = _parts(iso)
    return f"{MONTHS[p[1] - 1]} {p[0]}" if len(p) == 2 else f"{p[2]} {MONTHS[p[1] - 1]} {p[0]}"


def age_plain(age: dict[str, Any]) -> str:
    return str(age["text"])


def age_paren(age: dict[str, Any]) -> str:
    """CTRI / PACTR: 18.00 Year(s) / 18 Year(s)."""
    unit = age["unit"].title().rstrip("s")
    return f"{age['value']} {unit}(s)"


def age_ctri(age: dict[str, Any]) -> str:
    unit = age["unit"].title().rstrip("s")
    return f"{float(age['value']):.2f} {unit}(s)"


def age_lower(age: dict[str, Any]) -> str:
    return str(age["text"]).lower()


PHASE_ROMAN = {"EARLY_PHASE1": "0", "PHASE1": "I", "PHASE2": "II", "PHASE3": "III", "PHASE4": "IV"}


def phase_roman(phases: list[str]) -> str:
    if phases == ["NA"]:
        return "N/A"
    return "/".join(PHASE_ROMAN[p] for p in phases)


def phase_words(phases: list[str]) -> str:
    return render.phase_words(phases)


def phase_phase_roman(phases: list[str]) -> str:
    if phases == ["NA"]:
        return "Not Applicable"
    return "/".join(f"Phase {PHASE_ROMAN[p]}" for p in phases)


@dataclass(frozen=True)
class Layout:
    """How one registry prints a record. `sep` joins a label and its value on one line ("" puts a
    long value on the lines after its label); every label word is the registry's own."""

    name: str
    registry: str
    sep: str
    labels: dict[str, str]
    date: Callable[[str], str]
    age: Callable[[dict[str, Any]], str] | None
    no_max_age: str | None
    status: dict[str, str]
    sex: dict[str, str]
    phase: Callable[[list[str]], str] | None
    study_type: dict[str, str]
    enums: dict[str, dict[str, str]]  # design field -> value -> words
    dated: dict[str, str]  # date type -> label prefix/suffix form ("{label} (Actual)")
    conditions: str  # "lines" | "; " | "table"
    interventions: str  # "type_name" | "table" | "numbered"
    outcomes: str  # "numbered" | "table" | "frame" | "blocks"
    design_prose: Callable[[dict[str, Any]], tuple[str, dict[str, Any]]] | None = None
    header: tuple[str, ...] = ()


def line_of(layout: Layout, label: str, value: str) -> str:
    return f"{label}{layout.sep}{value}" if layout.sep != "|" else f"| {label} | {value} |"


def prose_isrctn(design: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """ "Randomised double-blind placebo-controlled parallel-group trial" and what it states."""
    shown: dict[str, Any] = {}
    words_ = []
    if design["allocation"] in ("RANDOMIZED", "NON_RANDOMIZED"):
        words_.append("Randomised" if design["allocation"] == "RANDOMIZED" else "Non-randomised")
        shown["allocation"] = design["allocation"]
    masking = {
        "NONE": "open-label",
        "SINGLE": "single-blind",
        "DOUBLE": "double-blind",
        "TRIPLE": "triple-blind",
        "QUADRUPLE": "quadruple-blind",
    }.get(design["masking"] or "")
    if masking:
        words_.append(masking)
        shown["masking"] = design["masking"]
    model = {
        "PARALLEL": "parallel-group",
        "CROSSOVER": "crossover",
        "FACTORIAL": "factorial",
        "SINGLE_GROUP": "single-arm",
        "SEQUENTIAL": "sequential",
    }.get(design["intervention_model"] or "")
    if model:
        words_.append(model)
        shown["intervention_model"] = design["intervention_model"]
    words_.append("trial")
    text = " ".join(words_)
    return text[0].upper() + text[1:], shown


def prose_jrct(design: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """ "randomized controlled trial, double blind, placebo control, parallel assignment, treatment purpose"."""
    shown: dict[str, Any] = {}
    parts = []
    if design["allocation"] in ("RANDOMIZED", "NON_RANDOMIZED"):
        parts.append(
            "randomized controlled trial" if design["allocation"] == "RANDOMIZED" else "non-randomized controlled trial"
        )
        shown["allocation"] = design["allocation"]
    masking = {
        "NONE": "open(masking not used)",
        "SINGLE": "single blind",
        "DOUBLE": "double blind",
        "TRIPLE": "triple blind",
        "QUADRUPLE": "quadruple blind",
    }.get(design["masking"] or "")
    if masking:
        parts.append(masking)
        shown["masking"] = design["masking"]
    model = {
        "PARALLEL": "parallel assignment",
        "CROSSOVER": "crossover assignment",
        "FACTORIAL": "factorial assignment",
        "SINGLE_GROUP": "single assignment",
    }.get(design["intervention_model"] or "")
    if model:
        parts.append(model)
        shown["intervention_model"] = design["intervention_model"]
    purpose = {
        "TREATMENT": "treatment purpose",
        "PREVENTION": "prevention purpose",
        "DIAGNOSTIC": "diagnostic purpose",
        "SUPPORTIVE_CARE": "supportive care purpose",
        "BASIC_SCIENCE": "basic science purpose",
        "SCREENING": "screening purpose",
        "HEALTH_SERVICES_RESEARCH": "health services research purpose",
        "OTHER": "other purpose",
    }.get(design["primary_purpose"] or "")
    if purpose:
        parts.append(purpose)
        shown["primary_purpose"] = design["primary_purpose"]
    return ", ".join(parts), shown


def prose_ctri(design: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """ "Randomized, Parallel Group Trial" (CTRI's Study Design)."""
    shown: dict[str, Any] = {}
    parts = []
    if design["allocation"] in ("RANDOMIZED", "NON_RANDOMIZED"):
        parts.append("Randomized" if design["allocation"] == "RANDOMIZED" else "Non-randomized")
        shown["allocation"] = design["allocation"]
    model = {
        "PARALLEL": "Parallel Group",
        "CROSSOVER": "Crossover",
        "FACTORIAL": "Factorial",
        "SINGLE_GROUP": "Single Arm",
    }.get(design["intervention_model"] or "")
    if model:
        parts.append(model)
        shown["intervention_model"] = design["intervention_model"]
    if not parts:
        return "", {}
    return ", ".join(parts) + " Trial", shown


PURPOSE_WORDS = {
    "TREATMENT": "Treatment",
    "PREVENTION": "Prevention",
    "DIAGNOSTIC": "Diagnosis",
    "SUPPORTIVE_CARE": "Supportive care",
    "BASIC_SCIENCE": "Basic science",
    "SCREENING": "Screening",
    "HEALTH_SERVICES_RESEARCH": "Health services research",
    "OTHER": "Other",
}
STATUS_CTGOV = render.STATUS_WORDS
STATUS_ANZ = {**STATUS_CTGOV, "TERMINATED": "Stopped early", "UNKNOWN": "Recruitment status unknown"}
STATUS_DRKS = {
    "COMPLETED": "Recruiting complete, study complete",
    "RECRUITING": "Recruiting ongoing",
    "NOT_YET_RECRUITING": "Recruiting planned",
    "ACTIVE_NOT_RECRUITING": "Recruiting complete, follow-up continuing",
    "TERMINATED": "Recruiting stopped after recruiting started",
    "WITHDRAWN": "Recruiting withdrawn before recruiting started",
    "SUSPENDED": "Recruiting suspended on temporary hold",
}
STATUS_CHICTR = {
    "COMPLETED": "Completed",
    "RECRUITING": "Recruiting",
    "NOT_YET_RECRUITING": "Not recruiting yet",
    "SUSPENDED": "Suspended",
    "TERMINATED": "Terminated",
}
STATUS_EU = {
    "COMPLETED": "Completed",
    "TERMINATED": "Prematurely Ended",
    "RECRUITING": "Ongoing",
    "ACTIVE_NOT_RECRUITING": "Ongoing",
}
STATUS_EU_ONE = {k: v for k, v in STATUS_EU.items() if k in ("COMPLETED", "TERMINATED")}
SEX_ALL = {"ALL": "Both", "FEMALE": "Female", "MALE": "Male"}

LAYOUTS: tuple[Layout, ...] = (
    Layout(
        name="ctgov_current",
        registry="ClinicalTrials.gov study page (2023-)",
        sep="",
        labels={
            "nct_id": "ClinicalTrials.gov ID",
            "lead": "Sponsor",
            "brief_summary": "Brief Summary",
            "official_title": "Official Title",
            "conditions": "Conditions",
            "interventions": "Intervention / Treatment",
            "start_date": "Study Start",
            "primary_completion_date": "Primary Completion",
            "completion_date": "Study Completion",
            "enrollment": "Enrollment",
            "study_type": "Study Type",
            "phases": "Phase",
            "criteria": "Eligibility Criteria",
            "age_range": "Ages Eligible for Study",
            "sex": "Sexes Eligible for Study",
            "healthy_volunteers": "Accepts Healthy Volunteers",
            "primary_purpose": "Primary Purpose",
            "allocation": "Allocation",
            "intervention_model": "Interventional Model",
            "masking": "Masking",
            "outcomes": "Outcome Measures",
        },
        date=date_iso,
        age=age_plain,
        no_max_age=None,
        status={},
        sex={"ALL": "All", "FEMALE": "Female", "MALE": "Male"},
        phase=phase_words,
        study_type={"INTERVENTIONAL": "Interventional", "OBSERVATIONAL": "Observational"},
        enums={
            "allocation": {"RANDOMIZED": "Randomized", "NON_RANDOMIZED": "Non-Randomized", "NA": "NA"},
            "intervention_model": {
                "PARALLEL": "Parallel",
                "SINGLE_GROUP": "Single Group",
                "CROSSOVER": "Crossover",
                "FACTORIAL": "Factorial",
                "SEQUENTIAL": "Sequential",
            },
            "primary_purpose": {k: v.title() for k, v in PURPOSE_WORDS.items() if k != "DIAGNOSTIC"}
            | {"DIAGNOSTIC": "Diagnostic"},
            "masking": {},
        },
        dated={"ACTUAL": "{label} (Actual)", "ESTIMATED": "{label} (Estimated)"},
        conditions="lines",
        interventions="type_name",
        outcomes="table",
        header=("Study Overview",),
    ),
    Layout(
        name="euctr",
        registry="EU Clinical Trials Register (EudraCT protocol)",
        sep=": ",
        labels={
            "official_title": "A.3 Full title of the trial",
            "brief_title": "A.3.1 Title of the trial for lay people, in easily understood, i.e. non-technical, language",
            "nct_id": "A.5.2 US NCT (ClinicalTrials.gov registry) number",
            "lead": "B.1.1 Name of Sponsor",
            "conditions": "E.1.1 Medical condition(s) being investigated",
            "brief_summary": "E.2.1 Main objective of the trial",
            "criteria": "E.3 Principal inclusion and exclusion criteria",
            "primary": "E.5.1 Primary end point(s)",
            "primary_tf": "E.5.1.1 Timepoint(s) of evaluation of this end point",
            "secondary": "E.5.2 Secondary end point(s)",
            "secondary_tf": "E.5.2.1 Timepoint(s) of evaluation of this end point",
            "allocation": "E.8.1.1 Randomised",
            "enrollment": "F.4.2.2 In the whole clinical trial",
            "overall_status": "Trial Status",
            "completion_date": "P. Date of the global end of the trial",
        },
        date=date_iso,
        age=None,
        no_max_age=None,
        status=STATUS_EU_ONE,
        sex={},
        phase=None,
        study_type={},
        enums={"allocation": {"RANDOMIZED": "Yes", "NON_RANDOMIZED": "No"}},
        dated={},
        conditions="; ",
        interventions="",
        outcomes="blocks",
        header=("Clinical Trials Register", "Summary"),
    ),
    Layout(
        name="chictr",
        registry="Chinese Clinical Trial Registry",
        sep=": ",
        labels={
            "nct_id": "Secondary ID",
            "brief_title": "Public title",
            "official_title": "Scientific title",
            "study_type": "Study type",
            "phases": "Study phase",
            "conditions": "Target disease",
            "lead": "Primary sponsor",
            "brief_summary": "Objectives of Study",
            "criteria": "Inclusion and exclusion criteria",
            "start_date": "Study execute time from",
            "completion_date": "Study execute time to",
            "enrollment": "Sample size",
            "allocation": "Randomization Procedure",
            "masking": "Blinding",
            "intervention_model": "Study design",
            "min_age": "Min age",
            "max_age": "Max age",
            "sex": "Gender",
            "overall_status": "Recruiting status",
            "interventions": "Interventions",
            "outcomes": "Outcomes",
        },
        date=date_iso,
        age=age_lower,
        no_max_age="No limit",
        status=STATUS_CHICTR,
        sex=SEX_ALL,
        phase=phase_words,
        study_type={"INTERVENTIONAL": "Interventional study", "OBSERVATIONAL": "Observational study"},
        enums={
            "allocation": {"RANDOMIZED": "Randomized", "NON_RANDOMIZED": "Non randomized"},
            "masking": {"NONE": "Open", "SINGLE": "Single blind", "DOUBLE": "Double blind"},
            "intervention_model": {
                "PARALLEL": "Parallel",
                "CROSSOVER": "Cross-over",
                "SINGLE_GROUP": "Single arm",
                "FACTORIAL": "Factorial",
            },
        },
        dated={},
        conditions="; ",
        interventions="table",
        outcomes="table",
    ),
    Layout(
        name="ctri",
        registry="Clinical Trials Registry - India",
        sep="\t",
        labels={
            "brief_title": "Public Title of Study",
            "official_title": "Scientific Title of Study",
            "nct_id": "Secondary IDs if Any",
            "lead": "Primary Sponsor",
            "conditions": "Health Condition / Problems Studied",
            "interventions": "Intervention / Comparator Agent",
            "min_age": "Age From",
            "max_age": "Age To",
            "sex": "Gender",
            "criteria": "Details",
            "design_prose": "Study Design",
            "masking": "Blinding/Masking",
            "primary": "Primary Outcome",
            "secondary": "Secondary Outcome",
            "enrollment": "Target Sample Size",
            "phases": "Phase of Trial",
            "start_date": "Date of First Enrollment (Global)",
            "overall_status": "Recruitment Status of Trial (Global)",
            "brief_summary": "Brief Summary",
        },
        date=date_dmy("-"),
        age=age_ctri,
        no_max_age="NA",
        status=STATUS_CTGOV,
        sex=SEX_ALL,
        phase=phase_phase_roman,
        study_type={},
        enums={"masking": {"NONE": "Open Label", "DOUBLE": "Double Blinded"}},
        dated={},
        conditions="table",
        interventions="table",
        outcomes="table",
        design_prose=prose_ctri,
    ),
    Layout(
        name="jrct",
        registry="Japan Registry of Clinical Trials",
        sep="  ",
        labels={
            "brief_title": "Title of the study (Brief title)",
            "official_title": "Scientific Title",
            "nct_id": "NCT No.",
            "lead": "Sponsor",
            "overall_status": "Recruitment status",
            "start_date": "Date of first enrollment",
            "enrollment": "Target sample size",
            "study_type": "Study Type",
            "design_prose": "Study Design",
            "phases": "Phase",
            "conditions": "Health condition(s) or Problem(s) studied",
            "interventions": "Intervention(s)",
            "primary": "Primary Outcome(s)",
            "secondary": "Secondary Outcome(s)",
            "criteria": "Key inclusion & exclusion criteria",
            "min_age": "Age minimum",
            "max_age": "Age maximum",
            "sex": "Gender",
            "brief_summary": "Outline of the study",
        },
        date=date_ymd_slash,
        age=None,
        no_max_age="No limit",
        status=STATUS_CTGOV,
        sex=SEX_ALL,
        phase=phase_words,
        study_type={"INTERVENTIONAL": "Interventional", "OBSERVATIONAL": "Observational"},
        enums={},
        dated={},
        conditions="lines",
        interventions="type_name",
        outcomes="frame",
        design_prose=prose_jrct,
    ),
    Layout(
        name="drks",
        registry="German Clinical Trials Register",
        sep=": ",
        labels={
            "nct_id": "Secondary IDs",
            "brief_title": "Title",
            "official_title": "Scientific title",
            "brief_summary": "Brief summary in lay language",
            "conditions": "Health condition or problem studied",
            "interventions": "Interventions, Observational Groups",
            "overall_status": "Recruitment Status",
            "study_type": "Study type",
            "allocation": "Allocation",
            "masking": "Masking",
            "primary_purpose": "Purpose",
            "intervention_model": "Assignment",
            "phases": "Phase",
            "start_date": "Start date",
            "enrollment": "Target sample size",
            "sex": "Gender",
            "min_age": "Minimum Age",
            "max_age": "Maximum Age",
            "criteria": "Inclusion and exclusion criteria",
            "primary": "Primary outcome",
            "secondary": "Secondary outcome",
            "lead": "Primary Sponsor",
        },
        date=date_dmy("."),
        age=age_plain,
        no_max_age="no maximum age",
        status=STATUS_DRKS,
        sex={"ALL": "Both, male and female", "FEMALE": "Female", "MALE": "Male"},
        phase=phase_roman,
        study_type={"INTERVENTIONAL": "interventional", "OBSERVATIONAL": "non-interventional"},
        enums={
            "allocation": {
                "RANDOMIZED": "Randomized controlled study",
                "NON_RANDOMIZED": "Non-randomized controlled study",
            },
            "masking": {"NONE": "Open (masking not used)"},
            "primary_purpose": {
                k: v
                for k, v in PURPOSE_WORDS.items()
                if k in ("TREATMENT", "PREVENTION", "DIAGNOSTIC", "SUPPORTIVE_CARE", "BASIC_SCIENCE", "OTHER")
            },
            "intervention_model": {
                "PARALLEL": "Parallel",
                "SINGLE_GROUP": "Single (group)",
                "CROSSOVER": "Crossover",
                "FACTORIAL": "Factorial",
            },
        },
        dated={"ACTUAL": "{label} (Actual)", "ESTIMATED": "{label} (Planned)"},
        conditions="lines",
        interventions="numbered",
        outcomes="frame",
    ),
    Layout(
        name="anzctr",
        registry="Australian New Zealand Clinical Trials Registry",
        sep="  ",
        labels={
            "nct_id": "Secondary ID [1]",
            "brief_title": "Public title",
            "official_title": "Scientific title",
            "conditions": "Health condition(s) or problem(s) studied",
            "brief_summary": "Brief summary",
            "interventions": "Intervention code [1]",
            "primary": "Primary outcome",
            "primary_tf": "Timepoint",
            "secondary": "Secondary outcome",
            "secondary_tf": "Timepoint",
            "criteria": "Key inclusion criteria",
            "min_age": "Minimum age",
            "max_age": "Maximum age",
            "sex": "Sex",
            "healthy_volunteers": "Can healthy volunteers participate?",
            "study_type": "Study type",
            "allocation": "Allocation to intervention",
            "masking": "Masking / blinding",
            "intervention_model": "Intervention assignment",
            "primary_purpose": "Purpose of the study",
            "phases": "Phase",
            "start_date": "Date of first participant enrolment",
            "enrollment": "Target sample size",
            "overall_status": "Recruitment status",
            "lead": "Primary sponsor name",
        },
        date=date_anz,
        age=age_plain,
        no_max_age="No limit",
        status=STATUS_ANZ,
        sex={"ALL": "Both males and females", "FEMALE": "Females", "MALE": "Males"},
        phase=phase_words,
        study_type={"INTERVENTIONAL": "Interventional", "OBSERVATIONAL": "Observational"},
        enums={
            "allocation": {"RANDOMIZED": "Randomised controlled trial", "NON_RANDOMIZED": "Non-randomised trial"},
            "masking": {"NONE": "Open (masking not used)"},
            "intervention_model": {
                "PARALLEL": "Parallel",
                "SINGLE_GROUP": "Single group",
                "CROSSOVER": "Crossover",
                "FACTORIAL": "Factorial",
                "SEQUENTIAL": "Other",
            },
            "primary_purpose": {
                k: v for k, v in PURPOSE_WORDS.items() if k in ("TREATMENT", "PREVENTION", "DIAGNOSTIC")
            },
        },
        dated={"ACTUAL": "Actual {label}", "ESTIMATED": "Anticipated {label}"},
        conditions="lines",
        interventions="numbered",
        outcomes="numbered",
    ),
    Layout(
        name="isrctn",
        registry="ISRCTN registry",
        sep="\t",
        labels={
            "brief_title": "Title",
            "official_title": "Scientific title",
            "nct_id": "ClinicalTrials.gov (NCT) number",
            "brief_summary": "Plain English summary of protocol",
            "design_prose": "Study design",
            "study_type": "Primary study design",
            "conditions": "Condition",
            "interventions": "Intervention type",
            "phases": "Phase",
            "primary": "Primary outcome measure",
            "secondary": "Secondary outcome measures",
            "start_date": "Overall study start date",
            "completion_date": "Overall study end date",
            "criteria": "Participant inclusion criteria",
            "min_age": "Lower age limit",
            "max_age": "Upper age limit",
            "sex": "Sex",
            "enrollment": "Target number of participants",
            "overall_status": "Recruitment status",
            "lead": "Sponsor organisation",
        },
        date=date_dmy("/"),
        age=age_plain,
        no_max_age=None,
        status={"COMPLETED": "Completed", "RECRUITING": "Recruiting", "NOT_YET_RECRUITING": "Not yet recruiting"},
        sex=SEX_ALL,
        phase=phase_phase_roman,
        study_type={"INTERVENTIONAL": "Interventional", "OBSERVATIONAL": "Observational"},
        enums={},
        dated={},
        conditions="; ",
        interventions="numbered",
        outcomes="frame",
        design_prose=prose_isrctn,
    ),
    Layout(
        name="pactr",
        registry="Pan African Clinical Trials Registry",
        sep="|",
        labels={
            "brief_title": "Public title",
            "official_title": "Official scientific title",
            "nct_id": "Secondary Ids",
            "brief_summary": "Brief summary describing the background and objectives of the trial",
            "conditions": "Disease(s) or condition(s) being studied",
            "study_type": "Type of trial",
            "phases": "Trial Phase",
            "start_date": "trial start date",
            "completion_date": "date of last follow up",
            "enrollment": "Target sample size",
            "overall_status": "Recruitment status",
            "min_age": "Minimum Age",
            "max_age": "Maximum Age",
            "sex": "Gender",
            "allocation": "Randomisation",
            "masking": "Blinding/Masking",
            "primary_purpose": "Purpose",
            "criteria": "Eligibility criteria",
            "interventions": "Intervention type",
            "outcomes": "Outcomes",
            "lead": "Sponsor Name",
        },
        date=date_long,
        age=age_paren,
        no_max_age="No maximum",
        status=STATUS_CTGOV,
        sex=SEX_ALL,
        phase=phase_words,
        study_type={"INTERVENTIONAL": "Interventional", "OBSERVATIONAL": "Observational"},
        enums={
            "allocation": {"RANDOMIZED": "Randomised", "NON_RANDOMIZED": "Non-randomised"},
            "masking": {"NONE": "Open label", "SINGLE": "Single blind", "DOUBLE": "Double blind"},
            "primary_purpose": {
                k: v for k, v in PURPOSE_WORDS.items() if k in ("TREATMENT", "PREVENTION", "SUPPORTIVE_CARE")
            },
        },
        dated={"ACTUAL": "Actual {label}", "ESTIMATED": "Anticipated {label}"},
        conditions="; ",
        interventions="table",
        outcomes="table",
    ),
)
BY_NAME = {layout.name: layout for layout in LAYOUTS}


# --- printing -------------------------------------------------------------------------------------


def _put(layout: Layout, p: Page, label: str, value: str) -> None:
    if layout.sep:
        p.add(line_of(layout, label, value))
    else:
        p.add(label, value, "")


def _block(layout: Layout, p: Page, label: str, lines: list[str]) -> None:
    """A long value: its label alone on a line, the value on the lines after it."""
    p.add(f"| {label} | |" if layout.sep == "|" else label, *lines, "")


def render_page(layout: Layout, rec: dict[str, Any]) -> Page:
    p = Page()
    L = layout.labels
    p.add(*layout.header)
    if layout.name in ("ctgov_current",):
        p.add(rec["brief_title"], "")
        p.show("brief_title", rec["brief_title"])
    if "nct_id" in L:
        _put(layout, p, L["nct_id"], rec["nct_id"])
        p.show("nct_id", rec["nct_id"])
    for key in ("brief_title", "official_title"):
        if key in L and rec[key]:
            _put(layout, p, L[key], rec[key])
            p.show(key, rec[key])
    status = rec["overall_status"]
    if "overall_status" in L and status in layout.status:
        _put(layout, p, L["overall_status"], layout.status[status])
        p.show("overall_status", status)
    summary = render.paragraphs(rec["brief_summary"])
    if "brief_summary" in L and summary:
        _block(layout, p, L["brief_summary"], summary)
        p.show("brief_summary", "\n".join(summary))
    lead = rec["sponsor"]["lead"]
    if "lead" in L and lead and layout.name != "ctgov_current":
        _put(layout, p, L["lead"], lead)
        p.show("sponsor.lead", lead)
    _conditions(layout, p, rec)
    if "study_type" in L and rec["study_type"] in layout.study_type:
        _put(layout, p, L["study_type"], layout.study_type[rec["study_type"]])
        p.show("study_type", rec["study_type"])
    if "phases" in L and layout.phase and rec["phases"]:
        _put(layout, p, L["phases"], layout.phase(rec["phases"]))
        p.show("phases", list(rec["phases"]))
    _dates(layout, p, rec)
    enrollment = rec["enrollment"]
    if "enrollment" in L and enrollment and enrollment["count"] is not None:
        label = L["enrollment"]
        shown_type = None
        if layout.name in ("ctgov_current", "drks") and enrollment["type"] in layout.dated:
            label = layout.dated[enrollment["type"]].format(label=label)
            shown_type = enrollment["type"]
        value = f'Total Sample Size="{enrollment["count"]}"' if layout.name == "ctri" else str(enrollment["count"])
        _put(layout, p, label, value)
        p.show("enrollment", {"count": enrollment["count"], "type": shown_type})
    _design(layout, p, rec)
    _interventions(layout, p, rec)
    _outcomes(layout, p, rec)
    _eligibility(layout, p, rec)
    if layout.name == "ctgov_current" and lead:
        _block(layout, p, "Collaborators and Investigators", [])
        _put(layout, p, L["lead"], lead)
        p.show("sponsor.lead", lead)
    return p


def _conditions(layout: Layout, p: Page, rec: dict[str, Any]) -> None:
    conditions = rec["conditions"]
    if "conditions" not in layout.labels or not conditions:
        return
    label = layout.labels["conditions"]
    if layout.conditions == "lines":
        _block(layout, p, label, list(conditions))
    elif layout.conditions == "table":
        _block(layout, p, label, ["Health Type | Condition", *(f"Patients | {c}" for c in conditions)])
    else:
        _put(layout, p, label, layout.conditions.join(conditions))
    p.show("conditions", list(conditions))


def _dates(layout: Layout, p: Page, rec: dict[str, Any]) -> None:
    for key in ("start_date", "primary_completion_date", "completion_date"):
        date = rec[key]
        if key not in layout.labels or not date:
            continue
        label, shown_type = layout.labels[key], None
        if layout.dated and date["type"] in layout.dated:
            label = layout.dated[date["type"]].format(label=label)
            shown_type = date["type"]
        _put(layout, p, label, layout.date(date["date"]))
        p.show(key, {"date": date["date"], "type": shown_type})


def _design(layout: Layout, p: Page, rec: dict[str, Any]) -> None:
    design = rec["design"]
    L = layout.labels
    if rec["study_type"] != "INTERVENTIONAL":
        return
    if layout.design_prose and "design_prose" in L:
        text, shown = layout.design_prose(design)
        if text:
            _put(layout, p, L["design_prose"], text)
            for key, value in shown.items():
                p.show(f"design.{key}", value)
    for key in ("allocation", "intervention_model", "primary_purpose"):
        words_ = layout.enums.get(key, {})
        if key in L and design[key] in words_:
            _put(layout, p, L[key], words_[design[key]])
            p.show(f"design.{key}", design[key])
    if "masking" in L and design["masking"]:
        if layout.name == "ctgov_current":
            _put(layout, p, L["masking"], render.masking_words(design["masking"], design["who_masked"], "words"))
            p.show("design.masking", design["masking"])
            p.show("design.who_masked", list(design["who_masked"]))
        elif design["masking"] in layout.enums.get("masking", {}):
            _put(layout, p, L["masking"], layout.enums["masking"][design["masking"]])
            p.show("design.masking", design["masking"])


def _interventions(layout: Layout, p: Page, rec: dict[str, Any]) -> None:
    items = [i for i in rec["interventions"] if i["type"]][:MAX_INTERVENTIONS]
    if "interventions" not in layout.labels or not items or not layout.interventions:
        return
    label = layout.labels["interventions"]
    if layout.interventions == "type_name":
        _block(layout, p, label, [f"{words(i['type'])}: {i['name']}" for i in items])
    elif layout.interventions == "table":
        _block(layout, p, label, ["Type | Name", *(f"{words(i['type'])} | {i['name']}" for i in items)])
    else:  # numbered: "Intervention type [1]" / "Intervention name [1]" (ANZCTR, DRKS, ISRCTN)
        base = label.split(" [")[0]
        for n, i in enumerate(items, start=1):
            _put(layout, p, f"{base.replace('code', 'type')} [{n}]" if "[" not in base else base, words(i["type"]))
            _put(layout, p, f"Intervention name [{n}]", i["name"])
    p.show(
        "interventions",
        [
            {"type": i["type"], "name": i["name"], "description": None, "other_names": [], "arm_labels": []}
            for i in items
        ],
    )


def _outcomes(layout: Layout, p: Page, rec: dict[str, Any]) -> None:
    outcomes = capped_outcomes(rec)
    L = layout.labels
    shown: dict[str, list[dict[str, Any]]] = {"primary": [], "secondary": [], "other": []}
    kinds = [k for k in ("primary", "secondary") if outcomes[k]]
    if not kinds:
        return
    if layout.outcomes == "table" and "outcomes" in L:
        rows = []
        header = "Outcome | Type | Measure time point" if layout.name != "ctgov_current" else None
        for kind in kinds:
            for o in outcomes[kind]:
                if layout.name == "ctgov_current":
                    continue
                rows.append(f"{o['measure']} | {kind.title()} outcome | {o['time_frame'] or ''}".rstrip(" |"))
                shown[kind].append({**o, "description": None})
        if layout.name == "ctgov_current":
            _block(layout, p, L["outcomes"], [])
            for kind in kinds:
                p.add(f"{kind.title()} Outcome Measures", "Outcome Measure | Time Frame")
                for o in outcomes[kind]:
                    p.add(f"{o['measure']} | {o['time_frame'] or ''}".rstrip(" |"))
                    shown[kind].append({**o, "description": None})
                p.add("")
        else:
            _block(layout, p, L["outcomes"], [header or "", *rows])
    elif layout.outcomes == "table":  # CTRI: one table per kind
        for kind in kinds:
            _block(
                layout,
                p,
                L[kind],
                ["Outcome | TimePoints", *(f"{o['measure']} | {o['time_frame'] or ''}" for o in outcomes[kind])],
            )
            shown[kind] = [{**o, "description": None} for o in outcomes[kind]]
    elif layout.outcomes == "numbered":  # ANZCTR: "Primary outcome [1]" / "Timepoint [1]"
        for kind in kinds:
            for n, o in enumerate(outcomes[kind], start=1):
                _put(layout, p, f"{L[kind]} [{n}]", o["measure"])
                if o["time_frame"]:
                    _put(layout, p, f"{L[kind + '_tf']} [{n}]", o["time_frame"])
                shown[kind].append({**o, "description": None})
    elif layout.outcomes == "frame":  # "measure [Time frame: tf]" lines under the kind's label
        for kind in kinds:
            lines = []
            for o in outcomes[kind]:
                frame = f" [Time frame: {o['time_frame']}]" if o["time_frame"] else ""
                lines.append(f"{o['measure']}{frame}")
                shown[kind].append({**o, "description": None})
            _block(layout, p, L[kind], lines)
    else:  # blocks (EU CTR): end points, then their timepoints, in the same order
        for kind in kinds:
            items = outcomes[kind]
            _block(layout, p, L[kind], [f"{n}. {o['measure']}" for n, o in enumerate(items, start=1)])
            if all(o["time_frame"] for o in items):
                _block(layout, p, L[kind + "_tf"], [f"{n}. {o['time_frame']}" for n, o in enumerate(items, start=1)])
                shown[kind] = [{**o, "description": None} for o in items]
            else:
                shown[kind] = [{**o, "time_frame": None, "description": None} for o in items]
    p.show("outcomes", shown)


def _eligibility(layout: Layout, p: Page, rec: dict[str, Any]) -> None:
    elig = rec["eligibility"]
    L = layout.labels
    if "age_range" in L:
        ages = render.age_range(elig)
        if ages:
            _put(layout, p, L["age_range"], ages)
            render.show_ages(p, elig)
    for key, label_key in (("minimum_age", "min_age"), ("maximum_age", "max_age")):
        if label_key not in L:
            continue
        age = elig[key]
        if age:
            if layout.name == "jrct":
                text = f"{'>=' if key == 'minimum_age' else '<='} {age['value']}{age['unit'].lower().rstrip('s')} old"
            else:
                text = (layout.age or age_plain)(age)
            _put(layout, p, L[label_key], text)
            p.show(f"eligibility.{key}", age["text"])
        elif key == "maximum_age" and layout.no_max_age and elig["minimum_age"]:
            _put(layout, p, L[label_key], layout.no_max_age)
    if "sex" in L and elig["sex"] in layout.sex:
        _put(layout, p, L["sex"], layout.sex[elig["sex"]])
        p.show("eligibility.sex", elig["sex"])
    if "healthy_volunteers" in L and elig["healthy_volunteers"] is not None:
        _put(layout, p, L["healthy_volunteers"], "Yes" if elig["healthy_volunteers"] else "No")
        p.show("eligibility.healthy_volunteers", elig["healthy_volunteers"])
    _block(layout, p, L["criteria"], criteria_block(rec, None, True, p))


# --- record choice --------------------------------------------------------------------------------


def _eligible(rec: dict[str, Any]) -> bool:
    return render._base_ok(rec) and bool(rec["conditions"]) and rec["study_type"] in ("INTERVENTIONAL", "OBSERVATIONAL")


def choose(per_layout: int) -> list[tuple[Layout, str, dict[str, Any]]]:
    records = render.load_records(render.RECORDS)
    taken = {r["nct_id"] for _, _, r in render.choose(records, render.PER_LAYOUT)}  # the rendered set's
    pool = sorted(
        ((o, r) for o, r in records if r["nct_id"] not in taken and _eligible(r)),
        key=lambda item: hashlib.sha256(f"registries:{item[1]['nct_id']}".encode()).hexdigest(),
    )
    chosen: list[tuple[Layout, str, dict[str, Any]]] = []
    for index, (origin, rec) in enumerate(pool[: per_layout * len(LAYOUTS)]):
        chosen.append((LAYOUTS[index % len(LAYOUTS)], origin, rec))
    return chosen


def render_fixture(layout: Layout, origin: str, rec: dict[str, Any]) -> tuple[str, bytes]:
    page = render_page(layout, rec)
    gold = Gold.model_validate(
        {
            "id": rec["nct_id"],
            "set": "registries",
            "source": {
                "file": "source.txt",
                "origin": origin,
                "note": f"rendered by evals/render_registries.py (layout {layout.name}: {layout.registry}); "
                "gold = the structured mapping restricted to what the page shows",
            },
            "record": page.gold,
            "findings": {"must_raise": [], "must_not_raise": []},
            "judgement_calls": [],
        }
    )
    return page.text(), gold_json(gold)


def layout_of(folder_name: str) -> str:
    """ "NCT01234567-anzctr" -> "anzctr"."""
    return folder_name.split("-", 1)[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--per-layout", type=int, default=PER_LAYOUT)
    parser.add_argument("--check", action="store_true", help="compare with the fixtures on disk; write nothing")
    args = parser.parse_args(argv)
    folders = {}
    for layout, origin, rec in choose(args.per_layout):
        text, gold = render_fixture(layout, origin, rec)
        folders[f"{rec['nct_id']}-{layout.name}"] = {"source.txt": text.encode("utf-8"), "gold.json": gold}
    code = sync_fixture_set(args.out, folders, check=args.check, made="registries")
    if args.check:
        return code
    print(f"rendered {len(folders)} fixtures into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
