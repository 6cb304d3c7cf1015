"""A loaded structured record (v2 JSON, legacy XML) -> its extraction row, with no model.

Whatever fails becomes an error row with the failure's type; nothing raises out of here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from extract import __version__, errors
from extract.load.detect import Kind, SourceRecord
from extract.model import TrialRecord
from extract.model.provenance import SPAN_BASE_CRITERIA, Provenance
from extract.rows import ExtractionRow
from extract.structured import ctgov_v2, ctgov_xml

# Each mapper returns the record and the values it left unmapped (one field emptied each).
_MAPPERS: dict[str, tuple[str, Callable[[Any], tuple[TrialRecord, list[dict[str, str]]]]]] = {
    Kind.CTGOV_V2: (ctgov_v2.EXTRACTOR, ctgov_v2.map_study_logged),
    Kind.CTGOV_XML: (ctgov_xml.EXTRACTOR, ctgov_xml.map_study_logged),
}
STRUCTURED_CONFIG = f"structured/{__version__}"


def extract_structured(source: SourceRecord) -> ExtractionRow:
    """A loaded structured record (or a load error) -> its extraction row."""
    extractor, mapper = _MAPPERS.get(source.kind, ("none", None))  # type: ignore[assignment]
    provenance = Provenance(extractor=extractor, version=__version__, config=STRUCTURED_CONFIG)
    if source.error is not None:
        return ExtractionRow.failed(source, source.error, provenance)
    if mapper is None:
        exc = errors.NotAStudy(f"no structured mapping for input kind {source.kind!r}")
        return ExtractionRow.failed(source, exc, provenance)
    try:
        record, unmapped = mapper(source.payload)
    except ValidationError as exc:
        return ExtractionRow.failed(source, errors.RecordInvalid(errors.describe_validation_error(exc)), provenance)
    except errors.TrialQAError as exc:
        return ExtractionRow.failed(source, exc, provenance)
    provenance.span_base = SPAN_BASE_CRITERIA
    if unmapped:
        provenance.unmapped = unmapped
    return ExtractionRow.ok(source, record, provenance)
