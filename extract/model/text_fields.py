"""Which record fields hold text copied from the source, read off the model's `SourceText` marks.

Grounding (what to look for in a page), the fixture tests (what gold must show in its page) and
scoring (what is prose, compared by similarity) all ask here, so the answer lives on the model:

    >>> [f.path for f in text_fields() if f.container == "arms"]
    ['arms[].label', 'arms[].description', 'arms[].intervention_names']
"""

from __future__ import annotations

import functools
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from extract.model.record import SourceText, TrialRecord


@dataclass(frozen=True)
class TextField:
    """One marked field. `container` is the object or item list holding it ("" for the record itself,
    "sponsor", "arms", "outcomes.primary"); `items` says the container is a list of items."""

    container: str
    name: str
    mark: SourceText
    is_list: bool  # a list of strings (conditions, other_names), not one string
    items: bool
    item_span: bool  # the container's items carry their own `span` (criteria)

    @property
    def path(self) -> str:
        """'brief_title', 'sponsor.lead', 'arms[].label' (scoring's spelling of an item field)."""
        if not self.container:
            return self.name
        return f"{self.container}[].{self.name}" if self.items else f"{self.container}.{self.name}"


def _model_in(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """(the model class inside an annotation, whether it is a list of them)."""
    origin = typing.get_origin(annotation)
    if origin is list:
        inner, _ = _model_in(typing.get_args(annotation)[0])
        return inner, True
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            inner, many = _model_in(arg)
            if inner is not None:
                return inner, many
        return None, False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) is list


def _walk(model: type[BaseModel], container: str, items: bool) -> list[TextField]:
    out: list[TextField] = []
    for name, info in model.model_fields.items():
        mark = next((m for m in info.metadata if isinstance(m, SourceText)), None)
        if mark is not None:
            out.append(
                TextField(
                    container, name, mark, _is_list(info.annotation), items, items and "span" in model.model_fields
                )
            )
            continue
        inner, many = _model_in(info.annotation)
        if inner is not None:
            out.extend(_walk(inner, f"{container}.{name}" if container else name, many))
    return out


@functools.cache
def text_fields(model: type[BaseModel] = TrialRecord) -> tuple[TextField, ...]:
    """Every marked field of `model`, nested ones included, in the model's field order."""
    return tuple(_walk(model, "", False))


def is_free_text(path: str) -> bool:
    """Whether the field at a scoring path ('brief_title', 'arms[].description') is prose."""
    return any(f.path == path and f.mark.free for f in text_fields())
