"""trialqa command line: `trialqa extract | check | rules | eval | review`.

Thin by design: parse options, call the library, print. Every behaviour lives in `extract/`.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.console import Console

from extract.batch import BatchSummary
from extract.load import DEFAULT_MAX_BYTES
from extract.pipeline import StrategyName

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


class ModeChoice(StrEnum):
    auto = "auto"
    tools = "tools"
    json_schema = "json_schema"
    json = "json"
    md_json = "md_json"


LLM_PANEL = "Model (page text only)"


@app.command()
def extract(
    inputs: Inputs,
    output: Annotated[str, typer.Option("-o", "--output", help="Output JSONL file, or - for stdout.")] = "-",
    strict: Annotated[bool, typer.Option(help="Exit 1 if any row is an error row.")] = False,
    resume: Annotated[
        bool, typer.Option(help="Keep rows already in -o for this configuration and skip their records.")
    ] = True,
    max_bytes: Annotated[int, typer.Option(help="Largest input file accepted, in bytes.")] = DEFAULT_MAX_BYTES,
    strategy: Annotated[
        StrategyName,
        typer.Option(
            help="sectioned: code finds sections, the model answers small questions (default for the "
            "embedded model); whole: one call per record (default for remote endpoints).",
            rich_help_panel=LLM_PANEL,
        ),
    ] = StrategyName.auto,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="OpenAI-compatible endpoint; else $OPENAI_BASE_URL; else the embedded model.",
            rich_help_panel=LLM_PANEL,
        ),
    ] = None,
    model: Annotated[str | None, typer.Option(help="Model name at the endpoint.", rich_help_panel=LLM_PANEL)] = None,
    api_key: Annotated[
        str | None,
        typer.Option(help="API key; else $OPENAI_API_KEY. Never logged or cached.", rich_help_panel=LLM_PANEL),
    ] = None,
    mode: Annotated[
        ModeChoice, typer.Option(help="instructor mode; auto picks per endpoint kind.", rich_help_panel=LLM_PANEL)
    ] = ModeChoice.auto,
    max_reasks: Annotated[
        int, typer.Option(min=0, help="Re-asks after an invalid answer.", rich_help_panel=LLM_PANEL)
    ] = 2,
    concurrency: Annotated[
        int | None,
        typer.Option(
            min=1, help="Records extracted at once (default: 1 for local servers, 8 remote).", rich_help_panel=LLM_PANEL
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            help="Seconds per model request (default 120; 1800 for --strategy whole, which writes a whole "
            "record at ~10 tokens/s on the embedded model).",
            rich_help_panel=LLM_PANEL,
        ),
    ] = None,
    replay: Annotated[
        bool,
        typer.Option(help="Answer only from the response cache; a miss is an error row.", rich_help_panel=LLM_PANEL),
    ] = False,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Response cache folder (default: user cache).", rich_help_panel=LLM_PANEL)
    ] = None,
    local_model: Annotated[
        str | None,
        typer.Option(
            help="A GGUF file for the embedded server instead of the default model.", rich_help_panel=LLM_PANEL
        ),
    ] = None,
) -> None:
    """Extract each input record into one JSON line: {source, status, record, error, provenance}."""
    from extract.batch import configs_for, prepare_resume, run_batch
    from extract.llm.client import EndpointConfig
    from extract.pipeline import default_concurrency, default_timeout, page_extractor

    missing = [name for name in inputs if name != "-" and not Path(name).exists()]
    if missing:
        raise typer.BadParameter(f"no such file or folder: {', '.join(missing)}", param_hint="INPUTS")
    try:
        config = EndpointConfig.from_options(
            base_url=base_url,
            api_key=api_key,
            model=model,
            mode=mode.value,
            max_reasks=max_reasks,
            timeout_s=timeout or default_timeout(strategy),
            cache_dir=cache_dir,
            replay=replay,
            local_model=local_model,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    pages = page_extractor(config, strategy)
    earlier = None
    if output != "-":
        out_path = Path(output)
        if resume:
            earlier = prepare_resume(out_path, configs_for(pages))
        elif out_path.exists():
            out_path.unlink()
    limit = concurrency or default_concurrency(config)

    async def run() -> BatchSummary:
        try:
            with open_output(output) as out:
                return await run_batch(
                    inputs, out, pages=pages, concurrency=limit, max_bytes=max_bytes, exclude=[output], resume=earlier
                )
        finally:
            await pages.llm.aclose()

    # SIGTERM (a scheduler stopping the job) unwinds like Ctrl-C: rows written stay, the model server stops.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    summary = asyncio.run(run())
    err_console.print(summary.table())
    for error_type, count in summary.error_types.most_common():
        err_console.print(f"  error {error_type}: {count}")
    if strict and summary.failed:
        raise typer.Exit(1)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _register_stage_commands() -> None:
    """check / rules, eval, review: each stage's command module adds its own commands."""
    from extract.check import command as check_command
    from extract.review import command as review_command
    from extract.score import command as eval_command

    for module in (check_command, eval_command, review_command):
        module.register(app)


_register_stage_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
