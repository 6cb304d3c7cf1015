"""Source text -> segments for the template: plain text, marked evidence, and anchors.

The template prints every segment's text through jinja2's autoescape, so record text never
becomes markup; this module only decides where <mark> and anchor ids go. Overlapping spans are
cut into segments, each covered by the marks whose range contains it. Spans outside the text
(a stale or hostile row) are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mark:
    """Evidence to highlight: [start, end) in the text, with the finding's severity and rule."""

    anchor: str
    start: int
    end: int
    severity: str
    title: str


@dataclass
class Segment:
    text: str
    anchors: list[str] = field(default_factory=list)  # ids that start here (links land on them)
    severity: str | None = None  # the most severe covering mark, None for plain text
    titles: list[str] = field(default_factory=list)

    @property
    def marked(self) -> bool:
        return self.severity is not None


_ORDER = {"info": 0, "warning": 1, "error": 2}


def segments(text: str, marks: list[Mark], anchors: dict[str, int]) -> list[Segment]:
    """Cut `text` at every mark boundary and anchor position (anchors: id -> offset)."""
    size = len(text)
    valid = [m for m in marks if 0 <= m.start <= m.end <= size]
    points = {0, size}
    for mark in valid:
        points.update((mark.start, mark.end))
    at: dict[int, list[str]] = {}
    for anchor, offset in anchors.items():
        if 0 <= offset <= size:
            points.add(offset)
            at.setdefault(offset, []).append(anchor)
    for mark in valid:
        at.setdefault(mark.start, []).append(mark.anchor)
    cuts = sorted(points)
    out: list[Segment] = []
    for begin, end in zip(cuts, [*cuts[1:], None], strict=True):
        if end is None:
            if at.get(begin):  # anchors at the very end of the text
                out.append(Segment("", anchors=at[begin]))
            break
        covering = [m for m in valid if m.start <= begin and end <= m.end and m.start < m.end]
        severity = max((m.severity for m in covering), key=lambda s: _ORDER.get(s, 0), default=None)
        out.append(
            Segment(
                text[begin:end],
                anchors=at.get(begin, []),
                severity=severity,
                titles=sorted({m.title for m in covering}),
            )
        )
    return out
