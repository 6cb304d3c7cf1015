"""Normalising values before comparing them, and the text similarity the scorer uses.

Free text is compared after NFKC, case folding and whitespace collapsing, with trailing
punctuation dropped; similarity is rapidfuzz's normalised Indel ratio (0..1) of the normalised
strings. Enums, numbers, booleans and dates are compared exactly after `normalise_exact`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from rapidfuzz import fuzz

_TRAILING = re.compile(r"[\s.;:,]+$")


def normalise_text(value: str) -> str:
    """'  Inclusion  Criteria:\n' -> 'inclusion criteria'."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    return _TRAILING.sub("", " ".join(folded.split()))


def similarity(a: str, b: str) -> float:
    """1.0 for the same normalised text, down to 0.0 for nothing in common."""
    left, right = normalise_text(a), normalise_text(b)
    if left == right:
        return 1.0
    if not left or not right:
        return 0.0
    return fuzz.ratio(left, right) / 100.0


def normalise_exact(value: Any) -> Any:
    """Enum / number / boolean / date values as comparable keys (strings trimmed and upper-cased)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    return text.upper() if not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", text) else text


def is_empty(value: Any) -> bool:
    return value is None or value == [] or value == "" or value == {}
