"""The `--engine ray` branches of `trialqa extract` and `trialqa check` (called by their commands)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO

import typer

from extract.batch import BatchSummary, Resume
from extract.commands.options import ENGINE_PANEL
from extract.llm.config import EndpointConfig

if TYPE_CHECKING:  # the engine (and the page stack it carries) loads only when --engine ray runs
    from extract.check import Rule, Severity
    from extract.check.runner import Checked, PageRows
    from extract.distributed.ray_engine import RayOptions


class OutputFormat(StrEnum):
    jsonl = "jsonl"
    parquet = "parquet"


OutputFormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--output-format",
        help="jsonl: the -o file (resumable); parquet (--engine ray): -o is a new folder Ray writes Parquet files to.",
        rich_help_panel=ENGINE_PANEL,
    ),
]


def _quiet_ray() -> None:
    """Ray Data logs each execution on the driver (INFO, and a WARNING that progress bars are off);
    trialqa prints its own summary. Set after `import ray`, which installs Ray's logging setup."""
    try:
        import ray.data  # noqa: F401  (configures the "ray.data" logger: a file handler and a console one)
    except ImportError:
        return
    for handler in logging.getLogger("ray.data").handlers:
        if not isinstance(handler, logging.FileHandler):
            handler.setLevel(logging.ERROR)  # the session's ray-data.log keeps everything


def extract_on_ray(
    inputs: list[str],
    out: BinaryIO | None,
    parquet_dir: Path | None,
    *,
    config: EndpointConfig,
    strategy: str,
    options: RayOptions,
    max_bytes: int,
    exclude: list[str],
    resume: Resume | None,
) -> BatchSummary:
    from extract.distributed.ray_engine import RayUnavailable, run_extract

    _refuse_stdin(inputs)
    _quiet_ray()
    try:
        return run_extract(
            inputs,
            config=config,
            strategy=strategy,
            options=options,
            out=out,
            parquet_dir=parquet_dir,
            max_bytes=max_bytes,
            exclude=exclude,
            resume=resume,
        )
    except RayUnavailable as exc:
        raise typer.BadParameter(str(exc), param_hint="--engine") from None


def _refuse_stdin(inputs: list[str]) -> None:
    if "-" in inputs:
        raise typer.BadParameter(
            "--engine ray reads inputs in Ray tasks, which cannot read this stdin: save it to a file",
            param_hint="INPUTS",
        )


def check_on_ray(
    inputs: list[str],
    rules: list[tuple[Rule, Severity]],
    *,
    options: RayOptions,
    max_bytes: int,
    extract_page: PageRows | None = None,
) -> Iterator[Checked]:
    from extract.distributed.ray_engine import INSTALL_HINT, iter_checked

    _refuse_stdin(inputs)
    try:
        import ray  # noqa: F401  (fail as a usage error before any work)
    except ImportError:
        raise typer.BadParameter(INSTALL_HINT, param_hint="--engine") from None
    _quiet_ray()
    return iter_checked(inputs, rules, options=options, max_bytes=max_bytes, extract_page=extract_page)
