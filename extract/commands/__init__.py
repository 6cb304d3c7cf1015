"""The command layer: each module parses one command's options, composes the stage libraries and
prints; `register(app)` adds its commands to the trialqa app (cli.py). Shared options live in
`options`, what is shown on stderr in `console`. Nothing in `extract/` below this imports it."""

from __future__ import annotations

import typer


def register_all(app: typer.Typer) -> None:
    """Every trialqa command, in the order `trialqa --help` lists them."""
    from extract.commands import batch, check, evaluate, extract, fetch, layouts, review

    for module in (extract, check, evaluate, review, batch, fetch, layouts):
        module.register(app)
