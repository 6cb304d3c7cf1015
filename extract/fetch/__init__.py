"""`trialqa fetch`: studies from the ClinicalTrials.gov API v2, paged by cursor, written as study JSONL
that `extract` and `check` read directly; resumable after a crash, polite under rate limits.

`query` (what to ask for), `client` (pages over HTTP, with retries), `state` (where a fetch stands),
`run` (pages to a JSONL file or a stream). Nothing is imported here, so that loading the command line
does not load an HTTP client.
"""
