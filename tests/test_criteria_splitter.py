"""The criteria splitter on the hard cases of real records and on the five seed pages.

Expected counts, labels and nesting were read off the source files by eye.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from extract.model import CriterionItem
from extract.normalize import clean_block
from extract.section.criteria import SplitCriteria, header_kind, split_criteria
from tests.conftest import page_text


def _assert_spans_slice_back(text: str, split: SplitCriteria) -> None:
    for item in split.inclusion + split.exclusion:
        assert item.span is not None
        assert " ".join(text[item.span.start : item.span.end].split()) == item.text
    for header in split.headers:
        assert header.span is not None
        assert text[header.span.start : header.span.end] == header.text


def _page_region(text: str, first: str, until: str) -> tuple[int, int]:
    start = text.index(first)
    return start, text.index(until, start)


def _labels(items: list[CriterionItem]) -> list[str]:
    return [i.label for i in items]


def _levels(items: list[CriterionItem]) -> list[int]:
    return [i.level for i in items]


def _xml_criteria(records_dir: Path, nct: str) -> str:
    root = etree.parse(str(records_dir / "ctgov-xml" / f"{nct}.xml")).getroot()
    text = clean_block(root.findtext("eligibility/criteria/textblock"))
    assert text
    return text


def _v2_criteria(records_dir: Path, nct: str) -> str:
    study = json.loads((records_dir / "ctgov-v2" / f"{nct}.json").read_text())
    return study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]


# --- seed pages ------------------------------------------------------------------------


def test_seed_nct07271602_exclusion_restarts_after_items_9_and_10(records_dir: Path) -> None:
    text = page_text("NCT07271602")
    split = split_criteria(text, *_page_region(text, "Inclusion Criteria\n", "Minimum Eligible Age"))
    assert _labels(split.inclusion) == [f"{n}." for n in range(1, 8)]
    assert _labels(split.exclusion) == ["9.", "10."] + [f"{n}." for n in range(1, 15)]
    assert set(_levels(split.inclusion + split.exclusion)) == {0}
    assert split.exclusion[0].text.startswith("Patients have signed the informed consent form")
    assert split.exclusion[1].text.startswith("Female subjects of childbearing potential must agree")
    assert split.inclusion[0].text == "Confirmed age: 18-75 years;"
    # the inline "1) ... 2) ..." list stays inside item 7, as written
    assert split.exclusion[8].text.startswith("Uncontrolled heart disease, such as: 1) Heart failure")
    assert [h.kind for h in split.headers] == ["inclusion", "exclusion"]
    _assert_spans_slice_back(text, split)


def test_seed_nct06935409_numbered_sublist_under_a_bullet(records_dir: Path) -> None:
    text = page_text("NCT06935409")
    split = split_criteria(text, *_page_region(text, "Inclusion Criteria\n", "Minimum Eligible Age"))
    assert len(split.inclusion) == 8
    assert set(_labels(split.inclusion)) == {"*"}
    # "* Prior or ongoing therapies as follows:" owns "1." .. "5.", then bullets resume at level 0
    assert split.exclusion[0].text == "Prior or ongoing therapies as follows:"
    assert _labels(split.exclusion[1:6]) == ["1.", "2.", "3.", "4.", "5."]
    assert _levels(split.exclusion[:7]) == [0, 1, 1, 1, 1, 1, 0]
    assert len(split.exclusion) == 26
    # the announced-but-missing list stays a plain level-0 item followed by a sibling
    pregnancy = split.inclusion[6]
    assert pregnancy.text.endswith("to prove there is no risk of pregnancy:")
    assert (pregnancy.level, split.inclusion[7].level) == (0, 0)
    _assert_spans_slice_back(text, split)


def test_seed_nct06406205_clinconnect_bullets_with_numbers_and_subbullets(records_dir: Path) -> None:
    text = page_text("NCT06406205")
    split = split_criteria(text, *_page_region(text, "  • Inclusion Criteria:", "About Qilu"))
    assert [h.text for h in split.headers] == ["Inclusion Criteria:", "Exclusion Criteria:"]
    assert _labels(split.inclusion) == ["1.", "2.", "3.", "4.", "•", "•", "•", "5.", "6.", "7."]
    assert _levels(split.inclusion) == [0, 0, 0, 0, 1, 1, 1, 0, 0, 0]
    assert len(split.exclusion) == 25
    six = next(i for i, item in enumerate(split.exclusion) if item.label == "6.")
    assert split.exclusion[six].text == "Current or medical history of:"
    assert _levels(split.exclusion[six : six + 7]) == [0, 1, 1, 1, 1, 1, 0]
    assert split.exclusion[six + 6].label == "7."
    # the page's own typo is kept: text is copied, never retyped
    assert split.exclusion[1].text.startswith("urrently taking")
    _assert_spans_slice_back(text, split)


def test_seed_nct03792542_bullets(records_dir: Path) -> None:
    text = page_text("NCT03792542")
    split = split_criteria(
        text,
        *_page_region(text, "Inclusion Criteria:", "Information from the National Library of Medicine\n\nTo learn"),
    )
    assert (len(split.inclusion), len(split.exclusion)) == (8, 22)
    assert set(_labels(split.inclusion + split.exclusion)) == {"•"}
    assert split.exclusion[-1].text.startswith("The investigator believes that there are any conditions")
    _assert_spans_slice_back(text, split)


def test_seed_nct04550949_dash_bullets(records_dir: Path) -> None:
    text = page_text("NCT04550949")
    split = split_criteria(text, *_page_region(text, "Inclusion Criteria:", "To learn more about this study, you"))
    assert (len(split.inclusion), len(split.exclusion)) == (4, 4)
    assert split.inclusion[2].text == "The ECOG score was 0-2."
    assert split.exclusion[1].text == "Previous treatment with denosumab."
    assert set(_labels(split.inclusion + split.exclusion)) == {"-"}
    _assert_spans_slice_back(text, split)


# --- legacy XML textblocks -------------------------------------------------------------


def test_xml_paragraphs_announcing_nested_bullets(records_dir: Path) -> None:
    text = _xml_criteria(records_dir, "NCT00001177")
    split = split_criteria(text)
    assert [h.text for h in split.headers] == ["INCLUSION CRITERIA:", "EXCLUSION CRITERIA:"]
    assert split.inclusion[0].label == ""
    assert split.inclusion[0].text == "The subjects of this study will be women who meet the following criteria:"
    assert _levels(split.inclusion[:6]) == [0, 1, 1, 1, 1, 1]
    assert split.inclusion[3].text == "age 18 to 50;"
    # a hard-wrapped bullet is one item
    assert split.inclusion[1].text.startswith(
        "history within the last two years of at least six months with menstrually-related mood or behavioral"
    )
    # blank-line-separated paragraphs under the exclusion header are items of their own
    assert len(split.exclusion) == 2
    assert split.exclusion[1].text.startswith("Current alcohol or substance use or dependence")
    _assert_spans_slice_back(text, split)


def test_xml_without_headers_is_all_inclusion_and_keeps_deeper_indents(records_dir: Path) -> None:
    text = _xml_criteria(records_dir, "NCT00023673")
    split = split_criteria(text)
    assert split.headers == []
    assert split.exclusion == []
    assert split.inclusion[0].text == "DISEASE CHARACTERISTICS:"
    first_bullet = split.inclusion[1]
    assert (
        first_bullet.text
        == "Histologically or cytologically confirmed unresectable stage IIIB non-small cell lung cancer"
    )
    assert (first_bullet.level, first_bullet.label) == (1, "-")
    assert [i.text for i in split.inclusion[2:6]] == [
        "Squamous cell carcinoma",
        "Adenocarcinoma",
        "Large cell carcinoma",
        "Non-small cell carcinoma not otherwise specified",
    ]
    assert set(_levels(split.inclusion[2:6])) == {2}
    _assert_spans_slice_back(text, split)


def test_xml_short_headers_and_crlf(records_dir: Path) -> None:
    text = _xml_criteria(records_dir, "NCT00055497")
    split = split_criteria(text)
    assert [h.kind for h in split.headers] == ["inclusion", "exclusion"]
    assert [i.text for i in split.inclusion] == [
        "Patient must have successfully completed the induction study NCT00055523",
        "Diagnosis of Crohn's disease",
        "Willing and able to give informed consent",
    ]
    assert len(split.exclusion) == 5
    _assert_spans_slice_back(text, split)


def test_xml_non_inclusion_header_is_exclusion(records_dir: Path) -> None:
    text = _xml_criteria(records_dir, "NCT02679963")
    split = split_criteria(text)
    assert [(h.kind, h.text) for h in split.headers] == [("exclusion", "Non-inclusion criteria:")]
    # items before any header are inclusion items
    assert split.inclusion[0].text.startswith("For inclusion in the study subjects should fulfill the following")
    assert split.inclusion[1].label == "1." and split.inclusion[1].level == 1
    five = next(i for i in split.exclusion if i.label == "5.")
    index = split.exclusion.index(five)
    assert [(i.label, i.level, i.text) for i in split.exclusion[index + 1 : index + 4]] == [
        ("-", 1, "Azole antifungals"),
        ("-", 1, "Macrolide antibiotics"),
        ("-", 1, "Protease inhibitors"),
    ]
    _assert_spans_slice_back(text, split)


def test_xml_stage_headers_and_bracketed_headers(records_dir: Path) -> None:
    stages = split_criteria(_xml_criteria(records_dir, "NCT03424005"))
    assert [h.text for h in stages.headers] == [
        "Inclusion Criteria Stage 1",
        "Inclusion criteria stage 2",
        "Exclusion Criteria for Stage 1",
    ]
    bracketed = split_criteria(_xml_criteria(records_dir, "NCT05482828"))
    assert [h.text for h in bracketed.headers] == ["[Inclusion Criteria]", "[Exclusion Criteria]"]
    assert (len(bracketed.inclusion), len(bracketed.exclusion)) == (3, 7)


# --- v2 markdown ------------------------------------------------------------------------


def test_v2_key_headers_and_trailing_paragraph(records_dir: Path) -> None:
    text = _v2_criteria(records_dir, "NCT02210780")
    split = split_criteria(text)
    assert [h.text for h in split.headers] == ["Key Inclusion Criteria:", "Key Exclusion Criteria:"]
    assert _labels(split.inclusion) == ["1.", "2.", "3.", "4.", "5."]
    assert _labels(split.exclusion)[:7] == [f"{n}." for n in range(1, 8)]
    _assert_spans_slice_back(text, split)


def test_v2_generic_header_and_group_paragraphs(records_dir: Path) -> None:
    text = _v2_criteria(records_dir, "NCT03630471")
    split = split_criteria(text)
    assert [h.kind for h in split.headers] == ["exclusion"]  # "Eligibility criteria:" is not a list header
    assert [i.text for i in split.inclusion if i.level == 0] == [
        "For adolescent participants:",
        "For parent participants:",
    ]
    assert (len(split.inclusion), len(split.exclusion)) == (11, 10)
    assert split.exclusion[-1].text == "Intoxicated at the point of consent or assessment"
    assert split.exclusion[-1].level == 1


# --- units --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Inclusion Criteria:", "inclusion"),
        ("EXCLUSION CRITERIA", "exclusion"),
        ("Key Exclusion Criteria:", "exclusion"),
        ("Inclusion:", "inclusion"),
        ("Transplant Exclusion:", "exclusion"),
        ("Non-inclusion criteria:", "exclusion"),
        ("Eligibility criteria:", "generic"),
        ("Inclusion/Exclusion:", "generic"),
        ("Subjects with exclusion criteria required by local law", None),
        ("Additional drug-specific exclusion criteria might apply.", None),
        ("Must meet the inclusion criteria of the parent study and be willing to attend visits", None),
    ],
)
def test_header_kind(line: str, kind: str | None) -> None:
    assert header_kind(line) == kind


def test_spans_are_absolute_in_a_larger_text() -> None:
    prefix = "Title\n\nSome other section\n\n"
    body = "Inclusion Criteria:\n\n1. Adults\n2. Consent\n\nExclusion Criteria:\n\n- Pregnancy\n"
    text = prefix + body + "\nSponsor: X\n"
    split = split_criteria(text, len(prefix), len(prefix) + len(body))
    assert [i.text for i in split.inclusion] == ["Adults", "Consent"]
    assert split.exclusion[0].span is not None
    assert text[split.exclusion[0].span.start : split.exclusion[0].span.end] == "Pregnancy"


def test_markdown_indented_sublist() -> None:
    text = "Inclusion Criteria:\n\n* Adequate organ function:\n  * ANC >= 1500\n  * Platelets >= 100k\n* Age 18+\n"
    split = split_criteria(text)
    assert [(i.label, i.level) for i in split.inclusion] == [("*", 0), ("*", 1), ("*", 1), ("*", 0)]


def test_empty_and_whitespace_text_give_no_items() -> None:
    assert split_criteria("").inclusion == []
    assert split_criteria("   \n\n  ").inclusion == []


def test_xml_wrapped_line_that_reads_like_a_header_stays_in_its_item(records_dir: Path) -> None:
    # NCT03521479 item 2 wraps onto a line reading "exclusion criterion." and item 3 has an indented
    # second paragraph: neither is a header, both belong to their items
    split = split_criteria(_xml_criteria(records_dir, "NCT03521479"))
    assert [h.text for h in split.headers] == ["Inclusion Criteria:", "Exclusion Criteria:"]
    assert _labels(split.inclusion) == ["1.", "2.", "3.", "4."]
    assert split.inclusion[1].text.endswith("will neither be required nor will be an exclusion criterion.")
    assert split.inclusion[2].text.endswith("excluded if they give an answer of three or fewer.")
    assert split.exclusion[0].text == "Pregnant or lactating females."


def test_xml_items_on_the_header_line_keep_their_label(records_dir: Path) -> None:
    # NCT02958956: "Exclusion Criteria: 1. Age less than (<) 40 years during study period. 2. No KPNC"
    split = split_criteria(_xml_criteria(records_dir, "NCT02958956"))
    assert split.headers[-1].text == "Exclusion Criteria"
    assert split.exclusion[0].label == "1."
    assert split.exclusion[0].text.startswith("Age less than (<) 40 years during study period.")


def test_an_item_that_refers_to_the_inclusion_criteria_is_not_a_header() -> None:
    split = split_criteria(
        "Inclusion Criteria:\n- Adults\nExclusion Criteria:\n- Prior therapy\n"
        "- Patients who do not meet the inclusion criteria\n- Pregnancy\n"
    )
    assert [i.text for i in split.exclusion] == [
        "Prior therapy",
        "Patients who do not meet the inclusion criteria",
        "Pregnancy",
    ]


def test_a_sentence_about_the_criteria_is_not_a_header() -> None:
    split = split_criteria(
        "Inclusion criteria required a principal diagnosis of OCD.\n\nExclusion criteria included primary depression.\n"
    )
    assert split.headers == []
    assert len(split.inclusion) == 2
