"""Loading: inputs on disk or stdin -> SourceRecords of a detected kind."""

from extract.load.detect import Kind, SourceRecord
from extract.load.sources import DEFAULT_MAX_BYTES, input_files, iter_sources, iter_units

__all__ = ["DEFAULT_MAX_BYTES", "Kind", "SourceRecord", "input_files", "iter_sources", "iter_units"]
