"""Split eligibility-criteria text into inclusion and exclusion items with labels, nesting and spans.

Works on plain text with offsets, so the same splitter serves v2 markdown, legacy XML
textblocks (hard-wrapped, indented) and registry page text. Spans are absolute offsets into
the text passed in; an item's `text` is its source slice with whitespace collapsed.

How the text is read, line by line:
- a *header* line ("Inclusion Criteria:", "EXCLUSION CRITERIA", "Key Inclusion Criteria:",
  "[Exclusion Criteria]", "Non-inclusion criteria:", "• Inclusion Criteria:") switches the list
  that following items go to; items before any header are inclusion items (CT.gov convention);
  generic headers ("Eligibility criteria:") are skipped;
- a *marker* line ("* ", "- ", "• ", "o ", "1.", "1)", "(a)", "①", or "• 1.") starts an item;
- a line right under an item, or after a blank line but indented past the item's marker,
  continues it (hard-wrapped XML); any other text paragraph is an item with label "";
- nesting comes from indentation, and from a change of marker style right after an item that
  announces a list (ends with ":"), as in "* Prior therapies as follows:" then "1. ...".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.model import CriteriaHeader, CriterionItem, Span

_BULLET_CHARS = "-*•·▪◦‣⁃–—●○■□➢►"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# One marker at the start of the remaining line; may repeat ("• 1. text").
_MARKER = re.compile(
    rf"""
    (?P<marker>
        [{re.escape(_BULLET_CHARS)}](?=\s)            # bullet
      | o(?=\s{{2,}}|\t)                              # 'o' bullet of legacy XML sub-lists
      | \(\s*(?:\d{{1,3}}|[a-zA-Z]|[ivxIVX]{{1,5}})\s*\)  # (1) (a) (iv)
      | (?:\d{{1,3}}|[a-zA-Z]|[ivxlIVXL]{{1,5}})[.)](?=\s|$)  # 1. 1) a. iv)
      | \d{{1,3}}\s?-(?=\s)                           # 1- (some registries)
      | [{_CIRCLED}]                                  # ① ②
      | \[\d{{1,3}}\]                                 # [1]
    )
    [ \t]*
    """,
    re.VERBOSE,
)
_HEADER_KIND = r"(?P<kind>non[\s-]?inclusion|inclusion|exclusion)"
_CRITERIA_WORD = r"(?:criteria|criterion|critera)"
# "... Inclusion Criteria" / "Transplant Exclusion" / "Key Inclusion Criteria"
_HEADER_ENDS = re.compile(rf"^(?P<head>.{{0,60}}?\b{_HEADER_KIND}(?:\s+{_CRITERIA_WORD})?)$", re.IGNORECASE)
# "Inclusion Criteria: adults aged 18+" on one line: the header, then (after the colon) the first item
_INLINE_HEADER = re.compile(rf"^\s*((?:(?:key|main)\s+)?{_HEADER_KIND}\s+{_CRITERIA_WORD})\s*:\s*(?=\S)", re.IGNORECASE)
# "Inclusion Criteria for Stage 1" / "Exclusion criteria (part A)"
_HEADER_STARTS = re.compile(
    rf"^(?:(?:key|main|major|general|principal|additional|specific)\s+)?{_HEADER_KIND}\s+{_CRITERIA_WORD}\b.{{0,50}}$",
    re.IGNORECASE,
)
# "Inclusion criteria required that ..." / "Exclusion criteria included ...": a sentence about the
# criteria (old free-text records), not a header, although it starts like "Inclusion Criteria for Stage 1".
_SENTENCE_AFTER_CRITERIA = re.compile(
    rf"^(?:\S+\s+){{0,2}}?{_CRITERIA_WORD}\s+(?:were|was|are|is|will|must|required|requires|require|included|includes|"
    rf"include|consist\w*|compris\w*|contain\w*|specif\w*|appl\w*|vary|varied|differ\w*)\b",
    re.IGNORECASE,
)
# "Patients who do not meet the inclusion criteria" / "Any of the above exclusion criteria": an item that
# refers to a list, not a header (headers do not speak of "the" list or of meeting it).
_REFERS_TO_CRITERIA = re.compile(
    r"\b(?:the|meets?|meeting|met|fulfil\w*|satisf\w*|not|any|all|above|listed|see|per|who|that|which|do|does|did)\b",
    re.IGNORECASE,
)
_GENERIC_HEADER = re.compile(
    rf"^(?:(?:study\s+|participant\s+|patient\s+)?eligibility(?:\s+{_CRITERIA_WORD})?|{_CRITERIA_WORD}|"
    rf"inclusion\s*(?:/|and|&)\s*exclusion(?:\s+{_CRITERIA_WORD})?)$",
    re.IGNORECASE,
)
_ANNOUNCES_LIST = re.compile(r"[:：]\s*$")


@dataclass
class SplitCriteria:
    """What the splitter found: items per list, and the headers that divided them."""

    inclusion: list[CriterionItem] = field(default_factory=list)
    exclusion: list[CriterionItem] = field(default_factory=list)
    headers: list[CriteriaHeader] = field(default_factory=list)

    @property
    def had_headers(self) -> bool:
        return bool(self.headers)


@dataclass
class _Line:
    start: int  # offset of the first character of the line
    end: int  # offset past the last non-newline character
    indent: int  # leading whitespace width (tabs count 4)
    content_start: int  # offset of the first non-space character


@dataclass
class _OpenItem:
    label: str
    style: str
    indent: int  # indent of the marker
    text_column: int  # indent where the item's text begins
    text_start: int
    text_end: int
    level: int
    kind: str


def _lines(text: str, start: int, end: int) -> list[_Line]:
    lines = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = end if nl == -1 else nl
        body = text[pos:line_end].rstrip(" \t\r\f\v\u00a0")
        content = body.lstrip(" \t\u00a0\u3000")
        indent = len(body) - len(content)
        width = indent + 3 * body.count("\t", 0, indent)  # a tab counts 4
        lines.append(_Line(pos, pos + len(body), width, pos + indent))
        pos = line_end + 1
    return lines


_ROMAN = re.compile(r"[ivxl]+")


def marker_style(marker: str) -> str:
    """The kind and shape of an item marker: 'decimal.', 'alpha)', 'roman.', 'bullet-', 'para' for none."""
    return _marker_style(marker) if marker.strip() else "para"


def _marker_style(marker: str) -> str:
    m = marker.strip()
    if m in _BULLET_CHARS or m == "o":
        return "bullet" + m
    if m in _CIRCLED:
        return "circled"
    core = m.strip("()[]").rstrip(".)-").strip()
    kind = "decimal" if core.isdigit() else ("roman" if _ROMAN.fullmatch(core) and len(core) > 1 else "alpha")
    shape = ("(" if m.startswith("(") else "[" if m.startswith("[") else "") + m[-1]
    return f"{kind}{shape}"


def _strip_markers(text: str, pos: int, end: int) -> tuple[str, str, int]:
    """Markers at text[pos:end] -> (label, style, offset where the item text starts)."""
    label, style = "", "para"
    while pos < end:
        match = _MARKER.match(text, pos, end)
        if not match or match.end() == pos:
            break
        # a bare letter/number with nothing after it is a word, not a marker
        if match.end() >= end and match["marker"][-1] not in _BULLET_CHARS:
            break
        label = match["marker"]
        style = _marker_style(label)
        pos = match.end()
    return label, style, pos


_HEADER_WORDS = ("inclusion", "exclusion", "criteri", "critera", "eligibility")


def header_kind(line_text: str) -> str | None:
    """'inclusion' / 'exclusion' when the line is a criteria header, 'generic' for
    "Eligibility criteria:", None for anything else."""
    if line_text.isascii():  # every header pattern needs one of these words (on ASCII, IGNORECASE is lower())
        lowered = line_text.lower()
        if not any(word in lowered for word in _HEADER_WORDS):
            return None
    head = line_text.strip().strip("[]()*_#").strip()
    if head.endswith((":", "：")):
        head = head[:-1].strip()
    head = head.strip("[]()*_#").strip()
    if not head or len(head.split()) > 8:
        return None
    if _GENERIC_HEADER.match(head):
        return "generic"
    match = _HEADER_ENDS.match(head) or _HEADER_STARTS.match(head)
    if not match or _SENTENCE_AFTER_CRITERIA.match(head) or _REFERS_TO_CRITERIA.search(head, 0, match.start("kind")):
        return None
    if re.search(r"inclusion", head, re.I) and re.search(r"(?<!non-)(?<!non )\bexclusion", head, re.I):
        return "generic"  # "Inclusion/Exclusion:" names both lists
    return "inclusion" if match["kind"].lower() == "inclusion" else "exclusion"


class _Splitter:
    def __init__(self, text: str) -> None:
        self.text = text
        self.result = SplitCriteria()
        self.kind = "inclusion"
        self.item: _OpenItem | None = None
        self.stack: list[tuple[int, str, int]] = []  # (indent, style, level) of open list levels
        self.last_item_announces = False

    def close_item(self) -> None:
        item = self.item
        if item is None:
            return
        raw = self.text[item.text_start : item.text_end]
        body = " ".join(raw.split())
        if body:
            target = self.result.inclusion if item.kind == "inclusion" else self.result.exclusion
            target.append(
                CriterionItem(
                    text=body, label=item.label, level=item.level, span=Span(start=item.text_start, end=item.text_end)
                )
            )
            self.last_item_announces = bool(_ANNOUNCES_LIST.search(body))
        self.item = None

    def level_for(self, indent: int, style: str) -> int:
        stack = self.stack
        while stack and stack[-1][0] > indent:
            stack.pop()
        if not stack:
            stack.append((indent, style, 0))
            return 0
        top_indent, top_style, top_level = stack[-1]
        if indent > top_indent:
            stack.append((indent, style, top_level + 1))
            return top_level + 1
        if style == top_style:
            return top_level
        for i in range(len(stack) - 1, -1, -1):  # back to an enclosing list's style
            if stack[i][1] == style and stack[i][0] == indent:
                del stack[i + 1 :]
                return stack[i][2]
        if self.last_item_announces:
            stack.append((indent, style, top_level + 1))
            return top_level + 1
        stack[-1] = (indent, style, top_level)
        return top_level

    def header(self, kind: str, line: _Line) -> None:
        self.close_item()
        self.stack.clear()
        self.last_item_announces = False
        if kind == "generic":
            return
        self.kind = kind
        _, _, pos = _strip_markers(self.text, line.content_start, line.end)
        self.result.headers.append(
            CriteriaHeader(
                kind=kind, text=" ".join(self.text[pos : line.end].split()), span=Span(start=pos, end=line.end)
            )
        )

    def run(self, start: int, end: int) -> SplitCriteria:
        blank_before = False
        for line in _lines(self.text, start, end):
            if line.content_start >= line.end:
                blank_before = True
                continue
            label, style, text_pos = _strip_markers(self.text, line.content_start, line.end)
            line_text = self.text[text_pos : line.end]
            wrapped = (  # a hard-wrapped line of the open item ("...meets the\n     exclusion criterion.")
                self.item is not None and not label and not blank_before and line.indent >= self.item.text_column > 0
            )
            kind = None if wrapped else header_kind(line_text)
            if kind is not None:
                self.header(kind, line)
                blank_before = False
                continue
            inline = _INLINE_HEADER.match(line_text)
            if inline and not label:  # "Inclusion Criteria: adults aged 18+" on one line
                self.header(
                    header_kind(inline[1]) or "generic",
                    _Line(line.start, text_pos + inline.end(1), line.indent, line.content_start),
                )
                # the items may follow on the same line: "Exclusion Criteria: 1. Age < 40. 2. ..."
                label, style, text_pos = _strip_markers(self.text, text_pos + inline.end(), line.end)
            item = self.item
            continues = (
                item is not None
                and not label
                and (not blank_before or (item.label != "" and line.indent >= item.text_column))
            )
            if continues and item is not None:
                item.text_end = line.end
            else:
                self.close_item()
                indent = line.indent
                self.item = _OpenItem(
                    label=label.strip(),
                    style=style,
                    indent=indent,
                    text_column=indent + (text_pos - line.content_start),
                    text_start=text_pos,
                    text_end=line.end,
                    level=self.level_for(indent, style),
                    kind=self.kind,
                )
            blank_before = False
        self.close_item()
        return self.result


def split_criteria(text: str, start: int = 0, end: int | None = None) -> SplitCriteria:
    """Split text[start:end] into inclusion/exclusion items; spans index `text`."""
    return _Splitter(text).run(start, len(text) if end is None else end)
