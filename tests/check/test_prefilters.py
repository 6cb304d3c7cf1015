"""The rules' prefilters (RE2 word sets and screens) only ever skip work that would have found nothing.

A screen must match every text the scan it guards could match (a superset), and a word set must
answer exactly what `in` answers; these tests hold them to that, character classes included (RE2
reads `\\s` and `\\d` as ASCII where Python's `re` reads Unicode).
"""

from __future__ import annotations

import random
import re
import sys

import pytest

from extract.check.rules import arms, dates, design, eligibility, interventions, outcomes
from extract.check.text import WHITESPACE, Screen, WordSet, norm

EVERY_CHARACTER = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000]


def test_word_set_answers_what_in_answers() -> None:
    words = WordSet(["age", " old", "y.o", "≥", "consent", "a"])
    rng = random.Random(7)
    alphabet = ["a", "g", "e", " ", "o", "l", "d", "y", ".", "≥", "İ", "\n", "consent"]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert words.present(text) == [w for w in words.words if w in text], text


def test_a_lone_surrogate_proves_nothing() -> None:
    assert Screen("x").could_match("\ud800")
    assert WordSet(["a", "b"]).present("a\ud800") == ["a"]


def test_whitespace_class_is_pythons() -> None:
    screen = Screen(rf"^{WHITESPACE}$")
    assert [c for c in EVERY_CHARACTER if c.isspace() != screen.could_match(c)] == []


def test_re2_digits_hold_every_python_digit() -> None:
    screen = Screen(r"^\p{Nd}$")
    assert [c for c in EVERY_CHARACTER if re.fullmatch(r"\d", c) and not screen.could_match(c)] == []


def test_a_unit_followed_by_a_word_character_is_not_passed_over() -> None:
    # The dose screen's "no word character after the unit" class must let through every character
    # Python's `\w` does not hold (it may let through more).
    screen = Screen(r"^[^A-Za-z0-9_/²]$")
    assert [c for c in EVERY_CHARACTER if re.fullmatch(r"[^\w/²]", c) and not screen.could_match(c)] == []


class _Unscreened:
    """Stands in for a screen to get what the guarded scan finds without it."""

    def could_match(self, text: str) -> bool:
        return True


def _random_texts(pieces: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 14))) for _ in range(count)]


@pytest.mark.parametrize("seed", range(3))
def test_dose_screen_holds_every_dose(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    pieces = ["1", "20", "٣", "2.5", "1,000", ",", ".", " ", "\u00a0", "\u2009", "\n", "-", "–", "to", "mg", "g",
              "µg", "mcg", "/day", "/m2", "/kg", "x", "s", "²", "_", "doses", "cycles", "total ", "Gy", "units",
              "per", "each"]  # fmt: skip
    screen = interventions._DOSE_SCREEN
    monkeypatch.setattr(interventions, "_DOSE_SCREEN", _Unscreened())
    found = 0
    for text in _random_texts(pieces, 4000, seed):
        if interventions._doses(text):
            found += 1
            assert screen.could_match(text.lower()), text
    assert found > 100  # the generated texts do hold doses


@pytest.mark.parametrize("seed", range(3))
def test_month_year_screen_holds_every_month_year(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    pieces = ["Jan ", "JANUARY ", "sept ", "May ", "dec. ", " ", "\n", "\u3000", "12th, ", "1 ", "19", "20", "2019",
              "٢٠١٩", "19٩٩", "20٠١", "x", "a", "started in ", "ended "]  # fmt: skip
    screen = dates._MONTH_YEAR_SCREEN
    monkeypatch.setattr(dates, "_MONTH_YEAR_SCREEN", _Unscreened())
    found = 0
    for text in _random_texts(pieces, 4000, seed):
        if list(dates._month_years(text)):
            found += 1
            assert screen.could_match(text), text
    assert found > 100  # the generated texts do hold month-years


def test_every_untimed_phrase_holds_an_untimed_word() -> None:
    for phrase in outcomes._UNTIMED_FRAMES:
        assert any(word in phrase for word in outcomes.UNTIMED_WORDS), phrase
    assert norm("Through Study-Completion.") in outcomes._UNTIMED_FRAMES


def _without_leading_lookahead(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """`pattern` without the lookahead it opens with (the pattern as it was before the lookahead)."""
    source = pattern.pattern
    start = source.index("(?=")
    assert not source[:start].strip(), "the lookahead must open the pattern"
    depth, at = 0, start
    while True:
        if source[at] == "\\":
            at += 2
            continue
        depth += {"(": 1, ")": -1}.get(source[at], 0)
        at += 1
        if depth == 0:
            return re.compile(source[:start] + source[at:], pattern.flags)


@pytest.mark.parametrize(
    ("pattern", "pieces"),
    [
        (eligibility._AGE_FORMS, ["age", "aged ", "18", "٣", "-", " to ", "≥", ">=", "over ", "at least ", "up to ",
                                  "years", " old", "or older", "+", " ", "\n", "under ", "maximum of ", "x"]),
        (eligibility._THE_AGE_OF, ["over ", "the ", "age ", "ages of ", "18", "under ", "< ", "≤", "greater than ",
                                   "years", "x", " "]),
        (arms.PLACEBO_WORDS, ["Placebo", "SHAM", "vehıcle", "İnert", "ſaline", "no active drug", "without the active agent",
                              "0 mg", "0.0%", "NaCl", "x", ".", " ", "-", "sugar pills", "matching tablet", "non-active"]),
        (arms.SHAM_WORDS, ["Sham", "simulated", "MOCK", "de-tuned", "turned off", "fake", "İmitation", "ſubtherapeutic",
                           "zero intensity", "0 g/kg", "x", " ", "."]),
        (design._BLIND, ["Double", "TRIPLE", "ſingle", "observer", "assessor", "evaluator", "rater", "-", " ", "blind",
                         "blinded", "masked", "x", "open label"]),
        (design._OPEN, ["open", "OPEN", "-", " ", "label", "labelled", "un", "non", "blinded", "masked", "x", "ı"]),
        (design._OTHER_STUDY, ["previous", "PRİOR", "earlier", "published", "reported", "showed", "shown",
                               "demonstrated", "parent", "preceding", " ", "x", "study"]),
        (design._RANDOMIZED, ["randomized", "RANDOMİSED", "randomızation", "not ", "non-", "-", " ", "x", "un"]),
        (design._NON_RANDOMIZED, ["non", "NOT ", "un", "randomized", "randomiſed", "-", " ", "x"]),
        (design._SINGLE_ARM, ["single", "ONE", "1", "-", " ", "arm", "armed", "x", "ſingle"]),
    ],
    ids=["age forms", "the age of", "placebo words", "sham words", "blind", "open", "other study", "randomized",
         "non-randomized", "single arm"],
)  # fmt: skip
def test_a_leading_lookahead_changes_no_match(pattern: re.Pattern[str], pieces: list[str]) -> None:
    plain = _without_leading_lookahead(pattern)
    assert plain.pattern != pattern.pattern
    for text in _random_texts(pieces, 3000, 11):
        found = [(m.span(), m.groups()) for m in pattern.finditer(text)]
        assert found == [(m.span(), m.groups()) for m in plain.finditer(text)], text
