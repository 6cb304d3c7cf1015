"""A curator's field correction: set one dotted path in a copy of the record, validate the whole
record against the model, and say clearly why when it does not validate (nothing is stored then)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson
from pydantic import ValidationError

from extract.errors import describe_validation_error
from extract.model import TrialRecord
from extract.model.paths import PathError, covers, get_value, set_value


class ValueMode(StrEnum):
    TEXT = "text"  # the value as typed; empty means null ("18 Years", "EXPERIMENTAL", "104")
    JSON = "json"  # a JSON value: lists, objects, numbers, true/false, null


class CorrectionError(ValueError):
    """The correction cannot be applied: bad path, bad JSON, or a record the model rejects."""


@dataclass(frozen=True)
class Correction:
    path: str
    old_value: Any
    new_value: Any  # as the model stores it (e.g. "18 Years" -> {text, value, unit})
    record: dict[str, Any]  # the whole corrected record, validated, as JSON types


def parse_value(raw: str, mode: ValueMode) -> Any:
    if mode is ValueMode.JSON:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise CorrectionError(f"the value is not valid JSON: {exc}") from None
    text = raw.strip()
    return text or None


def apply_correction(record: dict[str, Any], path: str, raw: str, mode: ValueMode = ValueMode.TEXT) -> Correction:
    """`record` with `path` set to the parsed `raw` value, validated as a TrialRecord."""
    path = path.strip()
    if path == "spans" or path.startswith(("spans.", "spans[")):
        raise CorrectionError("spans are where values stand in the source text; they are not corrected by hand")
    value = parse_value(raw, mode)
    try:
        try:
            old = get_value(record, path)
        except PathError:
            old = None  # a field that does not exist yet (a missing parent object, or an append)
        changed = set_value(record, path, value)
    except PathError as exc:
        raise CorrectionError(str(exc)) from None
    # The corrected value no longer stands where the old one did in the source text.
    spans = changed.get("spans")
    if isinstance(spans, dict):
        changed["spans"] = {key: span for key, span in spans.items() if not covers(path, key)}
    try:
        validated = TrialRecord.model_validate(changed)
    except ValidationError as exc:
        raise CorrectionError(f"the corrected record does not validate: {describe_validation_error(exc)}") from None
    stored = validated.model_dump(mode="json")
    new = get_value(stored, path)
    if new == old:
        raise CorrectionError(f"{path} already has that value; nothing to correct")
    return Correction(path=path, old_value=old, new_value=new, record=stored)
