"""The layering of `extract/` as a checked rule: every import points down the data's path.

    model, errors  <  load, section, normalize, ...  <  llm, structured, rows  <  page, ground
    <  pipeline  <  batch, check  <  score, distributed, batchfiles, fetch, highlight
    <  report, review  <  commands  <  cli.py

Read from the source with `ast` (imports inside functions and under TYPE_CHECKING count too), so
a new arrow upwards fails here with the module and line that drew it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Lower rank = closer to the data. A module may import modules of its own rank or below.
RANKS: dict[str, int] = {
    "extract": 0,  # the package itself (__version__)
    "extract.model": 0,
    "extract.errors": 0,
    "extract.load": 1,
    "extract.section": 1,
    "extract.normalize": 1,
    "extract.parallel": 1,
    "extract.output_lock": 1,
    "extract.llm": 2,
    "extract.structured": 2,
    "extract.rows": 2,
    "extract.page": 3,
    "extract.ground": 3,
    "extract.pipeline": 4,
    "extract.unit_rows": 4,
    "extract.batch": 5,
    "extract.check": 5,
    "extract.score": 6,
    "extract.distributed": 6,
    "extract.batchfiles": 6,
    "extract.fetch": 6,
    "extract.highlight": 6,
    "extract.report": 7,
    "extract.review": 7,
    "extract.commands": 8,
    "cli": 9,
}

# Arrows forbidden although they would point down: what each stage must not know about.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    # the deterministic checker knows no model, no page strategy, no batch runner
    "extract.check": ("extract.llm", "extract.page", "extract.pipeline", "extract.batch", "extract.unit_rows"),
    # LLM infrastructure holds no extraction logic: it knows no page structure or record mapping
    "extract.llm": ("extract.section", "extract.page", "extract.ground", "extract.normalize", "extract.structured"),
    "extract.model": ("extract.errors",),
}

CLI_LIBRARIES = ("typer", "rich", "click")
COMMAND_LAYER = ("extract.commands", "cli")

# Names the record's shape and the shared scales own: each defined in exactly one module.
DEFINED_ONCE = (
    "SPAN_BASE_SOURCE",
    "SPAN_BASE_CRITERIA",
    "SEVERITY_RANK",
    "Mark",
    "Segment",
    "CallStats",
    "Provenance",
    "PageDraft",
    "Ledger",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> list[Path]:
    return [*sorted((REPO / "extract").rglob("*.py")), REPO / "cli.py"]


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:  # `from extract.page import sectioned` imports a module
                submodule = REPO.joinpath(*module.split("."), alias.name)
                if submodule.with_suffix(".py").is_file() or submodule.is_dir():
                    yield node.lineno, f"{module}.{alias.name}"


def _layer(module: str) -> str | None:
    """The longest RANKS key that is `module` or a package holding it."""
    if module == "extract":
        return module
    best = None
    for key in RANKS:
        if key != "extract" and _within(module, key) and (best is None or len(key) > len(best)):
            best = key
    return best


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layering_violations() -> list[str]:
    out: list[str] = []
    for path in _sources():
        importer = _module_name(path)
        own = _layer(importer)
        if own is None:
            out.append(f"{importer}: not placed in a layer (add it to RANKS)")
            continue
        where = path.relative_to(REPO)
        for line, imported in _imports(path):
            top = imported.split(".")[0]
            if top in CLI_LIBRARIES and not any(_within(importer, c) for c in COMMAND_LAYER):
                out.append(f"{where}:{line}: {importer} imports the CLI library {imported}")
                continue
            if top not in ("extract", "cli"):
                continue
            target = _layer(imported)
            if target is None or target == own or _within(importer, target):
                continue
            if RANKS[target] > RANKS[own]:
                out.append(f"{where}:{line}: {importer} (rank {RANKS[own]}) imports {imported} (rank {RANKS[target]})")
            for banned in FORBIDDEN.get(own, ()):
                if _within(imported, banned):
                    out.append(f"{where}:{line}: {importer} must not import {imported}")
    return sorted(set(out))


def defined_more_than_once() -> list[str]:
    where: dict[str, list[str]] = {name: [] for name in DEFINED_ONCE}
    for path in _sources():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            names: list[str] = []
            if isinstance(node, ast.ClassDef | ast.FunctionDef):
                names = [node.name]
            elif isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names = [node.target.id]
            for name in names:
                if name in where:
                    where[name].append(str(path.relative_to(REPO)))
    return [f"{name} is defined in {', '.join(paths)}" for name, paths in where.items() if len(paths) > 1]


def test_every_import_points_down_the_layers() -> None:
    assert layering_violations() == []


def test_shared_names_are_defined_once() -> None:
    assert defined_more_than_once() == []


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("extract.check.runner", "extract.pipeline"),
        ("extract.check.command", "extract.llm.client"),
        ("extract.score.runner", "extract.report"),
        ("extract.errors", "extract.llm.stats"),
    ],
)
def test_the_rule_sees_an_upward_arrow(importer: str, imported: str) -> None:
    """The rule itself: arrows like the ones this layering replaced are reported."""
    own, target = _layer(importer), _layer(imported)
    assert own is not None and target is not None
    forbidden = any(_within(imported, banned) for banned in FORBIDDEN.get(own, ()))
    assert RANKS[target] > RANKS[own] or forbidden
