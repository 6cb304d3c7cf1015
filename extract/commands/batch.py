"""`trialqa batch prepare | ingest`: the model calls of a run as OpenAI Batch / `vllm run-batch` files.

Registered by cli.py. A round: `prepare` writes the questions the response cache cannot answer yet;
a batch service answers them; `ingest` stores the answers; repeat until `prepare` writes nothing;
then `trialqa extract --replay` (same --model/--mode/--strategy/--cache-dir) completes the run.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from extract.commands.options import (
    LLM_PANEL,
    ApiKey,
    BaseUrl,
    ExitCode,
    Inputs,
    KeepGoing,
    LocalModel,
    MaxBytes,
    Mode,
    ModeChoice,
    Model,
    Strategy,
    endpoint_config,
    missing_inputs,
)
from extract.errors import TrialQAError
from extract.load import DEFAULT_MAX_BYTES
from extract.page.names import StrategyName

batch_app = typer.Typer(
    help="Model questions as OpenAI Batch files (also `vllm run-batch`): prepare, answer elsewhere, ingest.",
    no_args_is_help=True,
)
CacheDir = Annotated[
    Path | None, typer.Option(help="Response cache folder (default: user cache).", rich_help_panel=LLM_PANEL)
]


@batch_app.command("prepare")
def prepare_cmd(
    inputs: Inputs,
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="Batch input file; more parts as NAME.002.jsonl, ... when over a limit."),
    ],
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
    strategy: Strategy = StrategyName.auto,
    base_url: BaseUrl = None,
    model: Model = None,
    api_key: ApiKey = None,
    mode: Mode = ModeChoice.auto,
    cache_dir: CacheDir = None,
    local_model: LocalModel = None,
    max_requests: Annotated[int, typer.Option(min=1, help="Requests per file (OpenAI's limit).")] = 50_000,
    max_file_bytes: Annotated[int, typer.Option(min=1, help="Bytes per file (OpenAI's limit).")] = 200 * 1024 * 1024,
) -> None:
    """Write every model question the response cache cannot answer yet as OpenAI Batch input lines
    ({custom_id = response-cache key, method, url, body = the exact request `extract` would send})."""
    from extract.batchfiles.prepare import prepare

    missing_inputs(inputs)
    config = endpoint_config(
        base_url=base_url, api_key=api_key, model=model, mode=mode.value, cache_dir=cache_dir, local_model=local_model
    )
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        summary = asyncio.run(
            prepare(
                inputs,
                output,
                config,
                strategy,
                max_bytes=max_bytes,
                max_requests=max_requests,
                max_file_bytes=max_file_bytes,
            )
        )
    except TrialQAError as exc:  # e.g. no --model and the endpoint does not name one
        err.print(f"trialqa: {exc.type_name}: {exc}", markup=False)
        raise typer.Exit(ExitCode.USAGE) from None
    failed = sum(summary.failed.values())
    err.print(
        f"model {summary.model_id} (mode {summary.mode}, strategy {summary.strategy}): {summary.pages} pages, "
        f"{summary.complete} answered from the cache, {summary.waiting} waiting, {failed} failing; "
        f"{summary.requests} requests",
        markup=False,
    )
    for error_type, count in summary.failed.most_common():
        err.print(f"  pages failing with {error_type} whatever the answers: {count}", markup=False)
    for path in summary.files:
        err.print(f"wrote {path}", markup=False)
    if not summary.files:
        err.print(
            "nothing to ask: `trialqa extract --replay` with the same model options and --cache-dir completes the run",
            markup=False,
        )


@batch_app.command("ingest")
def ingest_cmd(
    results: Annotated[list[Path], typer.Argument(help="Batch output files (JSONL).", show_default=False)],
    cache_dir: CacheDir = None,
    keep_going: KeepGoing = False,
) -> None:
    """Store the answers of OpenAI Batch output files in the response cache; report each line that fails."""
    from extract.batchfiles.ingest import ingest
    from extract.llm.config import EndpointConfig

    missing = [str(path) for path in results if not path.is_file()]
    if missing:
        raise typer.BadParameter(f"no such file: {', '.join(missing)}", param_hint="RESULTS")
    root = EndpointConfig(cache_dir=cache_dir).responses_dir
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    failed = 0
    for path in results:
        report = ingest(path, root)
        for outcome in report.failed:
            err.print(f"{path}:{outcome.line_number}: {outcome.custom_id[:16] or '?'}: {outcome.problem}", markup=False)
        failed += len(report.failed)
        err.print(
            f"{path}: {report.stored} answers stored, {report.already_cached} already cached, "
            f"{len(report.failed)} failed",
            markup=False,
        )
    if failed:
        err.print("trialqa: failed lines stay unanswered; the next `batch prepare` asks them again.", markup=False)
        if not keep_going:
            raise typer.Exit(ExitCode.RECORDS_FAILED)


def register(app: typer.Typer) -> None:
    app.add_typer(batch_app, name="batch")
