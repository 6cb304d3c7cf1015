"""Command-line parameters the commands share, declared once so `extract`, `check` and `eval` take
the same inputs and the same model options, with the same help and the same checks.

The model options (the "Model (page text only)" panel) are added to a command by
`@with_model_options`: the command declares one `model: ModelOptions` parameter and receives them
gathered, with `ModelOptions.endpoint(...)` the one place they become an `EndpointConfig`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from extract.llm.config import MODE_NAMES, EndpointConfig
from extract.page.names import StrategyName, default_timeout


class ExitCode(IntEnum):
    """What `trialqa` exits with, the same for every command (scripts and CI branch on these)."""

    OK = 0
    FINDINGS = 1  # check --fail-on: a finding at or above that severity (like a linter)
    USAGE = 2  # bad options or a missing input (typer's own code for usage errors)
    RECORDS_FAILED = 3  # some records are error rows (unreadable, invalid, a model failure)
    MODEL_UNAVAILABLE = 4  # the embedded model server would not start or died; a re-run resumes


EXIT_CODES_HELP = (
    "Exit status: 0 all records ok; 3 some records are error rows; 4 the embedded model server "
    "would not start or died (re-run to resume); 2 usage error."
)

KeepGoing = Annotated[
    bool,
    typer.Option(
        "--keep-going",
        help="Exit 0 even when some records are error rows (they are still written and counted).",
    ),
]

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
    typer.Option(
        help="API key. Other users can read it in `ps` and it lands in shell history: prefer $OPENAI_API_KEY "
        "or --api-key-file. Never logged or cached.",
        rich_help_panel=LLM_PANEL,
    ),
]
ApiKeyFile = Annotated[
    Path | None,
    typer.Option(
        help="File holding the API key (one line; chmod 600): used when --api-key is not given, before "
        "$OPENAI_API_KEY. See docs/api-keys.md.",
        rich_help_panel=LLM_PANEL,
        show_default=False,
    ),
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


@dataclass(frozen=True)
class ModelOptions:
    """The model options `extract` and `eval` share, as the user gave them."""

    strategy: Strategy = StrategyName.auto
    base_url: BaseUrl = None
    model: Model = None
    api_key: ApiKey = None
    api_key_file: ApiKeyFile = None
    mode: Mode = ModeChoice.auto  # type: ignore[attr-defined]
    max_reasks: MaxReasks = 2
    concurrency: Concurrency = None
    timeout: Timeout = None
    local_model: LocalModel = None

    def endpoint(self, *, cache_dir: Path | None, replay: bool) -> EndpointConfig:
        """The endpoint these options name (a bad combination is a usage error, exit 2)."""
        return endpoint_config(
            base_url=self.base_url,
            api_key=self.api_key,
            api_key_file=self.api_key_file,
            model=self.model,
            mode=self.mode.value,
            max_reasks=self.max_reasks,
            timeout_s=self.timeout or default_timeout(self.strategy),
            cache_dir=cache_dir,
            replay=replay,
            local_model=self.local_model,
        )


DEFAULT_MODEL_OPTIONS = ModelOptions()  # what a command that declares `model_options` gets without the decorator
Command = TypeVar("Command", bound=Callable[..., Any])


def with_model_options(command: Command) -> Command:
    """Give `command` the model options: its `model_options: ModelOptions` parameter becomes the ten
    options of `ModelOptions` on the command line, gathered back into one value when it runs."""
    own = inspect.signature(command, eval_str=True)
    names = [f.name for f in fields(ModelOptions)]
    resolved = inspect.get_annotations(ModelOptions, eval_str=True)
    shared = [
        inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, annotation=resolved[f.name], default=f.default)
        for f in fields(ModelOptions)
    ]
    kept = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own.parameters.values() if p.name != "model_options"
    ]

    @functools.wraps(command)
    def run(**options: Any) -> Any:
        gathered = ModelOptions(**{name: options.pop(name) for name in names})
        return command(**options, model_options=gathered)

    parameters = kept + shared
    run.__signature__ = own.replace(parameters=parameters)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": own.return_annotation}
    return run  # type: ignore[return-value]


class EngineChoice(StrEnum):
    """`--engine`: this process (default), or Ray Data on a cluster or a local Ray instance."""

    local = "local"
    ray = "ray"


ENGINE_PANEL = "Engine"
Engine = Annotated[
    EngineChoice,
    typer.Option(
        help="local: this process; ray: Ray Data (pip install 'trialqa[ray]'), see docs/scale.md.",
        rich_help_panel=ENGINE_PANEL,
    ),
]
Address = Annotated[
    str | None,
    typer.Option(
        help="--engine ray: the cluster to join (auto, ray://HOST:10001); default: start a local Ray instance.",
        rich_help_panel=ENGINE_PANEL,
    ),
]
Workers = Annotated[
    int,
    typer.Option(
        min=1,
        help="--engine ray: tasks at once per CPU stage, and actors (model clients) for pages.",
        rich_help_panel=ENGINE_PANEL,
    ),
]


def missing_inputs(inputs: list[str]) -> None:
    """Usage error (exit 2) naming every input that is not there (`-` is stdin)."""
    missing = [name for name in inputs if name != "-" and not Path(name).exists()]
    if missing:
        raise typer.BadParameter(f"no such file or folder: {', '.join(missing)}", param_hint="INPUTS")
