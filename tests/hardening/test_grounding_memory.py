"""Grounding finds values up to whitespace and case, with memory a small multiple of the page
(a per-character index once made a 30 MB page cost 3.5 GB)."""

from __future__ import annotations

import tracemalloc

from extract.ground import Grounder, ground
from extract.model import Span


def test_a_value_with_other_whitespace_and_case_maps_to_its_original_span() -> None:
    text = "  Title:\n\n   Phase  2 STUDY of\tDrug X\n in   adults"
    finder = Grounder(text)
    span = finder.locate("phase 2 study of drug x in adults")
    assert span is not None
    assert text[span.start : span.end] == "Phase  2 STUDY of\tDrug X\n in   adults"


def test_exact_values_and_hints_are_used_as_they_stand() -> None:
    text = "Arm A: placebo. Arm B: placebo."
    finder = Grounder(text)
    assert finder.locate("placebo") == Span(start=7, end=14)  # the first occurrence
    assert finder.locate("placebo", Span(start=23, end=30)) == Span(start=23, end=30)  # the hint, when it holds
    assert finder.locate("aspirin") is None
    assert finder.locate("   ") is None


def test_the_first_normalised_occurrence_is_the_one_returned() -> None:
    text = "drug  x then Drug X then drug\nx"
    span = Grounder(text).locate("DRUG X")
    assert span == Span(start=0, end=7)


def test_non_ascii_case_folding() -> None:
    text = "Étude de Phase\u00a0II à İstanbul"
    span = Grounder(text).locate("étude de phase ii")
    assert span is not None and text[span.start : span.end] == "Étude de Phase\u00a0II"
    later = Grounder(text).locate("à  İSTANBUL")
    assert later is not None and text[later.start : later.end] == "à İstanbul"


def test_grounding_a_big_page_allocates_a_small_multiple_of_it() -> None:
    line = "Inclusion   Criteria:\n  adults aged 18 to 65 with   stable disease\n"
    text = line * (2_000_000 // len(line))  # ~2 MB of text
    data = {
        "brief_title": "INCLUSION CRITERIA: adults aged 18 to 65",  # found only after normalising
        "conditions": ["stable disease", "not on the page"],
    }
    tracemalloc.start()
    try:
        result = ground(data, {}, text)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.data["brief_title"] is not None and result.data["conditions"] == ["stable disease"]
    assert [u["value"] for u in result.ungrounded] == ["not on the page"]
    assert peak < 6 * len(text), f"peak {peak:,} bytes for a {len(text):,}-character page"
