"""`trialqa fetch`: a thin command over `extract.fetch`.

Exit codes: 0 when every page was fetched (or an earlier run already had); 1 when the API refused
or kept failing (the state file keeps what was fetched: run the same command again to resume);
2 for usage errors (an output that belongs to another fetch, a bad page size).
"""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from extract import __version__
from extract.fetch.query import BASE_URL_ENV, MAX_PAGE_SIZE, StudyQuery, base_url_from_env

if TYPE_CHECKING:
    from extract.fetch.client import Page
    from extract.fetch.run import FetchResult
    from extract.fetch.state import FetchState

PANEL = "Query (ClinicalTrials.gov API v2 parameters)"


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(part.strip() for value in values or [] for part in value.split(",") if part.strip())


def fetch_cmd(
    cond: Annotated[str | None, typer.Option(help="query.cond: conditions or diseases.", rich_help_panel=PANEL)] = None,
    term: Annotated[
        str | None, typer.Option(help="query.term: other terms (Essie syntax).", rich_help_panel=PANEL)
    ] = None,
    intr: Annotated[
        str | None, typer.Option(help="query.intr: interventions or treatments.", rich_help_panel=PANEL)
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            help="filter.overallStatus, e.g. RECRUITING,COMPLETED (comma-separated, repeatable).",
            rich_help_panel=PANEL,
            show_default=False,
        ),
    ] = None,
    advanced: Annotated[
        str | None, typer.Option(help="filter.advanced, e.g. 'AREA[Phase]PHASE3'.", rich_help_panel=PANEL)
    ] = None,
    fields: Annotated[
        list[str] | None,
        typer.Option(
            help="fields: only these study fields (comma-separated, repeatable); default every field.",
            rich_help_panel=PANEL,
            show_default=False,
        ),
    ] = None,
    page_size: Annotated[
        int, typer.Option(min=1, max=MAX_PAGE_SIZE, help="Studies per request (the API allows up to 1000).")
    ] = MAX_PAGE_SIZE,
    output: Annotated[
        str, typer.Option("-o", "--output", help="Study JSONL file (resumable), or - for stdout (a pipe).")
    ] = "-",
    base_url: Annotated[
        str | None,
        typer.Option(help=f"The API root (default ${BASE_URL_ENV}, else https://clinicaltrials.gov/api/v2)."),
    ] = None,
    restart: Annotated[bool, typer.Option(help="Start over: replace -o instead of resuming it.")] = False,
    tries: Annotated[int, typer.Option(min=1, help="Tries per page on 429, 5xx and network errors.")] = 6,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds per request.")] = 60.0,
) -> None:
    """Fetch studies from the ClinicalTrials.gov API v2 as study JSONL, one study per line.

    `extract` and `check` read the output directly: `trialqa fetch --cond asthma | trialqa check -`.
    With -o FILE an interrupted fetch resumes from its last page when run again.
    """
    import httpx  # the HTTP client loads with the command that uses it

    from extract.fetch.client import FetchError, RetryPolicy
    from extract.fetch.run import fetch_to_file, fetch_to_stream
    from extract.fetch.state import StateMismatch

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    query = StudyQuery(
        cond=cond,
        term=term,
        intr=intr,
        overall_status=_split(status),
        advanced=advanced,
        fields=_split(fields),
        page_size=page_size,
    )
    root = (base_url or base_url_from_env()).rstrip("/") + "/"
    policy = RetryPolicy(attempts=tries)
    show = err.is_terminal
    with (
        httpx.Client(
            base_url=root, timeout=timeout, headers={"User-Agent": f"trialqa/{__version__}"}, follow_redirects=True
        ) as client,
        _progress(err) if show else nullcontext() as progress,
    ):
        task = progress.add_task("fetch", total=None) if progress is not None else None

        def on_page(page: Page, state: FetchState) -> None:
            if progress is not None and task is not None:
                progress.update(task, completed=state.studies, total=state.total_count)

        try:
            if output == "-":
                result = fetch_to_stream(client, query, sys.stdout.buffer, policy=policy, on_page=on_page)
            else:
                result = fetch_to_file(client, query, Path(output), restart=restart, policy=policy, on_page=on_page)
        except StateMismatch as exc:
            err.print(f"trialqa fetch: {exc}", markup=False)
            raise typer.Exit(2) from None
        except FetchError as exc:
            again = f" (studies so far are kept in {output}: run the same command to resume)" if output != "-" else ""
            err.print(f"trialqa fetch: {exc}{again}", markup=False)
            raise typer.Exit(1) from None
    _report(err, result, output)


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]fetch"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def _report(err: Console, result: FetchResult, output: str) -> None:
    from extract.fetch.state import state_path

    state = result.state
    total = f" of {state.total_count:,}" if state.total_count is not None else ""
    if result.already_complete:
        err.print(
            f"{output}: already complete ({state.studies:,}{total} studies); --restart fetches again", markup=False
        )
        return
    how = "resumed, " if result.resumed else ""
    where = f" ({state_path(Path(output)).name} beside it)" if output != "-" else ""
    err.print(
        f"fetched {state.studies:,}{total} studies in {state.pages} pages ({how}to {output}){where}", markup=False
    )


def register(app: typer.Typer) -> None:
    """Add `fetch` to the trialqa app."""
    app.command("fetch")(fetch_cmd)
