"""trialqa command line: `trialqa extract | check | rules | eval | review`.

Thin by design: parse options, call the library, print. Every behaviour lives in `extract/`.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.console import Console

from extract.batch import BatchSummary
from extract.cli_options import (
    LLM_PANEL,
    ApiKey,
    BaseUrl,
    Concurrency,
    Inputs,
    Jobs,
    LocalModel,
    MaxBytes,
    MaxReasks,
    Mode,
    ModeChoice,
    Model,
    Strategy,
    Timeout,
    endpoint_config,
)
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
    resume: Annotated[
        bool, typer.Option(help="Keep rows already in -o for this configuration and skip their records.")
    ] = True,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
    strategy: Strategy = StrategyName.auto,
    base_url: BaseUrl = None,
    model: Model = None,
    api_key: ApiKey = None,
    mode: Mode = ModeChoice.auto,
    max_reasks: MaxReasks = 2,
    concurrency: Concurrency = None,
    timeout: Timeout = None,
    replay: Annotated[
        bool,
        typer.Option(help="Answer only from the response cache; a miss is an error row.", rich_help_panel=LLM_PANEL),
    ] = False,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Response cache folder (default: user cache).", rich_help_panel=LLM_PANEL)
    ] = None,
    local_model: LocalModel = None,
    jobs: Jobs = None,
) -> None:
    """Extract each input record into one JSON line: {source, status, record, error, provenance}."""
    from extract.batch import configs_for, prepare_resume, run_batch
    from extract.parallel import default_jobs
    from extract.pipeline import default_concurrency, default_timeout, page_extractor

    missing = [name for name in inputs if name != "-" and not Path(name).exists()]
    if missing:
        raise typer.BadParameter(f"no such file or folder: {', '.join(missing)}", param_hint="INPUTS")
    config = endpoint_config(
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
                    inputs,
                    out,
                    pages=pages,
                    concurrency=limit,
                    max_bytes=max_bytes,
                    exclude=[output],
                    resume=earlier,
                    jobs=jobs or default_jobs(),
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
    """check / rules, eval, review, fetch: each stage's command module adds its own commands."""
    from extract.check import command as check_command
    from extract.fetch import command as fetch_command
    from extract.review import command as review_command
    from extract.score import command as eval_command

    for module in (check_command, eval_command, review_command, fetch_command):
        module.register(app)


_register_stage_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
