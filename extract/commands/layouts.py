"""`trialqa layouts`: list, show and correct the learned layout maps (`extract.page.layouts`).

trialqa layouts list                        # every learned layout: id, pages seen, entries
trialqa layouts show L1234abcd              # its label -> field entries, with who decided each
trialqa layouts set L1234abcd "date of first enrolment" start_date   # a correction; wins from now on
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from extract.page.layouts import LayoutStore, default_dir
from extract.page.tables import FIELDS, label_key

DirOption = Annotated[
    Path | None,
    typer.Option("--dir", help="Learned maps folder (default: $TRIALQA_LAYOUTS_DIR or ~/.cache/trialqa/layouts)."),
]


layouts_app = typer.Typer(
    name="layouts",
    help="Learned layout maps: list, show, correct. Labels and samples are page text: shown escaped.",
    no_args_is_help=True,
)


@layouts_app.command("list")
def list_command(folder: DirOption = None) -> None:
    """Every learned layout: id, pages seen, label entries (model / user)."""
    store = LayoutStore(folder or default_dir())
    store.load()
    table = Table(title=f"learned layouts in {store.folder}")
    for column in ("layout", "pages", "labels seen", "entries", "by model", "by user", "spellings"):
        table.add_column(column, justify="left" if column == "layout" else "right")
    for layout in sorted(store.maps.values(), key=lambda m: m.id):
        sources = [e.get("source") for e in layout.entries.values()]
        table.add_row(
            layout.id,
            str(layout.pages),
            str(len(layout.labels)),
            str(len(layout.entries)),
            str(sources.count("model")),
            str(sources.count("user")),
            str(sum(len(v) for v in layout.spellings.values())),
        )
    Console().print(table)


@layouts_app.command("show")
def show_command(layout_id: str, folder: DirOption = None) -> None:
    """One layout's entries: label key, field, who decided, a sample of the value."""
    store = LayoutStore(folder or default_dir())
    layout = store.get(layout_id)
    if layout is None:
        Console(stderr=True).print(f"[red]error:[/red] no learned layout {escape(repr(layout_id))} in {store.folder}")
        raise typer.Exit(2)
    table = Table(title=f"layout {layout.id} ({layout.pages} pages)")
    for column in ("label", "field", "source", "sample"):
        table.add_column(column)
    for key, entry in sorted(layout.entries.items()):
        table.add_row(
            escape(key),
            escape(entry.get("field", "")),
            escape(entry.get("source", "")),
            escape(entry.get("sample", "")),
        )
    for field_name, spellings in sorted(layout.spellings.items()):
        for key, entry in sorted(spellings.items()):
            table.add_row(
                escape(f"{field_name} = {key!r}"), escape(str(entry.get("value"))), escape(entry.get("source", "")), ""
            )
    Console().print(table)


@layouts_app.command("set")
def set_command(
    layout_id: str,
    label: Annotated[str, typer.Argument(help="The label as the page prints it (or its key).")],
    field_name: Annotated[str, typer.Argument(metavar="FIELD", help="A record field, or 'ignore'.")],
    folder: DirOption = None,
) -> None:
    """Correct one entry: LABEL holds FIELD on this layout's pages (wins over the model and the tables)."""
    err = Console(stderr=True)
    if field_name not in FIELDS:
        err.print(f"[red]error:[/red] {escape(repr(field_name))} is not a field; one of: {', '.join(FIELDS)}")
        raise typer.Exit(2)
    store = LayoutStore(folder or default_dir())
    key = label_key(label).key
    try:
        store.set_entry(layout_id, key, field_name)
    except KeyError as exc:
        err.print(f"[red]error:[/red] {exc.args[0]} in {store.folder}")
        raise typer.Exit(2) from exc
    Console().print(f"layout {layout_id}: {key!r} -> {field_name} (user)")


def register(app: typer.Typer) -> None:
    """Add the `layouts` command group to the trialqa app."""
    app.add_typer(layouts_app, name="layouts")
