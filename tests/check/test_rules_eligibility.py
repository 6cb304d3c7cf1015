"""Eligibility rules: each fires on a minimal record and stays silent on its near miss."""

from __future__ import annotations

import pytest

from tests.check.conftest import criteria, eligible, paths, record, run

IN_EXCLUSION = "eligibility.inclusion_item_in_exclusion"


def _exclusion(items: list[str]) -> str:
    return "Inclusion Criteria:\n\n- Adults with condition Y\n\nExclusion Criteria:\n\n" + "\n".join(
        f"- {item}" for item in items
    )


# --- eligibility.inclusion_item_in_exclusion -------------------------------------------------


@pytest.mark.parametrize(
    "item",
    [
        "Patients have signed the informed consent form and are willing to comply with the study schedule;",
        "Signed written informed consent",
        "Willing and able to comply with scheduled visits and study procedures",
        "Patients must be able to participate in all study visits",
        "Female subjects of childbearing potential must agree to use reliable contraceptive methods",
        "Patients must have measurable disease per RECIST 1.1",
        "Adequate bone marrow and organ function",
        "ECOG performance status 0-1",
        "Life expectancy of at least 3 months",
        # "to prevent pregnancy" is what contraception is for, not a negation of the agreement after it
        "For women of childbearing potential, use of an acceptable method of contraception to prevent pregnancy "
        "and agreement to continue to practice an acceptable method of contraception for the duration of the study",
        "Not pregnant. Women of child-bearing potential must agree to use adequate contraception.",
        "Negative serum pregnancy test within 7 days of enrolment",
    ],
)
def test_entry_requirement_under_exclusion_fires(item: str) -> None:
    rec = eligible(_exclusion(["Known brain metastases", item]))
    findings = run(IN_EXCLUSION, rec)
    assert paths(findings) == [["eligibility.exclusion[1]"]]
    assert findings[0].severity == "error"
    assert item.rstrip(";") in findings[0].evidence[0].text


@pytest.mark.parametrize(
    "item",
    [
        "Unable to give informed consent",
        "Not willing to comply with study procedures",
        "Refusal to use contraception during the study",
        "Unwilling or unable to comply with the protocol",
        "Inadequate bone marrow or organ function",
        "ECOG performance status ≥ 2",
        "Appropriate and willing for cytotoxic chemotherapy.",
        "Withdrawal of consent in a previous study",
        "Any condition that would impair the ability to give informed consent",
        "Life expectancy < 3 months",
        "Conditions that prevent adherence to the study schedule, such as agreement to travel abroad",
        "Pregnant, or not using contraception to prevent pregnancy",
        "Positive pregnancy test at screening",
        # a permission for a subgroup: who is *not* excluded, not an entry requirement
        "Subjects that have primary psychiatric disease will be able to participate.",
        "Patients with treated brain metastases may still participate",
    ],
)
def test_real_exclusions_with_requirement_words_stay_silent(item: str) -> None:
    assert run(IN_EXCLUSION, eligible(_exclusion([item]))) == []


def test_age_range_repeating_the_structured_limits_fires_and_an_excluded_age_does_not() -> None:
    text = _exclusion(["Age 18 to 75 years", "Age < 18 years"])
    rec = eligible(text, minimum_age="18 Years", maximum_age="75 Years")
    assert paths(run(IN_EXCLUSION, rec)) == [["eligibility.exclusion[0]"]]


def test_confirmed_diagnosis_of_the_studied_condition_fires_only_for_that_condition() -> None:
    text = _exclusion(["Histologically confirmed osteosarcoma", "Histologically confirmed lymphoma"])
    rec = record(
        conditions=["Osteosarcoma"],
        design={"primary_purpose": "TREATMENT"},
        eligibility=eligible(text).eligibility.model_dump(),
    )
    assert paths(run(IN_EXCLUSION, rec)) == [["eligibility.exclusion[0]"]]


def test_sub_items_and_items_under_a_mixed_header_are_not_read_as_the_lists_claim() -> None:
    text = (
        "Inclusion Criteria:\n\n- Adults\n\nExclusion Criteria:\n\n- Inability to do any of the following:\n"
        "  - sign the informed consent form\n\nMother Inclusion/Exclusion:\n\n- Must be the biological mother\n"
    )
    rec = eligible(text)
    assert [i.level for i in rec.eligibility.exclusion] == [0, 1, 0]
    assert run(IN_EXCLUSION, rec) == []


# --- eligibility.exclusion_item_in_inclusion -------------------------------------------------


def test_exclusion_statement_under_inclusion_fires() -> None:
    text = (
        "Inclusion Criteria:\n\n1. Adults aged 18 or older\n2. Patients with brain metastases will be excluded.\n"
        "3. Pregnant or breastfeeding women\n4. Unable to give informed consent\n\n"
        "Exclusion Criteria:\n\n1. Prior chemotherapy\n"
    )
    findings = run("eligibility.exclusion_item_in_inclusion", eligible(text))
    assert paths(findings) == [["eligibility.inclusion[1]"], ["eligibility.inclusion[2]"], ["eligibility.inclusion[3]"]]


def test_known_allergy_under_inclusion_fires_outside_allergy_studies() -> None:
    text = (
        "Inclusion Criteria:\n\n- Adults with septic shock\n- Patients with a known allergy to mannitol.\n"
        "- Known hypersensitivity to heparin\n\nExclusion Criteria:\n\n- Prior chemotherapy\n"
    )
    findings = run("eligibility.exclusion_item_in_inclusion", eligible(text))
    assert paths(findings) == [["eligibility.inclusion[1]"], ["eligibility.inclusion[2]"]]
    assert "allergy or hypersensitivity" in findings[0].message


def test_required_allergy_in_an_allergy_study_and_allergy_words_elsewhere_stay_silent() -> None:
    allergy_study = record(
        brief_title="Oral Immunotherapy for Peanut Allergy in Children",
        eligibility=criteria("Inclusion Criteria:\n\n- Known allergy to peanut\n\nExclusion Criteria:\n\n- Asthma\n"),
    )
    assert run("eligibility.exclusion_item_in_inclusion", allergy_study) == []
    other = eligible(
        "Inclusion Criteria:\n\n- Temporary steroid use for CT imaging in setting of contrast allergy\n"
        "- Voriconazole hypersensitivity test,\n\nExclusion Criteria:\n\n- Prior chemotherapy\n"
    )
    assert run("eligibility.exclusion_item_in_inclusion", other) == []


def test_exception_wording_inside_a_requirement_is_not_an_exclusion_statement() -> None:
    text = (
        "Inclusion Criteria:\n\n1. Patients who used immunosuppressants in the past are not excluded;\n"
        "2. Able to swallow tablets; patients with malabsorption are not eligible\n"
        "3. Not pregnant and not breastfeeding\n\nExclusion Criteria:\n\n1. Prior chemotherapy\n"
    )
    assert run("eligibility.exclusion_item_in_inclusion", eligible(text)) == []


# --- eligibility.numbering -------------------------------------------------------------------


def test_numbering_continuing_the_inclusion_list_and_restarting_fires_once_per_list() -> None:
    text = (
        "Inclusion Criteria\n\n1. Adults\n2. Condition Y\n3. ECOG 0-1\n\nExclusion Criteria\n\n"
        "5. Signed informed consent\n6. Agree to use contraception\n\n1. Prior therapy\n2. Pregnancy\n"
    )
    findings = run("eligibility.numbering", eligible(text))
    assert len(findings) == 1
    message = findings[0].message
    assert "opens at 5 although the inclusion list ends at 3" in message
    assert "4 missing" in message
    assert "restarts at 1 after 6" in message
    assert paths(findings) == [["eligibility.exclusion[0]", "eligibility.exclusion[2]"]]


def test_gaps_and_repeats_fire() -> None:
    text = "Inclusion Criteria:\n\n1. A\n2. B\n2. C\n5. D\n\nExclusion Criteria:\n\n1. E\n"
    findings = run("eligibility.numbering", eligible(text))
    assert len(findings) == 1
    assert "repeats 2" in findings[0].message
    assert "jumps from 2 to 5 (3–4 missing)" in findings[0].message


def test_clean_numbering_one_run_across_lists_and_sub_sections_stay_silent() -> None:
    one_run = "Inclusion criteria\n\n1. A\n2. B\n\nExclusion criteria\n\n3. C\n4. D\n"
    sub_sections = (
        "Inclusion Criteria:\n\nCohort A:\n1. A\n2. B\nCohort B:\n1. C\n2. D\n\nExclusion Criteria:\n\n1. E\n2. F\n"
    )
    inline = "Inclusion Criteria:\n\n1. A\n\nExclusion Criteria: 1. B 2. C\n\n3. D\n4. E\n"
    for text in (one_run, sub_sections, inline):
        assert run("eligibility.numbering", eligible(text)) == [], text


# --- eligibility.dangling_sublist ------------------------------------------------------------


def test_announced_list_that_never_comes_fires() -> None:
    text = (
        "Inclusion Criteria:\n\n* Adults.\n* Negative pregnancy test, or meet one of the following criteria:\n"
        "* Voluntary participation and signed consent.\n\nExclusion Criteria:\n\n"
        "* Prior therapy.\n* Inadequate organ function, which meets any of the following laboratory limits:\n"
    )
    findings = run("eligibility.dangling_sublist", eligible(text))
    assert paths(findings) == [["eligibility.inclusion[1]"], ["eligibility.exclusion[1]"]]
    assert "list ends there" in findings[1].message


def test_announced_list_that_is_given_stays_silent() -> None:
    nested = "Exclusion Criteria:\n\n* Prior therapies as follows:\n\n  1. Anti-B7-H3 therapy\n  2. Topoisomerase I inhibitors\n"
    flat = (
        "Exclusion Criteria:\n\n- Activity impairment due to conditions such as:\n\n- peripheral vascular disease\n\n"
        "- For females, one of the following applies:\n\n- Is not a woman of childbearing potential\n"
    )
    heading = "Inclusion Criteria:\n\nPATIENT CHARACTERISTICS:\n\nAge:\n- 18 and over\n"
    no_list_word = "Exclusion Criteria:\n\n- Depression, or substance induced:\n- Seasonal depression.\n"
    fragment_member = "Exclusion Criteria:\n\n- Any of the following conditions:\n- heart failure\n- Prior therapy.\n"
    for text in (nested, flat, heading, no_list_word, fragment_member):
        assert run("eligibility.dangling_sublist", eligible(text)) == [], text


def test_a_sibling_announcing_its_own_list_is_not_the_first_ones_member() -> None:
    text = (
        "Inclusion Criteria:\n\n- Persistent antibody, as defined by one or both of the following criteria:\n"
        "- Clinical symptoms, including thrombosis, defined as any of the following:\n"
        "  1. Unexplained fetal death\n  2. Premature birth\n\nExclusion Criteria:\n\n- None\n"
    )
    assert paths(run("eligibility.dangling_sublist", eligible(text))) == [["eligibility.inclusion[0]"]]


# Shapes of real records (held-out corpus and the review) whose announced list is there, flattened.
@pytest.mark.parametrize(
    "text",
    [
        # legacy XML: members as bare paragraphs at the announcement's own level
        "Exclusion Criteria\n\nPatients with the following prior condition are excluded:\n\nNeuropsychiatric history.\n\n"
        "Prior Medication:\n\nExcluded:\n\n  -  Prior etoposide.\n",
        "Exclusion Criteria:\n\nSubjects with moderate persistent asthma defined as the presence of one of these features "
        "are excluded:\n\nClinical features before treatment: daily symptoms.\n\nDaily medication required to maintain "
        "control: inhaled corticosteroids.\n",
        # same bullet for the announcement and its members
        "Exclusion Criteria:\n\n  -  Any of the following symptoms at the time of study entry:\n\n  -  Unexplained fever.\n\n"
        "  -  Night sweats.\n\n  -  Long-term treatment with any drug with anti-MAC activity.\n",
        # the members come under a sub-heading
        "Exclusion Criteria:\n\nPatients with the following conditions are excluded:\n\nTreatment Phase:\n\n"
        "  -  Known allergy to the study medications.\n",
        # mis-levelled: roman numerals after a numbered announcement
        "Inclusion Criteria:\n\n1. Adults.\n2. Adequate organ function, defined as all of the following:\ni. ANC >= 1500/uL\n"
        "ii. Platelets >= 100000/uL\n3. Signed consent.\n",
    ],
)
def test_flattened_announced_list_stays_silent(text: str) -> None:
    assert run("eligibility.dangling_sublist", eligible(text)) == [], text


def test_numbering_that_runs_on_after_an_announcement_fires() -> None:
    text = (
        "Inclusion Criteria:\n\n1. Adults.\n2. Adequate organ function, defined as all of the following:\n"
        "3. Signed consent.\n4. Able to swallow tablets.\n\nExclusion Criteria:\n\n1. Prior therapy.\n"
    )
    assert paths(run("eligibility.dangling_sublist", eligible(text))) == [["eligibility.inclusion[1]"]]


def test_laboratory_limits_announced_then_a_criterion_without_numbers_fires() -> None:
    text = (
        "Exclusion Criteria:\n\n* Inadequate organ function, which meets any of the following laboratory limits:\n"
        "* Serious, uncontrolled or active cardiovascular diseases.\n* Severe or poorly controlled diabetes.\n"
    )
    assert paths(run("eligibility.dangling_sublist", eligible(text))) == [["eligibility.exclusion[0]"]]


# --- eligibility.age_mismatch ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "minimum", "maximum", "expected"),
    [
        ("Age (45 - 70 yr old).", "40 Years", "70 Years", "at least 45 years but minimum_age is 40 Years"),
        ("Men and women ≥ 65 years old", None, None, "at least 65 years but minimum_age is not set"),
        (
            "Male or female, 18 to 64 years of age",
            "18 Years",
            "65 Years",
            "at most 64 years but maximum_age is 65 Years",
        ),
    ],
)
def test_text_age_against_structured_age_fires(
    item: str, minimum: str | None, maximum: str | None, expected: str
) -> None:
    rec = eligible(f"Inclusion Criteria:\n\n- {item}\n", minimum_age=minimum, maximum_age=maximum)
    findings = run("eligibility.age_mismatch", rec)
    assert len(findings) == 1
    assert expected in findings[0].message
    assert findings[0].evidence[0].path == "eligibility.inclusion[0]"


@pytest.mark.parametrize(
    ("item", "minimum", "maximum"),
    [
        ("≥ 18 and ≤ 70 years of age", "18 Years", "70 Years"),
        ("Males or females over 12 years old (≥ 12 years).", "12 Years", None),
        ("Male or female from 2 to <12 years of age.", "2 Years", "11 Years"),
        ("> 48 hours of age and < 120 hours old", "2 Days", "5 Days"),
        ("Patient is over the age of 21", "21 Years", None),
        ("For children aged under 18 months: two positive HIV-DNA tests", "3 Months", "17 Years"),
        ("No family history of sudden death under 40 years of age", "18 Years", None),
        ("Age-adjusted GFR < 80 ml/min", "18 Years", None),
    ],
)
def test_agreeing_or_unrelated_ages_stay_silent(item: str, minimum: str | None, maximum: str | None) -> None:
    rec = eligible(f"Inclusion Criteria:\n\n- {item}\n", minimum_age=minimum, maximum_age=maximum)
    assert run("eligibility.age_mismatch", rec) == []


# --- eligibility.sex_mismatch ----------------------------------------------------------------


def test_one_sex_in_text_against_all_fires() -> None:
    rec = eligible("Inclusion Criteria:\n\n- Healthy male volunteers aged 18-45\n", sex="ALL")
    findings = run("eligibility.sex_mismatch", rec)
    assert [f.message for f in findings] == ["inclusion criteria admit male participants only but sex is ALL"]
    assert paths(findings) == [["eligibility.inclusion[0]", "eligibility.sex"]]


def test_both_sexes_in_text_against_female_fires() -> None:
    rec = eligible("Inclusion Criteria:\n\n- Men and women aged 18 or older\n", sex="FEMALE")
    assert len(run("eligibility.sex_mismatch", rec)) == 1


def test_conditional_sex_mentions_stay_silent() -> None:
    text = (
        "Inclusion Criteria:\n\n- Male or female, 18 years or older\n"
        "- Women of childbearing potential must use contraception\n- Male participants with partners must agree\n"
    )
    assert run("eligibility.sex_mismatch", eligible(text, sex="ALL")) == []
    women = eligible("Inclusion Criteria:\n\n- Postmenopausal women with osteoporosis\n", sex="FEMALE")
    assert run("eligibility.sex_mismatch", women) == []


# --- eligibility.duplicate_item --------------------------------------------------------------


def test_same_criterion_in_both_lists_and_twice_in_one_fires() -> None:
    text = (
        "Inclusion Criteria:\n\n- Pregnant or breastfeeding women\n- Adults with condition Y\n\n"
        "Exclusion Criteria:\n\n- Pregnant or breastfeeding women\n- Known HIV infection\n- Known HIV infection.\n"
    )
    findings = run("eligibility.duplicate_item", eligible(text))
    assert [f.message for f in findings] == [
        "the same criterion appears in both the inclusion and the exclusion list",
        "the same criterion appears twice in the exclusion list",
    ]
    assert paths(findings) == [
        ["eligibility.inclusion[0]", "eligibility.exclusion[0]"],
        ["eligibility.exclusion[1]", "eligibility.exclusion[2]"],
    ]


def test_opposite_signs_groups_and_headings_are_not_duplicates() -> None:
    text = (
        "Inclusion Criteria:\n\n- Age > 60 years\n\nExclusion Criteria:\n\n- Age < 60 years\n"
        "- For parent participants:\n- Unable to communicate clearly in English\n"
        "- For adolescent participants:\n- Unable to communicate clearly in English\n"
    )
    assert run("eligibility.duplicate_item", eligible(text)) == []


# --- eligibility.missing_section -------------------------------------------------------------


def test_missing_parts_fire() -> None:
    only_inclusion = eligible("Inclusion Criteria:\n\n- Adults with condition Y\n")
    empty_header = eligible("Inclusion Criteria:\n\n- Adults with condition Y\n\nExclusion Criteria:\n")
    nothing = record()
    assert [f.message for f in run("eligibility.missing_section", only_inclusion)] == [
        "the eligibility criteria have no exclusion part"
    ]
    assert [f.message for f in run("eligibility.missing_section", empty_header)] == [
        "the eligibility criteria have an empty 'Exclusion Criteria' header"
    ]
    assert [f.message for f in run("eligibility.missing_section", nothing)] == [
        "the record has no eligibility criteria"
    ]


def test_both_parts_or_a_stub_record_stay_silent() -> None:
    both = eligible("Inclusion Criteria:\n\n- Adults\n\nExclusion Criteria:\n\n- Pregnancy\n")
    stub = record(study_type=None)
    pdq = eligible(
        "DISEASE CHARACTERISTICS:\n\n  -  Confirmed stage IIIB lung cancer\n\nPATIENT CHARACTERISTICS:\n\n"
        "  -  Not pregnant\n\nPRIOR CONCURRENT THERAPY:\n\n  -  No prior chemotherapy\n"
    )
    assert run("eligibility.missing_section", both) == []
    assert run("eligibility.missing_section", stub) == []
    assert run("eligibility.missing_section", pdq) == []


# --- eligibility.missing_section: exclusions written without a header ----------------------------


@pytest.mark.parametrize(
    "text",
    [
        # NIH Clinical Center paragraphs: exclusions as "No ..." / "must not" items
        "Age greater than or equal to 18 years.\n\nPerformance status ECOG 0-2.\n\nNo prior vinorelbine therapy.\n",
        "Patients must meet DSM-IV criteria for Bipolar Disorder.\n\nPatients must not have a serious medical illness.\n",
        # prose
        "Inclusion criteria required a principal diagnosis of OCD.\n\nExclusion criteria included primary depression.\n",
        "Men and women with endophthalmitis were eligible. Patients were ineligible when the eye had prior surgery.\n",
        # ORD "PROTOCOL ENTRY CRITERIA" layout
        "PROTOCOL ENTRY CRITERIA:\n\n--Disease Characteristics--\n\nDiagnosis of psoriasis\n\n"
        "--Patient Characteristics--\n\nRenal: No high blood or urinary calcium levels\n",
        "-  Pregnant women in active labor\n\n  -  Not eligible if any of the following is present: Bleeding Infection\n",
    ],
)
def test_exclusions_without_a_header_are_not_a_missing_part(text: str) -> None:
    assert run("eligibility.missing_section", eligible(text)) == [], text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Men and women with controlled hypertension.", "no exclusion part"),
        ("Inclusion Criteria:\n\n- Patients being considered for EsophyX treatment of GERD\n", "no exclusion part"),
        ("No eligibility criteria", "placeholder"),
        ("Please contact site for information.", "placeholder"),
    ],
)
def test_criteria_without_any_exclusion_fire(text: str, message: str) -> None:
    findings = run("eligibility.missing_section", eligible(text))
    assert len(findings) == 1 and message in findings[0].message


# --- eligibility.age_mismatch: ages that are not the study's limits ------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Inclusion Criteria:\n\n- Adults aged 18 to 65 years\n- Normal cardiac stress test required if any of the "
        "following is present:\n    - Over age 50\n    - History of abnormal EKG\n",
        "Inclusion Criteria:\n\n- Adults aged 18 to 65 years\n- Postmenopausal, defined as one of the following:\n"
        "    - At least 55 years of age\n    - Under 55 years of age and amenorrheic for at least 12 months\n",
        "Inclusion Criteria:\n\n- Adults aged 18 to 65 years\n- < 18 months of age:\n- CD4 count above 1000\n",
        "Inclusion Criteria:\n\n- Adults aged 18 to 65 years\n- DONOR: Age < 75, older donors may be considered\n",
        "Inclusion Criteria:\n\n- Adults aged 18 to 65 years\n- Sickle cell anemia (age 16 to 50 years) with prior stroke\n",
        "Inclusion Criteria:\n\n- Adults aged 18 to 65 years\n- Performance status Karnofsky 60-100% (age 10 and over)\n",
        "Inclusion Criteria:\n\n- Adults aged 18 to 65 years\n- Infants with gestational age less than 33 weeks\n",
        "Inclusion Criteria:\n\n- Adults aged 18 to 65 years\n- Must have lymph node dissection if age 10 or over\n",
        "Inclusion Criteria:\n\n- Adults aged 18 to 65 years\n- Children less than 12 years of age are excluded\n",
        "Inclusion Criteria:\n\n- Adults aged 18 to 65 years\n- For subjects greater than 7 years of age, a rating of 3\n",
    ],
)
def test_ages_of_subgroups_conditions_and_others_stay_silent(text: str) -> None:
    rec = eligible(text, minimum_age="18 Years", maximum_age="65 Years")
    assert run("eligibility.age_mismatch", rec) == [], text


def test_a_parenthesis_after_the_population_still_states_the_study_ages() -> None:
    paren = "Inclusion Criteria:\n\n- Men and women (aged 20 to 60 years)\n"
    under_age_heading = "Inclusion Criteria:\n\n- Age:\n    - aged 20 to 60 years\n"
    for text in (paren, under_age_heading):
        findings = run("eligibility.age_mismatch", eligible(text, minimum_age="18 Years", maximum_age="65 Years"))
        assert sorted(f.message.split(" but ")[1] for f in findings) == [
            "maximum_age is 65 Years",
            "minimum_age is 18 Years",
        ], text


# --- the swap rules: negation and incapacity scope, time anchors, parentheticals, headerless criteria ---


@pytest.mark.parametrize(
    "item",
    [
        "Overt psychosis or mental disability or otherwise incompetent to give informed consent",
        "Psychiatric illness or mental incapacity to understand and give informed consent",
        "Any condition which would impede the ability to give informed consent",
        "Denial of informed consent by the legal guardian",
        "Lack of ability to give informed consent",
        "Informed consent not signed",
        "Written informed consent was not provided by parents",
        "Received another investigational drug within 30 days prior to signing the informed consent form",
        "Surgery on the leg <= 8 weeks before signing consent",
        "Pregnancy or breast feeding (women of child-bearing potential are eligible but must consent to using "
        "effective contraception)",
        "Chronic diseases that could influence the patient's ability to participate in the study",
        "Patients less than age 18 or over 70 years of age",
    ],
)
def test_exclusions_that_mention_a_requirement_stay_silent(item: str) -> None:
    rec = eligible(_exclusion(["Known brain metastases", item]), minimum_age="18 Years", maximum_age="70 Years")
    assert run(IN_EXCLUSION, rec) == [], item


def test_exclusion_sentence_in_criteria_without_headers_is_not_misplaced() -> None:
    text = "Patients must be 18 years or older.\n\nPregnant women will be excluded.\n\nNo prior chemotherapy.\n"
    assert run("eligibility.exclusion_item_in_inclusion", eligible(text)) == []


def test_parenthetical_exception_in_an_inclusion_item_stays_silent() -> None:
    text = (
        "Inclusion Criteria:\n\n- Histologically confirmed adenocarcinoma of the colon (mucinous subtypes are not "
        "eligible)\n\nExclusion Criteria:\n\n- Prior therapy\n"
    )
    assert run("eligibility.exclusion_item_in_inclusion", eligible(text)) == []


def test_exclusion_sentence_under_an_inclusion_header_still_fires() -> None:
    text = (
        "Inclusion Criteria:\n\n- Adults with condition Y\n- Patients with brain metastases will be excluded.\n\n"
        "Exclusion Criteria:\n\n- Prior therapy\n"
    )
    assert paths(run("eligibility.exclusion_item_in_inclusion", eligible(text))) == [["eligibility.inclusion[1]"]]


# --- eligibility.duplicate_item: cohorts, sub-headings, pasted blocks --------------------------------


def test_same_criterion_for_different_cohorts_in_both_lists_stays_silent() -> None:
    text = (
        "Inclusion criteria for patients without PAH:\n\n  1. Diagnosis of sickle cell disease.\n"
        "  2. ECHO-determined TRV less than 2.5 m/sec.\n\n"
        "Exclusion criteria for patients with PAH:\n\n  1. Prior transfusion.\n  2. ECHO-determined TRV less than 2.5 m/sec.\n"
    )
    assert run("eligibility.duplicate_item", eligible(text)) == []


def test_sub_list_repeated_under_both_headers_stays_silent() -> None:
    text = (
        "Inclusion Criteria\n\nConcurrent Medication:\n\nAllowed:\n  -  Topical acyclovir.\n\n"
        "Consult with the study monitor for the following:\n  -  Imipenem-cilastatin.\n\n"
        "Exclusion Criteria\n\nConcurrent Medication:\n\nExcluded:\n  -  Foscarnet.\n\n"
        "Consult with the study monitor for the following:\n  -  Imipenem-cilastatin.\n"
    )
    assert run("eligibility.duplicate_item", eligible(text)) == []


def test_a_block_pasted_into_both_lists_is_one_finding() -> None:
    block = "- History of hypersensitivity to the study drug.\n- Pregnant or lactating women.\n- Asthma requiring steroids.\n"
    text = f"Inclusion Criteria:\n\n- Children aged 6-15 with rhinitis.\n{block}\nExclusion Criteria:\n\n{block}"
    findings = run("eligibility.duplicate_item", eligible(text))
    assert [f.message for f in findings] == [
        "a block of 3 criteria appears in both the inclusion and the exclusion list (pasted twice)"
    ]
    assert findings[0].evidence[0].path == "eligibility.inclusion[1]"


def test_a_criterion_in_both_lists_under_plain_headers_still_fires() -> None:
    text = "Inclusion Criteria:\n\n- Healthy children\n- BMI < 30kg/m2\n\nExclusion Criteria:\n\n- BMI < 30kg/m2\n"
    assert paths(run("eligibility.duplicate_item", eligible(text))) == [
        ["eligibility.inclusion[1]", "eligibility.exclusion[0]"]
    ]


def test_announcement_followed_by_a_dedented_paragraph_stays_silent() -> None:
    # legacy layout: the members come back at the outer level (it used to raise IndexError)
    text = (
        "Inclusion Criteria:\n\n- Adults with condition Y:\n    - Stage II or III\n"
        "    - At least two of the following:\nAbsolute neutrophil count less than 500/mm3;\n"
        "Platelet count less than 20,000/mm3.\n"
    )
    assert run("eligibility.dangling_sublist", eligible(text)) == []
