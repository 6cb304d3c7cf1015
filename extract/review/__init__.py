"""The curation review queue: flagged records in one SQLite file, and a local web page to decide them.

    trialqa review load x.jsonl [findings.jsonl] --db queue.sqlite   # queue what needs a person
    trialqa review serve --db queue.sqlite                             # http://127.0.0.1:8765
    trialqa review export --db queue.sqlite -o decisions.jsonl [--as-fixtures evals/fixtures/curated]

Modules, one concern each: `store` (schema and migrations), `load` (rows -> items), `paths`
(dotted field paths), `actions` (decisions with version checks), `queries` (what the pages
read), `highlight` (source text -> escaped segments with marks), `security` (CSRF, origin,
headers), `app` (the Starlette app), `export` (decisions and fixtures), `command` (typer).
"""
