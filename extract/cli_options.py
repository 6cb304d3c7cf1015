"""Command-line parameters the commands share, declared once so `extract`, `check` and `eval` take
the same inputs and the same model options, with the same help and the same checks."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from extract.llm.client import EndpointConfig
from extract.llm.modes import MODE_NAMES
from extract.pipeline import StrategyName

Inputs = Annotated[list[str], typer.Argument(help="Files, folders (recursive), or - for stdin.", show_default=False)]
MaxBytes = Annotated[
    int, typer.Option(help="Largest input record accepted, in bytes: one file, one zip member, one JSONL line.")
]
Jobs = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="Worker processes for structured records (default: every core this process may use).",
    ),
]

LLM_PANEL = "Model (page text only)"

# The choices typer offers for --mode: instructor's modes as `extract.llm.modes` names them.
ModeChoice = StrEnum("ModeChoice", [(name, name) for name in MODE_NAMES])  # type: ignore[misc]

Strategy = Annotated[
    StrategyName,
    typer.Option(
        help="sectioned: code finds sections, the model answers small questions (default for the "
        "embedded model); whole: one call per record (default for remote endpoints).",
        rich_help_panel=LLM_PANEL,
    ),
]
BaseUrl = Annotated[
    str | None,
    typer.Option(
        help="OpenAI-compatible endpoint; else $OPENAI_BASE_URL; else the embedded model.", rich_help_panel=LLM_PANEL
    ),
]
Model = Annotated[str | None, typer.Option(help="Model name at the endpoint.", rich_help_panel=LLM_PANEL)]
ApiKey = Annotated[
    str | None,
    typer.Option(help="API key; else $OPENAI_API_KEY. Never logged or cached.", rich_help_panel=LLM_PANEL),
]
Mode = Annotated[
    ModeChoice,
    typer.Option(help="instructor mode; auto picks per endpoint kind.", rich_help_panel=LLM_PANEL),
]
MaxReasks = Annotated[int, typer.Option(min=0, help="Re-asks after an invalid answer.", rich_help_panel=LLM_PANEL)]
Concurrency = Annotated[
    int | None,
    typer.Option(
        min=1, help="Records extracted at once (default: 1 for local servers, 8 remote).", rich_help_panel=LLM_PANEL
    ),
]
Timeout = Annotated[
    float | None,
    typer.Option(
        help="Seconds per model request (default 120; 1800 for --strategy whole, which writes a whole "
        "record at ~10 tokens/s on the embedded model).",
        rich_help_panel=LLM_PANEL,
    ),
]
LocalModel = Annotated[
    str | None,
    typer.Option(help="A GGUF file for the embedded server instead of the default model.", rich_help_panel=LLM_PANEL),
]


def endpoint_config(**options: object) -> EndpointConfig:
    """`EndpointConfig.from_options`, with a bad combination reported as a usage error (exit 2)."""
    try:
        return EndpointConfig.from_options(**options)  # type: ignore[arg-type]
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
