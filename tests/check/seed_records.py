"""The five seed pages as records built by hand, for the checker's tests (and later ones).

Every value below was read off the page in ../shared/records/pages/<NCT>.txt, not produced by an
extractor: titles, status, dates, design, arms, interventions, outcomes, ages and sex. Only the
criteria lists come from the criteria splitter, run on the page's eligibility region (the region's
first and last lines are named by hand), so criterion spans index the page text, as they do for
page inputs. A few other spans (arm labels, intervention names, masking) are located in the page
text by their literal values, to exercise evidence spans on page records.

Each function returns (record, page_text).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from extract.model import Span, TrialRecord
from extract.section.criteria import split_criteria

PAGES = Path(__file__).resolve().parents[3] / "shared" / "records" / "pages"
SEED_IDS = ("NCT07271602", "NCT06935409", "NCT03792542", "NCT04550949", "NCT06406205")


def page(nct_id: str) -> str:
    return (PAGES / f"{nct_id}.txt").read_text(encoding="utf-8")


def _criteria(text: str, first_line: str, after_last: str) -> dict[str, Any]:
    """Split the page's criteria region: from `first_line` (the inclusion header as the page writes
    it) up to `after_last` (the first line after the criteria)."""
    start = text.index(first_line)
    end = text.index(after_last, start)
    split = split_criteria(text, start, end)
    return {
        "inclusion": split.inclusion,
        "exclusion": split.exclusion,
        "headers": split.headers,
        "criteria_text": text[start:end].strip(),
    }


def _span(text: str, value: str, after: str = "", *, line: bool = False) -> Span:
    """Where the literal `value` first stands in the page text after the literal `after`
    (as a whole line when `line`)."""
    needle = f"\n{value}\n" if line else value
    start = text.index(needle, text.index(after) if after else 0) + (1 if line else 0)
    return Span(start=start, end=start + len(value))


def _build(data: dict[str, Any]) -> TrialRecord:
    return TrialRecord.model_validate(data)


# --- NCT07271602: the two defects named in the mission ------------------------------------------

ARM_EXPERIMENTAL_07271602 = "QL1706, chemotherapy, Quad shot radiotherapy"
ARM_PLACEBO_07271602 = "Chemotherapy, QL1706"
_CHEMO_07271602 = (
    "For patients with lung squamous cell carcinoma, TC regimen chemotherapy combined with QL1706 is administered "
    "on days 1, 22, 43, and 64, respectively. The specific TC chemotherapy regimen is as follows: nab-paclitaxel "
    "260 mg/m², intravenous infusion; carboplatin at an AUC of 5, with the total dose (mg) calculated as AUC × "
    "(GFR + 25), where GFR refers to glomerular filtration rate, administered via intravenous infusion.\n\n"
    "For patients with lung adenocarcinoma, PC regimen chemotherapy combined with QL1706 is administered on days 1, "
    "22, 43, and 64, respectively. The specific PC chemotherapy regimen is as follows: pemetrexed 500 mg/m², "
    "intravenous infusion; carboplatin at an AUC of 5, with the total dose (mg) calculated as AUC × (GFR + 25), "
    "where GFR refers to glomerular filtration rate, administered via intravenous infusion."
)
_QUAD_SHOT_07271602 = (
    "Intensity-modulated radiotherapy (IMRT) technique is adopted, and only partial lesions (as determined by the "
    "investigator) receive Quad shot radiotherapy. Only the gross tumor volume (GTV) is irradiated, with no "
    "prophylactic irradiation of lymph nodes. The irradiation dose for the planning gross tumor volume (PGTV) is "
    "14.8 Gy in 4 fractions, administered twice daily (bid), with an interval of more than 6 hours between each "
    "irradiation. The treatment is repeated every 3 weeks for a total of 3 cycles."
)


def nct07271602() -> tuple[TrialRecord, str]:
    text = page("NCT07271602")
    record = _build(
        {
            "nct_id": "NCT07271602",
            "brief_title": (
                "A Phase 2 Randomized, Controlled Trial of QL1706 Plus Chemotherapy and Quad Shot for Driver "
                "Gene-negative Advanced Non-small Cell Lung Cancer."
            ),
            "overall_status": "NOT_YET_RECRUITING",
            "last_update_date": "2025-12-09",
            "start_date": {"date": "2026-01-30"},
            "completion_date": {"date": "2028-12-31"},
            "study_type": "INTERVENTIONAL",
            "phases": ["PHASE2"],
            "enrollment": {"count": 104},
            "design": {
                "allocation": "RANDOMIZED",
                "intervention_model": "PARALLEL",
                "primary_purpose": "TREATMENT",
                "masking": "NONE",
            },
            "conditions": ["Non Small Cell Lung Cancer", "Immunotherapy", "Radiotherapy", "Chemotherapy"],
            "brief_summary": (
                "Chemotherapy combined with immunotherapy has become the first-line standard treatment regimen for "
                "metastatic non-small cell lung cancer (NSCLC). QL1706 is an antibody that can simultaneously block "
                "the CTLA-4 and PD-1. In a phase II clinical study, when QL1706 was combined with chemotherapy for "
                "first-line treatment of metastatic NSCLC, the median progression-free survival (mPFS) was 6.8 months "
                "and the objective response rate (ORR) was 45% at a median follow-up time of 12.6 months (range, "
                "0.4-15.2 months).\n\n"
                "Radiotherapy is one of the commonly used local treatment modalities for tumors, which has a "
                "synergistic effect with immunotherapy, can enhance the response to immunotherapy, and trigger the "
                "abscopal effect. Quad shot radiotherapy is a periodic pulsed hypofractionated radiotherapy, with a "
                "specific mode as follows: 2 fractions per day, with an interval of more than 6 hours between the "
                "two fractions, for 2 consecutive days, with a total dose of 14-14.8 Gy. This regimen can be "
                "repeated every 3-4 weeks for a total of 3 cycles, with a total treatment dose of approximately "
                "44-48 Gy, and it can be used for palliative treatment of various advanced tumors.\n\n"
                "This project intends to explore whether the addition of Quad shot radiotherapy to QL1706 combined "
                "with chemotherapy can improve local and systemic tumor control rates, prolong patients' PFS, and "
                "evaluate the safety of the combined therapy in treatment-naive patients with metastatic NSCLC."
            ),
            "arms": [
                {
                    "label": ARM_EXPERIMENTAL_07271602,
                    "type": "EXPERIMENTAL",
                    "description": (
                        "QL1706 is combined with chemotherapy for 4 cycles. Starting from Cycle 1, concurrent Quad "
                        "shot radiotherapy is administered (for a maximum of 3 cycles), followed by entry into the "
                        "QL1706 maintenance treatment phase."
                    ),
                    "intervention_names": [
                        "Radiation: Quad shot",
                        "Drug: Chemotherapy",
                        "Drug: Immune Checkpoint Inhibitors",
                    ],
                },
                {
                    "label": ARM_PLACEBO_07271602,
                    "type": "PLACEBO_COMPARATOR",
                    "description": (
                        "QL1706 is combined with chemotherapy for a total of 4 cycles, with one cycle administered "
                        "every 21 days; subsequent treatment proceeds to the QL1706 maintenance therapy phase."
                    ),
                    "intervention_names": ["Drug: Chemotherapy", "Drug: Immune Checkpoint Inhibitors"],
                },
            ],
            "interventions": [
                {
                    "type": "RADIATION",
                    "name": "Quad shot",
                    "description": _QUAD_SHOT_07271602,
                    "arm_labels": [ARM_EXPERIMENTAL_07271602],
                },
                {
                    "type": "DRUG",
                    "name": "Chemotherapy",
                    "description": _CHEMO_07271602,
                    "arm_labels": [ARM_EXPERIMENTAL_07271602, ARM_PLACEBO_07271602],
                },
                {
                    "type": "DRUG",
                    "name": "Immune Checkpoint Inhibitors",
                    "description": "The specific treatment regimen for QL1706 is as follows: QL1706 (5 mg/kg) via "
                    "intravenous infusion.",
                    "arm_labels": [ARM_EXPERIMENTAL_07271602, ARM_PLACEBO_07271602],
                },
            ],
            "eligibility": {
                **_criteria(text, "Inclusion Criteria\n", "Minimum Eligible Age"),
                "minimum_age": "18 Years",
                "maximum_age": "75 Years",
                "sex": "ALL",
                "healthy_volunteers": False,
            },
            "sponsor": {
                "lead": "Union Hospital, Tongji Medical College, Huazhong University of Science and Technology",
                "lead_class": "OTHER",
            },
            "spans": {
                "arms[0].label": _span(text, ARM_EXPERIMENTAL_07271602, "Study Groups", line=True),
                "arms[1].label": _span(text, ARM_PLACEBO_07271602, "Study Groups", line=True),
                "design.masking": _span(text, "NONE", "Blinding Strategy", line=True),
            },
        }
    )
    return record, text


# --- NCT06935409: two lists announced with a colon and never given -----------------------------

_HS_20093 = (
    "Study participants in the experimental group shall continue to receive HS-20093 by intravenous infusion at a "
    "dose of 12.0 mg/kg, once every 3 weeks (Q3W) with a 21-day treatment cycle. Treatment shall continue until "
    "objective disease progression (excluding cases of treatment beyond PD or crossover treatment) or until other "
    "criteria for termination of study treatment specified in the protocol are met."
)
_GEM_DOC = (
    "Study participants in the control arm will receive gemcitabine in combination with docetaxel. Gemcitabine "
    "(1000 mg/m2) will be administered intravenously over approximately 30 minutes on Days 1 and 8 of each 21-day "
    "treatment cycle, followed by docetaxel (75 mg/m2) on Day 8, intravenously over approximately 1 hour until "
    "objective disease progression or other criteria for treatment discontinuation are met."
)


def nct06935409() -> tuple[TrialRecord, str]:
    text = page("NCT06935409")
    record = _build(
        {
            "nct_id": "NCT06935409",
            "brief_title": (
                "Study of HS-20093 Versus Gemcitabine in Combination With Docetaxel in Treatment of Osteosarcoma "
                "After Previous Second-line Treatment Failure"
            ),
            "overall_status": "NOT_YET_RECRUITING",
            "last_update_date": "2025-04-20",
            "start_date": {"date": "2025-04-30"},
            "completion_date": {"date": "2027-10-31"},
            "study_type": "INTERVENTIONAL",
            "phases": ["PHASE3"],
            "enrollment": {"count": 117},
            "design": {
                "allocation": "RANDOMIZED",
                "intervention_model": "PARALLEL",
                "primary_purpose": "TREATMENT",
                "masking": "NONE",
            },
            "conditions": ["Osteosarcoma"],
            "brief_summary": (
                "This is a randomized, controlled, open, multicenter phase III clinical study to evaluate the "
                "efficacy and safety of HS-20093 for injection versus gemcitabine in combination with docetaxel in "
                "patients with osteosarcoma who have at least second-line treatment failure."
            ),
            "detailed_description": (
                "This is a randomized, controlled, open-label, multicenter phase III clinical study to evaluate the "
                "efficacy and safety of HS-20093 for injection versus gemcitabine in combination with docetaxel in "
                "patients (≥ 12 years old) with osteosarcoma who have at least second-line treatment failure.\n\n"
                "Eligible study participants shall be randomized in a 2:1 ratio to the experimental group and the "
                "control group. Study participants in the experimental group received HS-20093 at 12.0 mg/kg once "
                "every 3 weeks (Q3W), and the study participants continued to receive treatment until objective "
                "disease progression or other criteria for treatment discontinuation were met. Study participants "
                "in the control group received standard chemotherapy regimen of gemcitabine in combination with "
                "docetaxel until disease progression or other criteria for treatment discontinuation were met. The "
                "efficacy and safety of the two groups were evaluated after follow-up as per the procedures."
            ),
            "arms": [
                {
                    "label": "HS-20093",
                    "type": "EXPERIMENTAL",
                    "description": _HS_20093,
                    "intervention_names": ["Drug: HS-20093"],
                },
                {
                    "label": "Gemcitabine combined with docetaxel",
                    "type": "ACTIVE_COMPARATOR",
                    "description": _GEM_DOC,
                    "intervention_names": ["Drug: Gemcitabine combined with docetaxel"],
                },
            ],
            "interventions": [
                {"type": "DRUG", "name": "HS-20093", "description": _HS_20093, "arm_labels": ["HS-20093"]},
                {
                    "type": "DRUG",
                    "name": "Gemcitabine combined with docetaxel",
                    "description": _GEM_DOC,
                    "arm_labels": ["Gemcitabine combined with docetaxel"],
                },
            ],
            "eligibility": {
                **_criteria(text, "Inclusion Criteria\n", "Minimum Eligible Age"),
                "minimum_age": "12 Years",
                "sex": "ALL",
                "healthy_volunteers": False,
            },
            "sponsor": {"lead": "Hansoh BioMedical R&D Company", "lead_class": "INDUSTRY"},
            "locations": [
                {
                    "facility": "Beijing Jishuitan Hospital affiliated to Capital Medical University",
                    "city": "Beijing",
                    "country": "China",
                },
                {"facility": "Peking University People's Hospital", "city": "Beijing", "country": "China"},
            ],
        }
    )
    return record, text


# --- NCT03792542: one arm, "from randomization", contradictory narrative dates -----------------


def nct03792542() -> tuple[TrialRecord, str]:
    text = page("NCT03792542")
    record = _build(
        {
            "nct_id": "NCT03792542",
            "brief_title": (
                "Anlotinib Hydrochloride For Advanced Soft Tissue Sarcoma Patients Who Do Not Receive Chemotherapy"
            ),
            "official_title": (
                "Anlotinib Hydrochloride for Advanced Soft Tissue Sarcoma Patients Who do Not Receive "
                "Chemotherapy:a One-arm, Multi-center, Prospective Clinical Trial(ALTER-S003)"
            ),
            "overall_status": "NOT_YET_RECRUITING",
            "last_update_date": "2019-01-03",
            "start_date": {"date": "2019-01", "type": "ESTIMATED"},
            "primary_completion_date": {"date": "2020-12", "type": "ESTIMATED"},
            "completion_date": {"date": "2020-12", "type": "ESTIMATED"},
            "study_type": "INTERVENTIONAL",
            "phases": ["PHASE2"],
            "enrollment": {"count": 44, "type": "ESTIMATED"},
            "design": {"intervention_model": "SINGLE_GROUP", "primary_purpose": "TREATMENT", "masking": "NONE"},
            "conditions": ["Soft Tissue Sarcoma"],
            "brief_summary": (
                "Anlotinib is a multi-target receptor tyrosine kinase inhibitor. It can inhibit the angiogenesis "
                "related kinase, such as Vascular Endothelial Growth Factor Receptor (VEGFR), Fibroblast Growth "
                "Factor Receptor(FGFR), Platelet-Derived Growth Factor Receptor(PDGFR), and tumor cell "
                "proliferation related kinase c-Kit kinase. Anlotinib is an efficient second line therapeutic agent "
                "in treatment for metastatic soft tissue sarcoma which has been approved in clinical trials "
                "(ALTER-0203). There is a sort of patients who are not candidate for standard first line "
                "chemotherapy that is doxorubicin based. The patients either refused or too old and and debilitated "
                "to receive the cytotoxic chemotherapy."
            ),
            "detailed_description": (
                "This study is planned to be carried out in Zhejiang and Jiangsu province regional multi-center. 44 "
                "cases are preliminarily expected to be included. The study started in January 2019 and ended in "
                "December 2019. It is expected that the trial will end in December 2020.\n\n"
                "In the absence of such situations as withdrawal of informed consent, intolerance of drug toxicity "
                "and side effects, or inappropriateness for further trials, each participant's expected time for "
                "research and treatment will continue until radiographically confirmed tumor progression occurs."
            ),
            "arms": [
                {
                    "label": "Anlotinib",
                    "type": "EXPERIMENTAL",
                    "description": (
                        "Anlotinib p.o, qd and it should be continued until disease progress or toxicity cannot be "
                        "tolerated or patients withdraw consent"
                    ),
                    "intervention_names": ["Drug: Anlotinib"],
                }
            ],
            "interventions": [
                {
                    "type": "DRUG",
                    "name": "Anlotinib",
                    "description": (
                        "Anlotinib Hydrochloride ( 12mg, quaque die(QD), PO, d1-14, 21 days per cycle), take once "
                        "when limosis in the morning. If patients cannot suffer from adverse events(AEs), they can "
                        "get declined dosage."
                    ),
                    "other_names": ["AL3818"],
                    "arm_labels": ["Anlotinib"],
                }
            ],
            "outcomes": {
                "primary": [
                    {
                        "measure": "Progress free survival (PFS)",
                        "time_frame": "until Progressive Disease(PD) or death(up to 24 months)",
                        "description": (
                            "PFS defined as the time from first dose of study treatment until the first date of "
                            "either objective disease progression or death due to any cause."
                        ),
                    }
                ],
                "secondary": [
                    {
                        "measure": "Overall Survival (OS)",
                        "time_frame": "From randomization until death (up to 24 months)",
                        "description": "OS is defined as the time until death due to any cause.",
                    },
                    {
                        "measure": "Objective Response Rate (ORR)",
                        "time_frame": "each 42 days up to intolerance the toxicity or PD (up to 24 months)",
                        "description": (
                            "ORR is defined as the percentage of subjects with evidence of a confirmed complete "
                            "response (CR) or partial response (PR) as per Response Evaluation Criteria In Solid "
                            "Tumors (RECIST) Version 1.1.prior to progression or any further therapy."
                        ),
                    },
                    {
                        "measure": "Disease Control Rate (DCR)",
                        "time_frame": "each 42 days up to intolerance the toxicity or PD (up to 24 months)",
                        "description": (
                            "Defined as the proportion of patients with a documented complete response, partial "
                            "response, and stable disease (CR + PR + SD) based on RECIST 1.1."
                        ),
                    },
                    {
                        "measure": "Quality of Life score (QoL)",
                        "time_frame": "each 42 days up to intolerance the toxicity or PD (up to 24 months)",
                        "description": "use EORTC QLQ-C30(version 3) questionnaire to evaluate the quality of life.",
                    },
                ],
            },
            "eligibility": {
                **_criteria(
                    text, "Inclusion Criteria:", "Information from the National Library of Medicine\n\nTo learn"
                ),
                "minimum_age": "18 Years",
                "maximum_age": "70 Years",
                "sex": "ALL",
                "healthy_volunteers": False,
            },
            "sponsor": {
                "lead": "Second Affiliated Hospital, School of Medicine, Zhejiang University",
                "collaborators": [
                    "Zhejiang Cancer Hospital",
                    "Ningbo No.2 Hospital",
                    "Hangzhou Third Hospital",
                    "Jiangsu Provincial People's Hospital",
                    "Jiangsu Cancer Institute & Hospital",
                    "The Affiliated Nanjing Drum Tower Hospital of Nanjing University Medical School",
                ],
            },
            "locations": [
                {
                    "facility": "The Second Affiliated Hospital of Zhejiang University School of Medicine",
                    "city": "Hangzhou",
                    "state": "Zhejiang",
                    "country": "China",
                    "status": "NOT_YET_RECRUITING",
                }
            ],
            "spans": {
                "outcomes.secondary[0].time_frame": _span(
                    text, "From randomization until death (up to 24 months)", "Secondary Outcome Measures"
                ),
            },
        }
    )
    return record, text


# --- NCT04550949: a consistent record (double-blind, quadruple masking, matching doses) --------


def nct04550949() -> tuple[TrialRecord, str]:
    text = page("NCT04550949")
    record = _build(
        {
            "nct_id": "NCT04550949",
            "brief_title": (
                "To Evaluate the Efficacy and Safety of QL1206 and Xgeva in Patients With Bone Metastases From Solid "
                "Tumors"
            ),
            "official_title": (
                "A Multi-center, Randomized, Double-blind, Comparative Study to Evaluate the Clinical Efficacy and "
                "Safety of QL1206 and Xgeva® in Patients With Bone Metastases From Solid Tumors"
            ),
            "overall_status": "UNKNOWN",
            "last_update_date": "2020-09-22",
            "start_date": {"date": "2019-04-26", "type": "ACTUAL"},
            "primary_completion_date": {"date": "2021-03-01", "type": "ESTIMATED"},
            "completion_date": {"date": "2022-06-10", "type": "ESTIMATED"},
            "study_type": "INTERVENTIONAL",
            "phases": ["PHASE3"],
            "enrollment": {"count": 700, "type": "ESTIMATED"},
            "design": {
                "allocation": "RANDOMIZED",
                "intervention_model": "PARALLEL",
                "primary_purpose": "TREATMENT",
                "masking": "QUADRUPLE",
                "who_masked": ["PARTICIPANT", "CARE_PROVIDER", "INVESTIGATOR", "OUTCOMES_ASSESSOR"],
            },
            "conditions": ["Bone Metastases"],
            "brief_summary": (
                "This is A multi-center, randomized, double-blind, comparative clinical trial.\n"
                "The primary objective is to evaluate whether the clinical efficacy of QL1206 and Xgeva® are similar "
                "in patients with bone metastases from solid tumors.\n"
                "The secondary objective are to evaluate whether the clinical safety and immunogenicity of QL1206 "
                "and Xgeva® are similar in patients with bone metastases from solid tumors."
            ),
            "arms": [
                {
                    "label": "QL1206",
                    "type": "EXPERIMENTAL",
                    "description": (
                        "QL1206 injection(120mg)was administered subcutaneously once every 4 weeks for a maximum of "
                        "13 consecutive doses throughout the trial, according to the investigator's assessment."
                    ),
                    "intervention_names": ["Drug: QL1206"],
                },
                {
                    "label": "Xgeva®",
                    "type": "ACTIVE_COMPARATOR",
                    "description": (
                        "Xgeva® injection(120mg) was administered subcutaneously every 4 weeks for a maximum of 13 "
                        "cumulative doses throughout the trial,according to the investigator's assessment."
                    ),
                    "intervention_names": ["Drug: Xgeva"],
                },
            ],
            "interventions": [
                {
                    "type": "DRUG",
                    "name": "QL1206",
                    "description": (
                        "The active ingredient of QL1206 is a recombinant human anti-RANKL monoclonal antibody "
                        ",subcutaneous injection of 120 mg (1.7ml)every 4 weeks for a maximum of 13 consecutive doses "
                        "throughout the trial."
                    ),
                    "other_names": ["recombinant human anti-RANKL monoclonal antibody injection"],
                    "arm_labels": ["QL1206"],
                },
                {
                    "type": "DRUG",
                    "name": "Xgeva",
                    "description": (
                        "The active ingredient of Xgeva® is denosumab,subcutaneous injection of 120 mg (1.7ml)every "
                        "4 weeks for a maximum of 13 consecutive doses throughout the trial."
                    ),
                    "other_names": ["Denosumab Injection"],
                    "arm_labels": ["Xgeva®"],
                },
            ],
            # The page lists the four measures without their primary / secondary headings; the first
            # (week 13) is taken as primary, as the page's order suggests.
            "outcomes": {
                "primary": [{"measure": "uNTx/uCr", "time_frame": "from baseline to week 13"}],
                "secondary": [
                    {"measure": "uNTx/uCr", "time_frame": "from baseline to weeks 25 and 53"},
                    {"measure": "S-BALP", "time_frame": "from baseline to weeks 13, 25, and 53"},
                    {"measure": "SRE", "time_frame": "from baseline to weeks 53"},
                ],
            },
            "eligibility": {
                **_criteria(text, "Inclusion Criteria:", "\nTo learn more"),
                "minimum_age": "18 Years",
                "maximum_age": "80 Years",
                "sex": "ALL",
                "healthy_volunteers": False,
            },
            "sponsor": {"lead": "Qilu Pharmaceutical Co., Ltd."},
            "locations": [
                {
                    "facility": "Beijing Cancer Hospital",
                    "city": "Beijing",
                    "state": "Beijing",
                    "country": "China",
                    "status": "RECRUITING",
                },
                {
                    "facility": "Sun Yat-sen University Cancer Hospital",
                    "city": "Guangzhou",
                    "state": "Guangdong",
                    "country": "China",
                    "status": "RECRUITING",
                },
            ],
        }
    )
    return record, text


# --- NCT06406205: a ClinConnect page: criteria and little structure ----------------------------


def nct06406205() -> tuple[TrialRecord, str]:
    text = page("NCT06406205")
    record = _build(
        {
            "nct_id": "NCT06406205",
            "brief_title": "A Study of QLG1074 Combined With Background Therapy in Subjects With Active Lupus Nephritis",
            "overall_status": "RECRUITING",
            "brief_summary": (
                "This clinical trial is studying a new treatment called QLG1074 for patients with active lupus "
                "nephritis, a condition where the kidneys become inflamed due to lupus. The main goal is to see if "
                "QLG1074 can help improve kidney function more effectively than a placebo (a harmless sugar pill) "
                "after 52 weeks of treatment. The trial is currently looking for participants aged 18 to 75 who have "
                "been diagnosed with systemic lupus erythematosus and show signs of active kidney involvement. To "
                "join the study, individuals must provide informed consent and meet specific health criteria, such "
                "as requiring high-dose steroids and immunosuppressive therapy.\n\n"
                "Participants in the trial can expect to receive either QLG1074 or a placebo, and everyone will also "
                "continue taking standard medications for their lupus. Throughout the study, they will be closely "
                "monitored by medical professionals to assess their kidney response and overall health. It's "
                "important to note that certain medical conditions and medications may exclude individuals from "
                "participating, so potential participants should discuss their eligibility with their healthcare "
                "provider."
            ),
            "eligibility": {
                **_criteria(text, "  • Inclusion Criteria:", "About Qilu Pharmaceutical"),
                # "participants aged 18 to 75" (the page's summary); "Gender ALL"
                "minimum_age": "18 Years",
                "maximum_age": "75 Years",
                "sex": "ALL",
            },
            "sponsor": {"lead": "QILU PHARMACEUTICAL CO., LTD."},
            "locations": [
                {"city": city, "state": state, "country": "China"}
                for city, state in (
                    ("Beijing", "Beijing"),
                    ("Shanghai", "Shanghai"),
                    ("Hefei", "Anhui"),
                    ("Fuzhou", "Fujian"),
                    ("Dalian", "Liaoning"),
                    ("Hefei", "Anhui"),
                    ("Changzhi", "Shanxi"),
                    ("Bengbu", "Anhui"),
                    ("Bozhou", "Anhui"),
                    ("Beijing", "Beijing"),
                )
            ],
        }
    )
    return record, text


SEEDS = {
    "NCT07271602": nct07271602,
    "NCT06935409": nct06935409,
    "NCT03792542": nct03792542,
    "NCT04550949": nct04550949,
    "NCT06406205": nct06406205,
}
