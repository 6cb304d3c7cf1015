"""trialqa command line: `trialqa extract | check | rules | eval | review`.

Thin by design: parse options, call the library, print. Every behaviour lives in `extract/`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.console import Console

from extract.batch import run_sync
from extract.load import DEFAULT_MAX_BYTES
from extract.pipeline import extract_structured

app = typer.Typer(
    name="trialqa",
    help="Extract clinical-trial records into one validated schema, and find their contradictions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)


@app.callback()
def _group() -> None:
    """Extract clinical-trial records into one validated schema, and find their contradictions."""


Inputs = Annotated[list[str], typer.Argument(help="Files, folders (recursive), or - for stdin.", show_default=False)]


@contextmanager
def open_output(path: str) -> Iterator[BinaryIO]:
    if path == "-":
        yield sys.stdout.buffer
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as handle:
        yield handle


@app.command()
def extract(
    inputs: Inputs,
    output: Annotated[str, typer.Option("-o", "--output", help="Output JSONL file, or - for stdout.")] = "-",
    strict: Annotated[bool, typer.Option(help="Exit 1 if any row is an error row.")] = False,
    max_bytes: Annotated[int, typer.Option(help="Largest input file accepted, in bytes.")] = DEFAULT_MAX_BYTES,
) -> None:
    """Extract each input record into one JSON line: {source, status, record, error, provenance}."""
    missing = [name for name in inputs if name != "-" and not Path(name).exists()]
    if missing:
        raise typer.BadParameter(f"no such file or folder: {', '.join(missing)}", param_hint="INPUTS")
    if output != "-" and Path(output).exists():
        Path(output).unlink()  # structured extraction rewrites; resume arrives with the LLM batch
    with open_output(output) as out:
        summary = run_sync(inputs, out, extract_structured, max_bytes=max_bytes, exclude=[output])
    err_console.print(f"records: {summary.ok + summary.error}  ok: {summary.ok}  error: {summary.error}")
    for error_type, count in summary.error_types.most_common():
        err_console.print(f"  {error_type}: {count}")
    if strict and summary.error:
        raise typer.Exit(1)


def _register_optional_commands() -> None:
    """Commands whose modules live beside their stage (check, eval, review)."""
    import importlib

    for module_name in ("extract.check.command",):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if not module_name.startswith(exc.name or "\0"):
                raise
            continue
        module.register(app)


_register_optional_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
