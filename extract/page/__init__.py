"""Page strategies: page text -> a `PageDraft` (record data, spans, unmapped values, call ledger).

`sectioned` settles structure with code (`extract.section`) and asks the model small closed
questions (`questions`); `whole` asks a capable remote model for the whole record in one call.
Grounding and validation happen after, in `extract.pipeline`.
"""
