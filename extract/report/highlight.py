"""Cut a text into segments by overlapping marked ranges, for highlighting in HTML.

Each segment carries the kinds ("span", "evidence") and labels (field paths, rule ids) of every
range covering it, so overlapping spans and evidence both stay visible. Text is returned raw;
the template escapes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    kind: str  # "span" (an extracted value) or "evidence" (a finding's evidence)
    label: str


@dataclass
class Segment:
    text: str
    kinds: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


def segments(text: str, marks: list[Mark]) -> list[Segment]:
    valid = [m for m in marks if 0 <= m.start < m.end <= len(text)]
    cuts = sorted({0, len(text), *(m.start for m in valid), *(m.end for m in valid)})
    out: list[Segment] = []
    for start, end in pairwise(cuts):
        covering = [m for m in valid if m.start <= start and end <= m.end]
        kinds = sorted({m.kind for m in covering})
        labels = sorted({m.label for m in covering})
        if out and out[-1].kinds == kinds and out[-1].labels == labels:
            out[-1].text += text[start:end]
        else:
            out.append(Segment(text[start:end], kinds, labels))
    return out
