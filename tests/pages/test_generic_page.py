"""Generic page extraction (extract/page): discovery, label keys, value parsers, learned maps, corrections.

Expected values are read off the page texts below (registry styles none of the seed pages has).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from extract.errors import MappingError
from extract.model.provenance import CallStats
from extract.page.discover import discover, parse_line
from extract.page.draft import Ledger
from extract.page.generic import GenericPolicy, extract_generic
from extract.page.layouts import LayoutStore
from extract.page.strategy import extract_page
from extract.page.tables import label_key, load_tables
from extract.page.values import (
    parse_age,
    parse_age_range,
    parse_date,
    parse_design_prose,
    parse_enum,
    parse_phases,
)
from extract.section.lines import split_lines

ANZ_PAGE = """Secondary ID [1]  NCT00739830
Public title  Ridaforolimus Compared to Progestin for Advanced Endometrial Carcinoma
Scientific title  A Randomized Phase II Trial of Ridaforolimus in Female Adult Patients
Recruitment status  Stopped early
Brief summary
The purpose of this study is to compare progression-free survival.

Primary sponsor name  Merck Sharp & Dohme LLC
Health condition(s) or problem(s) studied
Endometrial Cancer

Study type  Interventional
Phase  Phase 2
Anticipated date of first participant enrolment  5/08/2014
Target sample size  130
Allocation to intervention  Randomised controlled trial
Masking / blinding  Open (masking not used)
Intervention type [1]  Drug
Intervention name [1]  ridaforolimus
Primary outcome [1]  Progression-free survival (PFS)
Timepoint [1]  From randomization up to 30 months
Secondary outcome [1]  Overall survival
Timepoint [1]  From randomization up to 30 months
Minimum age  18 Years
Maximum age  No limit
Sex  Females
Can healthy volunteers participate?  No
Key inclusion criteria
Inclusion Criteria:

  -  18 years of age or older

Exclusion Criteria:

  -  Pregnancy
Date of registration  12/03/2008
"""


def run(coro: Any) -> Any:
    return asyncio.run(coro)


class FakeAsker:
    """Answers label questions from a table (unknown labels: "ignore") and spellings with "none"."""

    def __init__(self, labels: dict[str, str] | None = None) -> None:
        self.labels = labels or {}
        self.asked: list[tuple[str, str]] = []

    async def ask(
        self,
        *,
        question: str,
        messages: list[dict[str, str]],
        response_model: Any,
        prompt_hash: str,
        max_tokens: int = 512,
    ) -> tuple[Any, CallStats]:
        content = messages[-1]["content"]
        self.asked.append((question, content))
        stats = CallStats(
            question=question, cache_hit=False, attempts=1, prompt_tokens=1, completion_tokens=1, seconds=0.0
        )
        if question == "label_field":
            label = content.split("<<<", 1)[1].split(">>>", 1)[0]
            return response_model(field=self.labels.get(label, "ignore")), stats
        if question == "value_spelling":
            return response_model(value="none"), stats
        if question == "title_line":
            return response_model(line=1), stats
        raise AssertionError(f"unexpected question {question}")

    def count(self, question: str) -> int:
        return sum(1 for q, _ in self.asked if q == question)


# --- discovery --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "label", "value", "form"),
    [
        ("Public title: Aspirin for pain", "Public title", "Aspirin for pain", "colon"),
        ("Public Title of Study\tAspirin for pain", "Public Title of Study", "Aspirin for pain", "tab"),
        ("Target sample size   120", "Target sample size", "120", "spaces"),
        ("| Trial Phase | Phase 2 |", "Trial Phase", "Phase 2", "pipe"),
        ("Timepoint [1]  Week 12", "Timepoint [1]", "Week 12", "spaces"),
        ("Study Start (Actual)", "Study Start (Actual)", None, "alone"),
        ("## Brief Summary", "Brief Summary", None, "alone"),
    ],
)
def test_parse_line_forms(line: str, label: str, value: str | None, form: str) -> None:
    text = f"\n{line}\n"
    pair = parse_line(split_lines(text)[1])
    assert pair is not None
    assert (pair.label.text, pair.value.text if pair.value else None, pair.form) == (label, value, form)
    assert text[pair.label.start : pair.label.end] == pair.label.text
    if pair.value is not None:
        assert text[pair.value.start : pair.value.end] == pair.value.text


def test_list_items_are_not_labels() -> None:
    for line in ("  -  Age: 18 or older", "1. Hemoglobin: > 9 g/dL", "* Weight: 50 kg or more"):
        assert parse_line(split_lines(line)[0]) is None


def test_prose_inside_a_known_block_is_never_asked_about() -> None:
    page = "Brief summary\nThe three levels are: information only.\nPhase  Phase 2\n"
    asker = FakeAsker()
    result = run(extract_generic(page, asker, Ledger(), LayoutStore(None)))
    assert asker.asked == []
    assert result.draft.data["brief_summary"] == "The three levels are: information only."


def test_block_ends_at_next_label_not_at_a_wrapped_word() -> None:
    text = "Eligibility Criteria\n  -  adults who will be considered for\n     enrollment\nEnrollment\n40\n"
    tables = load_tables()
    _, pairs = discover(text, lambda p: label_key(p.label.text).key in tables.labels)
    criteria = next(p for p in pairs if p.label.text == "Eligibility Criteria")
    assert [b.text for b in criteria.block] == ["-  adults who will be considered for", "enrollment"]


# --- label keys and tables ----------------------------------------------------------------------------------


def test_label_key_strips_codes_numbers_and_date_kinds() -> None:
    assert label_key("E.5.1.1 Timepoint(s) of evaluation of this end point:").key == (
        "timepoints of evaluation of this end point"
    )
    assert label_key("Timepoint [2]").index == 2
    found = label_key("Anticipated date of first participant enrolment")
    assert (found.key, found.kind) == ("date of first participant enrolment", "ESTIMATED")
    assert label_key("Study Start (Actual)").kind == "ACTUAL"
    assert label_key("Secondary Outcomes").key == label_key("Secondary Outcome").key


def test_leave_one_out_drops_only_entries_motivated_by_that_layout() -> None:
    full, without = load_tables(), load_tables(exclude="anzctr")
    assert full.labels["date of first participant enrolment"] == "start_date"
    assert "date of first participant enrolment" not in without.labels  # motivated by ANZCTR only
    assert without.labels["secondary id"] == "nct_id"  # also motivated by ChiCTR: kept
    assert without.labels["public title"] == "brief_title"  # WHO TRDS item: kept
    assert "stopped early" not in without.values["overall_status"]


# --- value parsers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2014-08-05", "2014-08-05"),
        ("05/08/2014", "2014-08-05"),
        ("5/08/2014", "2014-08-05"),
        ("05.08.2014", "2014-08-05"),
        ("05-08-2014", "2014-08-05"),
        ("2014/08/05", "2014-08-05"),
        ("2014/08", "2014-08"),
        ("5 August 2014", "2014-08-05"),
        ("August 5, 2014", "2014-08-05"),
        ("August 2014", "2014-08"),
        ("08/25/2014", "2014-08-25"),  # month first only where day first is impossible
    ],
)
def test_dates(text: str, iso: str) -> None:
    assert parse_date(text) == iso


def test_bad_dates_are_errors_not_guesses() -> None:
    for text in ("31/02/2014", "sometime in 2014", "2014"):
        with pytest.raises(MappingError):
            parse_date(text)


def test_ages() -> None:
    assert parse_age("18 Years") == "18 Years"
    assert parse_age("18.00 Year(s)") == "18 Years"
    assert parse_age(">= 20year old") == "20 Years"
    assert parse_age("6 Month(s)") == "6 Months"
    assert parse_age("No limit") is None
    assert parse_age("no maximum age") is None
    assert parse_age_range("18 Years and older") == ("18 Years", None)
    assert parse_age_range("18 Years to 65 Years") == ("18 Years", "65 Years")
    assert parse_age_range("up to 17 Years") == (None, "17 Years")
    with pytest.raises(MappingError):
        parse_age("adults")


def test_phases_enums_and_design_prose() -> None:
    assert [p.value for p in parse_phases("II")] == ["PHASE2"]
    assert [p.value for p in parse_phases("Phase II/III")] == ["PHASE2", "PHASE3"]
    assert [p.value for p in parse_phases("N/A")] == ["NA"]
    tables = load_tables()
    assert parse_enum("overall_status", "Stopped early", tables).value == "TERMINATED"
    assert parse_enum("allocation", "Randomized controlled study", tables).value == "RANDOMIZED"
    assert parse_enum("study_type", "Interventional study", tables).value == "INTERVENTIONAL"
    prose = "Randomised double-blind placebo-controlled parallel-group trial"
    found = {k: v[0] for k, v in parse_design_prose(prose).items()}
    assert found == {"allocation": "RANDOMIZED", "masking": "DOUBLE", "intervention_model": "PARALLEL"}
    start, end = parse_design_prose(prose)["masking"][1:]
    assert prose[start:end] == "double-blind"
    assert parse_design_prose("Non-randomised open-label single-arm study")["allocation"][0] == "NON_RANDOMIZED"


# --- generic extraction -------------------------------------------------------------------------------------


def test_generic_extraction_reads_an_unseen_style_page_with_spans() -> None:
    result = run(extract_generic(ANZ_PAGE, None, Ledger(), LayoutStore(None)))
    data, spans = result.draft.data, result.draft.spans
    assert data["nct_id"] == "NCT00739830"
    assert data["brief_title"] == "Ridaforolimus Compared to Progestin for Advanced Endometrial Carcinoma"
    assert data["overall_status"] == "TERMINATED"
    assert data["start_date"] == {"date": "2014-08-05", "type": "ESTIMATED"}
    assert data["enrollment"] == {"count": 130, "type": None}
    assert data["design"]["allocation"] == "RANDOMIZED" and data["design"]["masking"] == "NONE"
    assert data["conditions"] == ["Endometrial Cancer"]
    assert data["interventions"][0]["name"] == "ridaforolimus" and data["interventions"][0]["type"] == "DRUG"
    assert data["outcomes"]["primary"] == [
        {"measure": "Progression-free survival (PFS)", "time_frame": "From randomization up to 30 months"}
    ]
    assert data["outcomes"]["secondary"][0]["measure"] == "Overall survival"
    elig = data["eligibility"]
    assert (elig["minimum_age"], elig.get("maximum_age"), elig["sex"]) == ("18 Years", None, "FEMALE")
    assert elig["healthy_volunteers"] is False
    assert [i.text for i in elig["inclusion"]] == ["18 years of age or older"]
    assert [i.text for i in elig["exclusion"]] == ["Pregnancy"]
    assert "Date of registration" not in elig["criteria_text"]  # the list ends where the next label begins
    for path, span in spans.items():  # every value's span is the page's own text
        assert span is not None and 0 <= span.start < span.end <= len(ANZ_PAGE), path
    assert ANZ_PAGE[spans["brief_title"].start : spans["brief_title"].end] == data["brief_title"]
    assert ANZ_PAGE[spans["enrollment.count"].start : spans["enrollment.count"].end] == "130"
    type_span = spans["start_date.type"]  # the date's kind is read from its label
    assert ANZ_PAGE[type_span.start : type_span.end] == "Anticipated date of first participant enrolment"
    for path in ("overall_status", "design.allocation", "eligibility.sex", "phases", "start_date.date"):
        assert path in spans, path  # enums and dates keep their span too


def test_unknown_label_is_asked_once_per_layout_and_learned() -> None:
    tables = load_tables(exclude="anzctr")  # as leave-one-out scores ANZCTR: its own labels unknown
    store = LayoutStore(None)
    asker = FakeAsker({"Anticipated date of first participant enrolment": "start_date", "Minimum age": "minimum_age"})
    policy = GenericPolicy(tables=tables)
    first = run(extract_generic(ANZ_PAGE, asker, Ledger(), store, policy))
    assert first.questions >= 2 and first.questions <= 15
    assert first.draft.data["start_date"]["date"] == "2014-08-05"
    asked_first = asker.count("label_field")
    second_page = ANZ_PAGE.replace("5/08/2014", "1/02/2015").replace("130", "64")
    second = run(extract_generic(second_page, asker, Ledger(), store, policy))
    assert asker.count("label_field") == asked_first  # the layout's map answered: no new label question
    assert second.layout.id == first.layout.id
    assert second.draft.data["start_date"]["date"] == "2015-02-01"


def test_unknown_spelling_is_asked_once_then_reported_unmapped() -> None:
    tables = load_tables(exclude="anzctr")
    store = LayoutStore(None)
    asker = FakeAsker()
    result = run(extract_generic(ANZ_PAGE, asker, Ledger(), store, GenericPolicy(tables=tables)))
    assert asker.count("value_spelling") == 1  # "Stopped early": no table entry without ANZCTR's
    assert {"path": "overall_status", "value": "Stopped early"}.items() <= result.draft.unmapped[0].items()
    again = run(extract_generic(ANZ_PAGE, asker, Ledger(), store, GenericPolicy(tables=tables)))
    assert asker.count("value_spelling") == 1  # cached per spelling in the layout map
    assert any(u["value"] == "Stopped early" for u in again.draft.unmapped)


def test_a_corrected_entry_is_followed_by_the_next_extraction(tmp_path: Path) -> None:
    """The model maps "Scientific title" wrongly (as the test's fake says); a person corrects it with
    `trialqa layouts set`; the next extraction of a page of that layout follows the correction."""
    from cli import app

    tables = load_tables(exclude="anzctr")
    page = ANZ_PAGE.replace("Scientific title", "Official scientific name")
    asker = FakeAsker({"Official scientific name": "acronym"})
    store = LayoutStore(tmp_path)
    first = run(extract_generic(page, asker, Ledger(), store, GenericPolicy(tables=tables)))
    assert first.draft.data.get("acronym", "").startswith("A Randomized Phase II")  # the model's wrong answer
    runner = CliRunner()
    listed = runner.invoke(app, ["layouts", "list", "--dir", str(tmp_path)])
    assert listed.exit_code == 0 and first.layout.id in listed.output
    fixed = runner.invoke(
        app, ["layouts", "set", first.layout.id, "Official scientific name", "official_title", "--dir", str(tmp_path)]
    )
    assert fixed.exit_code == 0, fixed.output
    shown = runner.invoke(app, ["layouts", "show", first.layout.id, "--dir", str(tmp_path)])
    assert "official_title" in shown.output and "user" in shown.output
    fresh = LayoutStore(tmp_path)  # a new run reads the maps from disk
    second = run(extract_generic(page, FakeAsker(), Ledger(), fresh, GenericPolicy(tables=tables)))
    assert (
        second.draft.data["official_title"] == "A Randomized Phase II Trial of Ridaforolimus in Female Adult Patients"
    )
    assert "acronym" not in second.draft.data


def test_layouts_set_rejects_unknown_fields_and_layouts(tmp_path: Path) -> None:
    from cli import app

    runner = CliRunner()
    assert (
        runner.invoke(app, ["layouts", "set", "Lnope", "Title", "brief_title", "--dir", str(tmp_path)]).exit_code == 2
    )
    assert runner.invoke(app, ["layouts", "set", "Lnope", "Title", "colour", "--dir", str(tmp_path)]).exit_code == 2


@pytest.mark.parametrize("text", ["", "\x00\x01\x02", "|||\n| | |\n:::\n", "Label:\n" * 500, "x" * 100_000])
def test_odd_pages_do_not_crash(text: str) -> None:
    from extract.page.strategy import LAYOUT_STORE

    LAYOUT_STORE.set(LayoutStore(None))
    draft = run(extract_page(text, None, Ledger()))
    assert isinstance(draft.data, dict)


def test_damaged_layout_map_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "Lbad.json").write_text("{not json", encoding="utf-8")
    store = LayoutStore(tmp_path)
    result = run(extract_generic(ANZ_PAGE, None, Ledger(), store))
    assert result.draft.data["nct_id"] == "NCT00739830"


def test_unmapped_lists_labels_that_hold_no_field() -> None:
    page = ANZ_PAGE + "Ethics committee name  Royal Hobart Hospital HREC\n"
    result = run(extract_generic(page, None, Ledger(), LayoutStore(None)))
    labels = {u["value"]: u["reason"] for u in result.draft.unmapped if u["path"] == "(label)"}
    assert "no record field is known" in labels["Ethics committee name"]
    assert "Date of registration" in labels


def test_a_later_page_of_a_learned_layout_asks_at_most_two_new_labels() -> None:
    tables = load_tables(exclude="anzctr")
    store, asker = LayoutStore(None), FakeAsker()
    run(extract_generic(ANZ_PAGE, asker, Ledger(), store, GenericPolicy(tables=tables)))
    first = asker.count("label_field")
    extra = "".join(f"Local field number {n}  value {n}\n" for n in range(1, 5))
    later = run(extract_generic(ANZ_PAGE + extra, asker, Ledger(), store, GenericPolicy(tables=tables)))
    assert asker.count("label_field") - first == 2
    unasked = {u["value"] for u in later.draft.unmapped if u["path"] == "(label)"}
    assert {"Local field number 3", "Local field number 4"} <= unasked  # listed, asked on a later page


def test_a_later_page_leaves_room_for_the_questions_its_layouts_sectioner_asks() -> None:
    """A layout whose title has no label: the sectioner asks for the title line on every page, so a
    later page's label and spelling questions get only what is left of its two."""
    tables = load_tables(exclude="anzctr")
    store, asker = LayoutStore(None), FakeAsker()
    run(extract_generic(ANZ_PAGE, asker, Ledger(), store, GenericPolicy(tables=tables)))
    [layout] = store.maps.values()
    layout.lead_questions = 1  # what strategy.extract_page records after the sectioner asked on that page
    first = asker.count("label_field")
    extra = "".join(f"Local field number {n}  value {n}\n" for n in range(1, 5))
    later = run(extract_generic(ANZ_PAGE + extra, asker, Ledger(), store, GenericPolicy(tables=tables)))
    assert asker.count("label_field") - first == 1
    unasked = {u["value"] for u in later.draft.unmapped if u["path"] == "(label)"}
    assert {"Local field number 2", "Local field number 3", "Local field number 4"} <= unasked


def test_strategy_records_the_sectioners_questions_on_the_layout() -> None:
    from extract.page.strategy import LAYOUT_STORE, POLICY

    store = LayoutStore(None)
    tokens = LAYOUT_STORE.set(store), POLICY.set(GenericPolicy(tables=load_tables(exclude="anzctr")))
    try:
        asker = FakeAsker()
        page = "Skip to content\nA Study of Aspirin for Pain\n" + ANZ_PAGE.split("\n", 2)[2]  # title without label
        run(extract_page(page, asker, Ledger()))
    finally:
        LAYOUT_STORE.reset(tokens[0])
        POLICY.reset(tokens[1])
    assert asker.count("title_line") == 1
    [layout] = store.maps.values()
    assert layout.lead_questions == 1


class SpellingAsker(FakeAsker):
    """FakeAsker that reads "Stopped early" as TERMINATED (a recorded model answer)."""

    async def ask(self, *, question: str, response_model: Any, **kwargs: Any) -> tuple[Any, CallStats]:
        if question == "value_spelling" and "<<<Stopped early>>>" in kwargs["messages"][-1]["content"]:
            self.asked.append((question, "Stopped early"))
            stats = CallStats(
                question=question, cache_hit=False, attempts=1, prompt_tokens=1, completion_tokens=1, seconds=0.0
            )
            return response_model(value="TERMINATED"), stats
        return await super().ask(question=question, response_model=response_model, **kwargs)


def test_coded_values_are_read_again_from_their_spans_by_the_reader_that_read_them() -> None:
    """A status read through the layout map's recorded answer, a sex through the alias table, a date
    through the date parser: grounding reads each span again and keeps only what reads the same."""
    from extract.ground import ground
    from extract.model import Span

    tables = load_tables(exclude="anzctr")  # "Stopped early" has no table entry: the model is asked
    asker = SpellingAsker({"Anticipated date of first participant enrolment": "start_date"})
    result = run(extract_generic(ANZ_PAGE, asker, Ledger(), LayoutStore(None), GenericPolicy(tables=tables)))
    draft = result.draft
    assert draft.data["overall_status"] == "TERMINATED"
    readers = draft.readers
    assert readers["overall_status"]("Stopped early") == "TERMINATED"  # from the layout map, no new question
    assert readers["eligibility.sex"]("Females") == "FEMALE"
    assert readers["start_date.date"]("5/08/2014") == "2014-08-05"

    def span_of(text: str) -> Span:
        start = ANZ_PAGE.index(text)
        return Span(start=start, end=start + len(text))

    kept = ground(dict(draft.data), dict(draft.spans), ANZ_PAGE, readers)
    assert kept.ungrounded == [] and kept.data["overall_status"] == "TERMINATED"
    moved = dict(draft.spans)  # spans that drifted onto other values' words, none of them blank
    moved["overall_status"] = span_of("Interventional")
    moved["eligibility.sex"] = span_of("Endometrial")
    moved["start_date.date"] = span_of("12/03/2008")
    data = {**draft.data, "eligibility": dict(draft.data["eligibility"]), "start_date": dict(draft.data["start_date"])}
    dropped = ground(data, moved, ANZ_PAGE, readers)
    assert {entry["path"] for entry in dropped.ungrounded} == {"overall_status", "eligibility.sex", "start_date.date"}
    assert dropped.data["overall_status"] is None and dropped.data["eligibility"]["sex"] is None
