"""trialqa command line: `trialqa extract | check | rules | eval | review | batch | fetch`.

The command layer composes the stage libraries in `extract/`; it is the only place that parses
options and prints. Each command module in `extract.commands` adds its commands with `register`.
"""

from __future__ import annotations

import typer

from extract.commands import register_all

app = typer.Typer(
    name="trialqa",
    help="Extract clinical-trial records into one validated schema, and find their contradictions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _group() -> None:
    """Extract clinical-trial records into one validated schema, and find their contradictions."""


register_all(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
