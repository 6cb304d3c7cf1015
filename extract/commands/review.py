"""`trialqa review load | serve | export`."""

from __future__ import annotations

import sqlite3
import sys
from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

DbOption = Annotated[Path, typer.Option("--db", help="The queue's SQLite file (created if missing).")]

review_app = typer.Typer(
    name="review",
    help="Curation review queue: load flagged records, decide them in a local web page, export decisions.",
    no_args_is_help=True,
)


def _err() -> Console:
    return Console(stderr=True, highlight=False, emoji=False, soft_wrap=True)


def _open(db: Path) -> sqlite3.Connection:
    from extract.review.store import SchemaError, connect

    try:
        return connect(db)
    except SchemaError as exc:
        _err().print(f"trialqa: {db}: {exc}", markup=False)
        raise typer.Exit(2) from None


@review_app.command("load")
def load_cmd(
    files: Annotated[
        list[str], typer.Argument(help="Extraction JSONL and findings JSONL files (- for stdin).", show_default=False)
    ],
    db: DbOption = Path("queue.sqlite"),
    check: Annotated[
        bool | None,
        typer.Option(
            "--check/--no-check", help="Run the checker on the rows (default: only when no findings file is given)."
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="Checker configuration (as for trialqa check).", show_default=False)
    ] = None,
) -> None:
    """Queue every record with findings, ungrounded values or an error. Loading again is idempotent."""
    from extract.check import RULES
    from extract.check.config import ConfigError, discover, load_file
    from extract.review.load import load

    missing = [name for name in files if name != "-" and not Path(name).is_file()]
    if missing:
        raise typer.BadParameter(f"no such file: {', '.join(missing)}", param_hint="FILES")
    try:
        settings = load_file(config, RULES) if config is not None else discover(RULES)
    except ConfigError as exc:
        _err().print(f"trialqa: {exc}", markup=False)
        raise typer.Exit(2) from None
    with closing(_open(db)) as conn:
        summary = load(conn, files, run_checker=check, config=settings)
    for line in summary.lines():
        _err().print(line, markup=False)


TOKEN_ENV = "TRIALQA_REVIEW_TOKEN"


@review_app.command("serve")
def serve_cmd(
    db: DbOption = Path("queue.sqlite"),
    host: Annotated[str, typer.Option(help="Address to listen on; only this machine by default.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
    token_file: Annotated[
        Path | None,
        typer.Option(
            help=f"File holding the access token curators sign in with (or ${TOKEN_ENV}). Required when "
            "--host is not this machine only. Make one: python3 -c 'import secrets; print(secrets.token_urlsafe(32))' "
            "> token && chmod 600 token",
            show_default=False,
        ),
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            help="A name or address curators use to reach this server (repeatable), besides this machine's own "
            "names; any other Host header is refused.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the review page (http://HOST:PORT/) for curators."""
    import os

    import uvicorn

    from extract.review.app import create_app
    from extract.review.security import MIN_TOKEN_LENGTH, is_loopback
    from extract.review.store import SchemaError

    token = os.environ.get(TOKEN_ENV) or None
    if token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise typer.BadParameter(f"cannot read {token_file}: {exc}", param_hint="--token-file") from None
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise typer.BadParameter(
            f"the access token must be at least {MIN_TOKEN_LENGTH} characters", param_hint="--token-file"
        )
    if token is None and not is_loopback(host):
        raise typer.BadParameter(
            f"serving on {host} lets other machines reach the queue: give an access token with --token-file "
            f"or ${TOKEN_ENV}",
            param_hint="--host",
        )
    try:
        app = create_app(db, host=host, token=token, extra_hosts=allowed_host or ())
    except SchemaError as exc:
        _err().print(f"trialqa: {db}: {exc}", markup=False)
        raise typer.Exit(2) from None
    if token is not None:
        _err().print(
            "curators sign in with the access token (or send it as 'Authorization: Bearer ...').", markup=False
        )
    _err().print(f"review queue {db} at http://{host}:{port}/  (Ctrl+C to stop)", markup=False)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False, proxy_headers=False)


@review_app.command("export")
def export_cmd(
    db: DbOption = Path("queue.sqlite"),
    output: Annotated[str | None, typer.Option("-o", "--output", help="Decisions JSONL file, or - for stdout.")] = None,
    as_fixtures: Annotated[
        Path | None,
        typer.Option(
            "--as-fixtures",
            help="Also write corrected records as eval fixtures: into DIR/curated/<id>/ (DIR = evals/fixtures), or DIR/<id>/ when DIR is a folder named curated.",
        ),
    ] = None,
) -> None:
    """Write every decision as JSONL; with --as-fixtures, corrected records as eval fixtures."""
    from extract.review.export import export_fixtures, set_folder, write_decisions

    if output is None and as_fixtures is None:
        raise typer.BadParameter("give -o FILE and/or --as-fixtures DIR")
    if not db.is_file():
        raise typer.BadParameter(f"no queue file {db}", param_hint="--db")
    with closing(_open(db)) as conn:
        if output == "-":
            count = write_decisions(conn, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        elif output is not None:
            Path(output).parent.mkdir(parents=True, exist_ok=True)
            with open(output, "wb") as handle:
                count = write_decisions(conn, handle)
        if output is not None:
            _err().print(f"decisions: {count} -> {output}", markup=False)
        if as_fixtures is not None:
            summary = export_fixtures(conn, as_fixtures)
            _err().print(f"fixtures: {len(summary.written)} -> {set_folder(as_fixtures)}", markup=False)
            for reason in summary.skipped:
                _err().print(f"skipped: {reason}", markup=False)


def register(app: typer.Typer) -> None:
    """Add the `review` command group to the trialqa app."""
    app.add_typer(review_app, name="review")
