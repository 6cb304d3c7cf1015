"""Text as lines with absolute offsets: the unit every page-section finder works on."""

from __future__ import annotations

from dataclasses import dataclass

from extract.model import Span


@dataclass(frozen=True, slots=True)
class Line:
    index: int  # position among all lines of the text
    start: int  # offset of the first non-space character
    end: int  # offset past the last non-space character
    text: str  # text[start:end]

    @property
    def span(self) -> Span:
        return Span(start=self.start, end=self.end)

    @property
    def blank(self) -> bool:
        return not self.text


@dataclass(frozen=True, slots=True)
class Located:
    """A value as it stands in the source: its text and where."""

    text: str
    start: int
    end: int

    @property
    def span(self) -> Span:
        return Span(start=self.start, end=self.end)


def split_lines(text: str) -> list[Line]:
    """The lines of `text` (as str.split("\n") cuts them), each stripped, with offsets. One line
    is sliced at a time: a list of every raw line as well would double a big page's cost."""
    lines = []
    offset, size = 0, len(text)
    while True:
        newline = text.find("\n", offset)
        stop = size if newline < 0 else newline
        raw = text[offset:stop]
        stripped = raw.strip()
        start = offset + (len(raw) - len(raw.lstrip()))
        lines.append(Line(index=len(lines), start=start, end=start + len(stripped), text=stripped))
        if newline < 0:
            return lines
        offset = newline + 1


def locate_within(line: Line, value: str, text: str) -> Located:
    """`value` (a substring of the line) as a Located with absolute offsets."""
    offset = text.find(value, line.start, line.end)
    if offset < 0:
        offset = line.start
        value = line.text
    return Located(value, offset, offset + len(value))


def trim_cells(line: Line, text: str, start: int | None = None) -> Located | None:
    """The line's content from `start`, without table pipes and separators around it."""
    begin = line.start if start is None else start
    end = line.end
    while begin < end and text[begin] in " \t|:":
        begin += 1
    while end > begin and text[end - 1] in " \t|":
        end -= 1
    if begin >= end:
        return None
    return Located(text[begin:end], begin, end)
