"""Text helpers the rules share: name normalisation, sentences, clauses. Regexes compile at import."""

from __future__ import annotations

import re
from collections.abc import Iterable

import re2

_NON_WORD = re.compile(r"[^0-9a-z]+")
# No leading lookbehind: a pattern that starts with a character class lets `re` skip ahead fast.
_SENTENCE_END = re.compile(r"[.!?;]\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n")
_CLAUSE_END = re.compile(r"[.;](?:\s|$)")


_TYPE_WORDS = frozenset(
    {
        "drug",
        "device",
        "biological",
        "biologic",
        "procedure",
        "procedure/surgery",
        "radiation",
        "behavioral",
        "behavioural",
        "genetic",
        "dietary supplement",
        "combination product",
        "diagnostic test",
        "other",
        "biological/vaccine",
    }
)


def strip_type_prefix(name: str) -> str:
    """'Drug: Placebo' -> 'Placebo'; a name without a known type prefix is returned as is."""
    head, colon, tail = name.partition(":")
    if colon and " ".join(head.lower().split()) in _TYPE_WORDS:
        return tail.strip()
    return name


_ASCII_TO_SPACE = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})


def norm(text: str) -> str:
    """Lower case, every run of non-alphanumerics one space: for comparing names and items."""
    lowered = text.lower()
    if lowered.isascii():  # fast path: one C-level translate, then split/join
        return " ".join(lowered.translate(_ASCII_TO_SPACE).split())
    return _NON_WORD.sub(" ", lowered).strip()


def _sentence_stop(text: str, match: re.Match[str]) -> int:
    """Where the sentence a boundary match closes ends: after its punctuation, or at the blank line."""
    return match.start() + 1 if text[match.start()] in ".!?;" else match.start()


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; a sentence ends at . ! ? ; before a capital or digit, or at a blank line."""
    out: list[tuple[int, str]] = []
    pos = 0
    for match in _SENTENCE_END.finditer(text):
        piece = text[pos : _sentence_stop(text, match)]
        if piece.strip():
            out.append((pos, piece))
        pos = match.end()
    if text[pos:].strip():
        out.append((pos, text[pos:]))
    return out


def _blank_line_end(text: str, newline: int) -> int | None:
    """If the newline at `newline` belongs to a blank line (a whitespace run holding two newlines),
    where the text after that run starts; else None."""
    run = newline
    while run > 0 and text[run - 1] in " \t\r\n":
        run -= 1
    stop = newline + 1
    while stop < len(text) and text[stop] in " \t\r\n":
        stop += 1
    return stop if text.count("\n", run, stop) >= 2 else None


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The (start, end) of the sentence of `text` holding text[start:end], by the same boundaries as
    `sentences` (. ! ? ; before a capital or digit, or a blank line), found without splitting the
    whole text: backwards with rfind, forwards with one search."""
    left = 0
    pos = start
    while pos > 0:
        cut = max(text.rfind(mark, 0, pos) for mark in ".!?;\n")
        if cut == -1:
            break
        if text[cut] == "\n":
            after = _blank_line_end(text, cut)
        else:
            boundary = _SENTENCE_END.match(text, cut)
            after = boundary.end() if boundary is not None else None
        if after is not None and after <= start:
            left = after
            break
        pos = cut
    right_match = _SENTENCE_END.search(text, max(end - 1, 0))
    right = _sentence_stop(text, right_match) if right_match else len(text)
    while right > left and text[right - 1].isspace():
        right -= 1
    while left < right and text[left].isspace():
        left += 1
    return left, right


def first_clause(text: str) -> str:
    """The item up to its first '.' or ';' followed by a space (its main requirement)."""
    if "\n" in text or "\t" in text:
        match = _CLAUSE_END.search(text)
        return text if match is None else text[: match.start()]
    cut = len(text) - 1 if text.endswith((".", ";")) else len(text)  # item text is one-spaced: find is enough
    for separator in (". ", "; "):
        found = text.find(separator, 0, cut)
        if found != -1:
            cut = found
    return text[:cut]


class WordSet:
    """Which of a fixed list of words (literal substrings) occur in a text, found in one pass.

    A rule's prefilter tests a few dozen words against the same text ("does 'consent' occur at
    all?"); one `in` scan per word costs more than the rule it guards. An RE2 set holds every word
    and reads the text once. The answer is exactly `[w for w in words if w in text]`: literal words,
    case as given (lower-case words go with lower-cased text).
    """

    def __init__(self, words: Iterable[str]) -> None:
        self.words = tuple(words)
        self._set = re2.Set.SearchSet()
        for word in self.words:
            self._set.Add(re2.escape(word))
        self._set.Compile()

    def present(self, text: str) -> list[str]:
        """The words that occur in `text`, in the order they were given."""
        try:
            found = self._set.Match(text.encode())
        except UnicodeEncodeError:  # a lone surrogate (no UTF-8 for RE2): test each word
            return [word for word in self.words if word in text]
        return [self.words[i] for i in sorted(found)] if found else []


# Python's `\s` (every character `str.isspace()` holds for) as an RE2 class, for screens.
WHITESPACE = r"[\t-\r\x1c-\x20\x85\xa0\p{Z}]"


class Screen:
    """A cheap proof that a slower scan finds nothing in a text: one RE2 pattern that every text the
    scan could match also matches (written loosely: a superset), run over the text in one pass.

    `could_match(text)` False: the scan cannot find anything, skip it. True proves nothing: run the
    scan. Keep the pattern a plain superset (no `\\b`, `\\w` or `\\s`: RE2 reads them as ASCII where
    Python's `re` reads Unicode); `\\p{Nd}` is Python's `\\d`, `(?s).` any character.
    """

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._set = re2.Set.SearchSet()
        self._set.Add(pattern)
        self._set.Compile()

    def could_match(self, text: str) -> bool:
        try:
            return self._set.Match(text.encode()) is not None
        except UnicodeEncodeError:  # a lone surrogate: no UTF-8 for RE2 to read, so prove nothing
            return True


def shorten(text: str, limit: int = 300) -> str:
    """One line, at most `limit` characters, for showing a long field as evidence."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
