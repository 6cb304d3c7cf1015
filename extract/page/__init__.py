"""Page strategies: page text -> a `PageDraft` (record data, spans, unmapped values, call ledger).

The default (`strategy.py`) works on layouts it was never shown: it discovers (label, value) pairs
and headed blocks (`discover`), maps labels to fields through synonym tables kept as data
(`tables`, `data/`) and learned per-layout maps (`layouts`), parses values deterministically
(`values`), and asks the model only small closed questions (`questions`) for what is still
unknown; the seed-layout sectioner (`sectioned`, over `extract.section`) fills what it leaves.
`whole` asks a capable remote model for the whole record in one call. Grounding and validation
happen after, in `extract.pipeline`.
"""
