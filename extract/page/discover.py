"""Generic structure discovery: (label, value) pairs on any registry page, with offsets.

Forms found (earliest separator on the line wins): "Label: value"; "Label<TAB>value";
"Label   value" (two or more spaces); "| Label | value |" table rows; a label alone on its line
with its value on the lines after it (up to the next label or heading). Numbered labels
("Outcome [1]", "Timepoint [1]") keep their number. Nothing here knows a registry: which labels
mean which field is `extract.page.tables` (curated) and the learned layout maps.

Invariant: every Located indexes the page text exactly (text[start:end] == value).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from extract.section.criteria import header_kind
from extract.section.lines import Line, Located, split_lines

_SEPARATOR = re.compile(r"\t+|\s*[:：]\s+|\s*[:：]$| {2,}")
_MARKDOWN = re.compile(r"^#{1,6}\s+")
_BULLET = re.compile(r"^(?:[-*•·]|\d+[.)]|[a-z][.)])\s")


def label_like(text: str) -> bool:
    """Could this be a field label: short, not a list item, not a sentence."""
    words = text.split()
    if not 1 <= len(words) <= 16 or len(text) > 130 or _BULLET.match(text):
        return False
    if text.endswith(".") and len(words) > 3:
        return False
    if text.count(",") > 3 or not (text[0].isalpha() or text[0].isdigit()):
        return False
    return not re.search(r"https?://|[<>=]", text)


@dataclass
class Pair:
    """A label and where its value is: on the label's line (`value`) or on the lines after (`block`)."""

    label: Located
    line: int  # index into lines
    value: Located | None
    form: str  # "colon" | "tab" | "spaces" | "pipe" | "alone" | "header" (a criteria header line)
    block: list[Line] = field(default_factory=list)

    def value_lines(self) -> list[Located]:
        if self.value is not None:
            return [self.value, *(Located(b.text, b.start, b.end) for b in self.block)]
        return [Located(b.text, b.start, b.end) for b in self.block]


def _cells(line: Line) -> list[Located]:
    cells = []
    for match in re.finditer(r"[^|]+", line.text):
        raw = match.group(0)
        body = raw.strip()
        if body:
            start = line.start + match.start() + (len(raw) - len(raw.lstrip()))
            cells.append(Located(body, start, start + len(body)))
    return cells


def table_cells(line: Line) -> list[Located] | None:
    """The cells of a table row ("a | b"), None for a line that is not one."""
    if "|" not in line.text or not (line.text.startswith("|") or " | " in line.text):
        return None
    return _cells(line)


def parse_line(line: Line) -> Pair | None:
    """The line as a label (+ value on the same line), or None."""
    text = line.text
    if not text:
        return None
    if header_kind(text) in ("inclusion", "exclusion"):  # a criteria header; a label only if a map says so
        return Pair(
            label=Located(text.rstrip(":：").rstrip(), line.start, line.start + len(text.rstrip(":：").rstrip())),
            line=line.index,
            value=None,
            form="header",
        )
    cells = table_cells(line)
    if cells is not None:
        if len(cells) == 2 and label_like(cells[0].text) and text.startswith("|"):
            return Pair(label=cells[0], line=line.index, value=cells[1], form="pipe")
        if len(cells) == 1 and text.startswith("|") and label_like(cells[0].text):
            return Pair(label=cells[0], line=line.index, value=None, form="alone")
        return None
    sep = _SEPARATOR.search(text)
    if sep is not None and sep.start() > 0:
        label_text = text[: sep.start()].rstrip()
        if label_like(label_text):
            rest = text[sep.end() :].strip()
            label = Located(label_text, line.start, line.start + len(label_text))
            form = (
                "tab"
                if "\t" in sep.group(0)
                else ("colon" if ":" in sep.group(0) or "：" in sep.group(0) else "spaces")
            )
            if not rest:
                return Pair(label=label, line=line.index, value=None, form="alone")
            start = line.start + text.index(rest, sep.end())
            return Pair(label=label, line=line.index, value=Located(rest, start, start + len(rest)), form=form)
    heading = _MARKDOWN.match(text)  # "## Brief Summary": a markdown heading is a label alone
    body = text[heading.end() :] if heading else text
    if body and label_like(body) and len(body.split()) <= 16 and not body.endswith((".", ",", ";")):
        start = line.start + (heading.end() if heading else 0)
        return Pair(label=Located(body, start, line.end), line=line.index, value=None, form="alone")
    return None


def discover(text: str, is_label: Callable[[Pair], bool]) -> tuple[list[Line], list[Pair]]:
    """Every pair whose label `is_label` accepts, each alone label with its block of following lines.

    A block runs to the next accepted label line, heading (a short line after a blank line, whose
    next non-blank line is an accepted label) or label-and-value row at the margin ("Label<TAB>value",
    "Label   value", "| Label | value |"); blank lines inside a block are kept out of it.
    """
    lines = split_lines(text)
    parsed = [_at_margin(parse_line(line), line, text) for line in lines]
    accepted = [p if p is not None and is_label(p) else None for p in parsed]
    pairs = [p for p in accepted if p is not None]
    for pair in pairs:
        if pair.value is not None and pair.form not in ("alone", "header"):
            continue
        block: list[Line] = []
        for position in range(pair.line + 1, len(lines)):
            if accepted[position] is not None or _heading(lines, parsed, accepted, position):
                break
            if _strong(parsed[position], lines[position], text):
                break  # "Date of registration  12/03/2008": a label-and-value row ends a list, known or not
            if not lines[position].blank:
                block.append(lines[position])
        pair.block = block
    return lines, pairs


def _strong(pair: Pair | None, line: Line, text: str) -> bool:
    """A label and its value separated by a tab, several spaces or a table pipe, at the left margin."""
    return (
        pair is not None
        and pair.form in ("tab", "spaces", "pipe")
        and (line.start == 0 or text[line.start - 1] == "\n")
    )


def _at_margin(pair: Pair | None, line: Line, text: str) -> Pair | None:
    """A label alone on its line starts at the left margin with a capital (or a section code): an
    indented or lower-case line is a wrapped continuation of the value above ("... will be considered
    for\n     enrollment")."""
    if pair is None or pair.form not in ("alone", "header"):
        return pair
    indented = line.start > 0 and text[line.start - 1] != "\n"
    if indented or not (line.text[0].isupper() or line.text[0].isdigit() or line.text[0] in "|#"):
        return None
    return pair


def _heading(lines: list[Line], parsed: list[Pair | None], accepted: list[Pair | None], position: int) -> bool:
    """A short unlabelled line after a blank line whose next non-blank line is a label (or the end)."""
    line = lines[position]
    candidate = parsed[position]
    if line.blank or candidate is None or candidate.form != "alone" or len(line.text.split()) > 6:
        return False
    before = position == 0 or lines[position - 1].blank
    following = next((p for p in range(position + 1, len(lines)) if not lines[p].blank), None)
    return before and (following is None or accepted[following] is not None)


__all__ = ["Pair", "discover", "label_like", "parse_line", "table_cells"]
