"""Learned layout maps: what the model answered about a layout's unknown labels and spellings, on disk.

A layout is recognised by its label vocabulary: a page's label keys are compared with each stored
map's, and the map sharing at least half of the smaller set (overlap coefficient, so optional fields
and label-shaped prose on one page do not split a layout, as Jaccard did on a jRCT page) is that
page's layout; otherwise a new map is started, named by the hash of the page's labels. Entries are {label key: {field, source}}
with source "model" or "user"; a user's correction always wins and is never overwritten by a
model answer. Spellings are {field: {spelling key: {value, source}}}.

Invariant: the store only ever adds model answers for keys it does not hold; `set_entry` (a
person) is the only way an existing entry changes.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MATCH_AT = 0.5


def default_dir() -> Path:
    root = Path(os.environ.get("TRIALQA_CACHE_DIR") or Path.home() / ".cache" / "trialqa")
    return Path(os.environ.get("TRIALQA_LAYOUTS_DIR") or root / "layouts")


@dataclass
class LayoutMap:
    id: str
    labels: set[str] = field(default_factory=set)  # label keys seen on this layout's pages
    entries: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> {field, source, sample}
    spellings: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    pages: int = 0
    # Questions the seed sectioner asked on this layout's last page (the title line, a conditions
    # split): it leads on pages whose title has no label and asks them on every page, so a later
    # page's label and spelling questions get only what is left of that page's budget.
    lead_questions: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "labels": sorted(self.labels),
            "entries": dict(sorted(self.entries.items())),
            "spellings": {k: dict(sorted(v.items())) for k, v in sorted(self.spellings.items())},
            "pages": self.pages,
            "lead_questions": self.lead_questions,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LayoutMap:
        return cls(
            id=str(data["id"]),
            labels=set(data.get("labels", [])),
            entries={str(k): dict(v) for k, v in data.get("entries", {}).items()},
            spellings={str(k): dict(v) for k, v in data.get("spellings", {}).items()},
            pages=int(data.get("pages", 0)),
            lead_questions=int(data.get("lead_questions", 0)),
        )


@dataclass
class LayoutStore:
    """The maps under one folder (one JSON file per layout); None folder = in memory only."""

    folder: Path | None
    maps: dict[str, LayoutMap] = field(default_factory=dict)
    loaded: bool = False

    def load(self) -> None:
        if self.loaded:
            return
        self.loaded = True
        if self.folder is None or not self.folder.is_dir():
            return
        for path in sorted(self.folder.glob("*.json")):
            try:
                found = LayoutMap.from_json(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError):
                continue  # a damaged map is skipped, not fatal: the page is still extracted
            self.maps[found.id] = found

    def match(self, keys: set[str]) -> LayoutMap:
        """The stored layout these label keys belong to, or a new one."""
        self.load()
        best, score = None, 0.0
        for candidate in self.maps.values():
            smaller = min(len(keys), len(candidate.labels))
            overlap = len(keys & candidate.labels) / smaller if smaller else 0.0
            if overlap > score:
                best, score = candidate, overlap
        if best is not None and score >= MATCH_AT:
            return best
        layout_id = "L" + hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:10]
        created = self.maps.setdefault(layout_id, LayoutMap(id=layout_id))
        return created

    def save(self, layout: LayoutMap) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{layout.id}.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(layout.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)

    def get(self, layout_id: str) -> LayoutMap | None:
        self.load()
        return self.maps.get(layout_id)

    def set_entry(self, layout_id: str, key: str, field_name: str) -> LayoutMap:
        """A person's correction: label key -> field (wins over the model from now on)."""
        layout = self.get(layout_id)
        if layout is None:
            raise KeyError(f"no learned layout {layout_id!r}")
        layout.entries[key] = {**layout.entries.get(key, {}), "field": field_name, "source": "user"}
        layout.labels.add(key)
        self.save(layout)
        return layout


__all__ = ["LayoutMap", "LayoutStore", "default_dir"]
