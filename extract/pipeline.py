"""Extraction of one source record into one row: structured kinds are mapped here, without a model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from extract import __version__, errors
from extract.load.detect import Kind, SourceRecord
from extract.model import TrialRecord
from extract.rows import ExtractionRow
from extract.structured import ctgov_v2, ctgov_xml

_MAPPERS: dict[str, tuple[str, Callable[[Any], TrialRecord]]] = {
    Kind.CTGOV_V2: (ctgov_v2.EXTRACTOR, ctgov_v2.map_study),
    Kind.CTGOV_XML: (ctgov_xml.EXTRACTOR, ctgov_xml.map_study),
}

SPAN_BASE_CRITERIA = "eligibility.criteria_text"


def extract_structured(source: SourceRecord) -> ExtractionRow:
    """A loaded structured record (or a load error) -> its extraction row."""
    extractor, mapper = _MAPPERS.get(source.kind, ("none", None))  # type: ignore[assignment]
    provenance: dict[str, Any] = {"extractor": extractor, "version": __version__}
    if source.error is not None:
        return ExtractionRow.failed(source, source.error, provenance)
    if mapper is None:
        exc = errors.NotAStudy(f"no structured mapping for input kind {source.kind!r}")
        return ExtractionRow.failed(source, exc, provenance)
    try:
        record = mapper(source.payload)
    except ValidationError as exc:
        return ExtractionRow.failed(source, errors.RecordInvalid(errors.describe_validation_error(exc)), provenance)
    except errors.TrialQAError as exc:
        return ExtractionRow.failed(source, exc, provenance)
    provenance["span_base"] = SPAN_BASE_CRITERIA
    return ExtractionRow.ok(source, record, provenance)


def is_structured(source: SourceRecord) -> bool:
    return source.kind in _MAPPERS
