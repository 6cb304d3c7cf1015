"""Cut a text into segments by overlapping marked ranges, for highlighting in HTML (the eval report
and the review page).

Each segment knows every mark covering it, so overlapping spans and evidence both stay visible,
and the anchors that start at it (ids links land on). Text is returned raw: the templates escape
it. Ranges outside the text (a stale or hostile row) are ignored; an empty range places its
anchor but covers nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extract.check.finding import severity_rank


@dataclass(frozen=True)
class Mark:
    """[start, end) of the text, with what it names."""

    start: int
    end: int
    label: str  # a field path, a rule id, "rule @ path": shown as the mark's title
    kind: str = "evidence"  # "span" (an extracted value) or "evidence" (a finding's evidence)
    severity: str | None = None  # the finding's severity, for evidence
    anchor: str | None = None  # an id placed at `start`


@dataclass
class Segment:
    text: str
    marks: list[Mark] = field(default_factory=list)  # every mark covering the segment
    anchors: list[str] = field(default_factory=list)  # ids that start here

    @property
    def kinds(self) -> list[str]:
        return sorted({m.kind for m in self.marks})

    @property
    def labels(self) -> list[str]:
        return sorted({m.label for m in self.marks})

    @property
    def titles(self) -> list[str]:
        return self.labels

    @property
    def severity(self) -> str | None:
        """The most severe covering mark's severity; None when no covering mark has one."""
        return max((m.severity for m in self.marks if m.severity), key=severity_rank, default=None)

    @property
    def marked(self) -> bool:
        return self.severity is not None


def segments(text: str, marks: list[Mark], anchors: dict[str, int] | None = None) -> list[Segment]:
    """Cut `text` at every mark boundary and anchor position (anchors: id -> offset). Neighbouring
    pieces covered by the same marks, with no anchor between them, stay one segment."""
    size = len(text)
    valid = [m for m in marks if 0 <= m.start <= m.end <= size]
    points = {0, size}
    at: dict[int, list[str]] = {}
    for anchor, offset in (anchors or {}).items():
        if 0 <= offset <= size:
            points.add(offset)
            at.setdefault(offset, []).append(anchor)
    for mark in valid:
        points.update((mark.start, mark.end))
        if mark.anchor is not None:
            at.setdefault(mark.start, []).append(mark.anchor)
    cuts = sorted(points)
    out: list[Segment] = []
    for begin, end in zip(cuts, [*cuts[1:], None], strict=True):
        if end is None:
            if at.get(begin):  # anchors at the very end of the text
                out.append(Segment("", anchors=at[begin]))
            break
        covering = [m for m in valid if m.start <= begin and end <= m.end and m.start < m.end]
        starting = at.get(begin, [])
        if out and not starting and out[-1].marks == covering:
            out[-1].text += text[begin:end]
        else:
            out.append(Segment(text[begin:end], covering, list(starting)))
    return out
