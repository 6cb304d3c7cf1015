"""`trialqa extract`: every input record -> one JSON line {source, status, record, error, provenance}."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO

import typer

from extract.batch import BatchSummary, Resume, configs_for, prepare_resume, run_batch
from extract.commands.console import batch_progress, err_console, show_library_log, summary_table
from extract.commands.options import (
    DEFAULT_MODEL_OPTIONS,
    EXIT_CODES_HELP,
    LLM_PANEL,
    Address,
    Engine,
    EngineChoice,
    ExitCode,
    Inputs,
    Jobs,
    KeepGoing,
    MaxBytes,
    ModelOptions,
    Workers,
    missing_inputs,
    with_model_options,
)
from extract.commands.ray import OutputFormat, OutputFormatOption, extract_on_ray
from extract.llm.config import EndpointConfig
from extract.load import DEFAULT_MAX_BYTES
from extract.output_lock import OutputInUse, exclusive_output
from extract.parallel import default_jobs

if TYPE_CHECKING:
    from extract.pipeline import PageExtractor


@contextmanager
def open_output(path: str) -> Iterator[BinaryIO]:
    if path == "-":
        yield sys.stdout.buffer
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as handle:
        yield handle


@with_model_options
def extract_cmd(
    inputs: Inputs,
    output: Annotated[str, typer.Option("-o", "--output", help="Output JSONL file, or - for stdout.")] = "-",
    keep_going: KeepGoing = False,
    resume: Annotated[
        bool, typer.Option(help="Keep rows already in -o for this configuration and skip their records.")
    ] = True,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
    replay: Annotated[
        bool,
        typer.Option(help="Answer only from the response cache; a miss is an error row.", rich_help_panel=LLM_PANEL),
    ] = False,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Response cache folder (default: user cache).", rich_help_panel=LLM_PANEL)
    ] = None,
    jobs: Jobs = None,
    engine: Engine = EngineChoice.local,
    address: Address = None,
    workers: Workers = 2,
    output_format: OutputFormatOption = OutputFormat.jsonl,
    model_options: ModelOptions = DEFAULT_MODEL_OPTIONS,
) -> None:
    """Extract each input record into one JSON line: {source, status, record, error, provenance}."""
    from extract.pipeline import default_concurrency, page_extractor  # the page stack: only `extract` needs it

    show_library_log()
    missing_inputs(inputs)
    config = model_options.endpoint(cache_dir=cache_dir, replay=replay)
    pages = page_extractor(config, model_options.strategy)
    earlier = None
    writer = ExitStack()  # one run per output file at a time: held until the run ends
    if output != "-" and output_format is OutputFormat.jsonl:  # a Parquet folder is written new
        out_path = Path(output)
        try:
            writer.enter_context(exclusive_output(out_path))
        except OutputInUse as exc:
            err_console.print(f"trialqa: {exc}", markup=False)
            raise typer.Exit(ExitCode.USAGE) from None
        if resume:
            earlier = prepare_resume(out_path, configs_for(pages))
        elif out_path.exists():
            out_path.unlink()
    limit = model_options.concurrency or default_concurrency(config)
    if output_format is OutputFormat.parquet and engine is not EngineChoice.ray:
        raise typer.BadParameter("Parquet output is written by Ray: add --engine ray", param_hint="--output-format")
    if engine is EngineChoice.ray:
        with writer:
            summary = _extract_on_ray(
                inputs, output, output_format, pages, config, limit, max_bytes, earlier, address, workers
            )
        raise typer.Exit(_finish(summary, keep_going))

    async def run() -> BatchSummary:
        try:
            with open_output(output) as out, batch_progress(err_console, show=sys.stderr.isatty()) as progress:
                return await run_batch(
                    inputs,
                    out,
                    pages=pages,
                    concurrency=limit,
                    max_bytes=max_bytes,
                    exclude=[output],
                    resume=earlier,
                    progress=progress,
                    jobs=jobs or default_jobs(),
                )
        finally:
            await pages.llm.aclose()

    # SIGTERM (a scheduler stopping the job) unwinds like Ctrl-C: rows written stay, the model server stops.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with writer:
        summary = asyncio.run(run())
    raise typer.Exit(_finish(summary, keep_going))


def _finish(summary: BatchSummary, keep_going: bool) -> ExitCode:
    err_console.print(summary_table(summary))
    for error_type, count in summary.error_types.most_common():
        err_console.print(f"  error {error_type}: {count}")
    return _extract_exit_code(summary, keep_going)


def _extract_on_ray(
    inputs: list[str],
    output: str,
    output_format: OutputFormat,
    pages: PageExtractor,
    config: EndpointConfig,
    concurrency: int,
    max_bytes: int,
    resume: Resume | None,
    address: str | None,
    workers: int,
) -> BatchSummary:
    from extract.distributed.ray_engine import RayOptions

    options = RayOptions(address=address, workers=workers, page_concurrency=concurrency)
    common = dict(config=config, strategy=pages.strategy, options=options, max_bytes=max_bytes, exclude=[output])
    if output_format is OutputFormat.parquet:
        folder = Path(output)
        if output == "-" or (folder.exists() and any(folder.iterdir())):
            raise typer.BadParameter("--output-format parquet writes a new (or empty) folder", param_hint="-o")
        return extract_on_ray(inputs, None, folder, resume=None, **common)  # type: ignore[arg-type]
    with open_output(output) as out:
        return extract_on_ray(inputs, out, None, resume=resume, **common)  # type: ignore[arg-type]


def _extract_exit_code(summary: BatchSummary, keep_going: bool) -> ExitCode:
    if summary.model_unavailable:
        err_console.print(
            f"trialqa: {summary.model_unavailable} records were not extracted because the embedded model server "
            "would not start or died (see above); run the same command again to resume them.",
            style="bold red",
        )
        return ExitCode.OK if keep_going else ExitCode.MODEL_UNAVAILABLE
    if summary.failed:
        err_console.print(f"trialqa: {summary.failed} of the rows are error rows (see the 'error' field).")
        return ExitCode.OK if keep_going else ExitCode.RECORDS_FAILED
    return ExitCode.OK


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def register(app: typer.Typer) -> None:
    """Add `extract` to the trialqa app."""
    app.command("extract", epilog=EXIT_CODES_HELP)(extract_cmd)
