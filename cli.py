"""trialqa command line: `trialqa extract | check | rules | eval | review`.

Thin by design: parse options, call the library, print. Every behaviour lives in `extract/`.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.console import Console

from extract.batch import BatchSummary, Resume
from extract.cli_options import (
    EXIT_CODES_HELP,
    LLM_PANEL,
    Address,
    ApiKey,
    ApiKeyFile,
    BaseUrl,
    Concurrency,
    Engine,
    EngineChoice,
    ExitCode,
    Inputs,
    Jobs,
    KeepGoing,
    LocalModel,
    MaxBytes,
    MaxReasks,
    Mode,
    ModeChoice,
    Model,
    Strategy,
    Timeout,
    Workers,
    endpoint_config,
)
from extract.distributed.command import OutputFormat, OutputFormatOption, extract_on_ray
from extract.distributed.ray_engine import RayOptions
from extract.llm.client import EndpointConfig
from extract.load import DEFAULT_MAX_BYTES
from extract.pipeline import PageExtractor, StrategyName

app = typer.Typer(
    name="trialqa",
    help="Extract clinical-trial records into one validated schema, and find their contradictions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)


class _ConsoleLogHandler(logging.Handler):
    """Library log records on stderr through rich (above a live progress bar, never inside it)."""

    def emit(self, record: logging.LogRecord) -> None:
        style = (
            "bold red"
            if record.levelno >= logging.ERROR
            else ("yellow" if record.levelno >= logging.WARNING else "dim")
        )
        err_console.print(self.format(record), style=style, markup=False, highlight=False)


def _show_library_log() -> None:
    """Warnings and errors from `extract`, plus the embedded model's setup steps (a first run waits a
    minute on them) and its server's fate, reach the user as they happen."""
    root = logging.getLogger("extract")
    if not any(isinstance(handler, _ConsoleLogHandler) for handler in root.handlers):
        handler = _ConsoleLogHandler()
        handler.setFormatter(logging.Formatter("trialqa: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name in ("extract.llm.setup", "extract.llm.server"):
        logging.getLogger(name).setLevel(logging.INFO)


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


@app.command(epilog=EXIT_CODES_HELP)
def extract(
    inputs: Inputs,
    output: Annotated[str, typer.Option("-o", "--output", help="Output JSONL file, or - for stdout.")] = "-",
    keep_going: KeepGoing = False,
    resume: Annotated[
        bool, typer.Option(help="Keep rows already in -o for this configuration and skip their records.")
    ] = True,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
    strategy: Strategy = StrategyName.auto,
    base_url: BaseUrl = None,
    model: Model = None,
    api_key: ApiKey = None,
    api_key_file: ApiKeyFile = None,
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
    engine: Engine = EngineChoice.local,
    address: Address = None,
    workers: Workers = 2,
    output_format: OutputFormatOption = OutputFormat.jsonl,
) -> None:
    """Extract each input record into one JSON line: {source, status, record, error, provenance}."""
    from extract.batch import configs_for, prepare_resume, run_batch
    from extract.output_lock import OutputInUse, exclusive_output
    from extract.parallel import default_jobs
    from extract.pipeline import default_concurrency, default_timeout, page_extractor

    _show_library_log()
    missing = [name for name in inputs if name != "-" and not Path(name).exists()]
    if missing:
        raise typer.BadParameter(f"no such file or folder: {', '.join(missing)}", param_hint="INPUTS")
    config = endpoint_config(
        base_url=base_url,
        api_key=api_key,
        api_key_file=api_key_file,
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
    limit = concurrency or default_concurrency(config)
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
    with writer:
        summary = asyncio.run(run())
    raise typer.Exit(_finish(summary, keep_going))


def _finish(summary: BatchSummary, keep_going: bool) -> ExitCode:
    err_console.print(summary.table())
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


def _register_stage_commands() -> None:
    """check / rules, eval, review, batch, fetch: each stage's command module adds its own commands."""
    from extract.batchfiles import command as batch_command
    from extract.check import command as check_command
    from extract.fetch import command as fetch_command
    from extract.page import command as layouts_command
    from extract.review import command as review_command
    from extract.score import command as eval_command

    for module in (check_command, eval_command, review_command, batch_command, fetch_command, layouts_command):
        module.register(app)


_register_stage_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
