"""Benchmark: page extraction on the embedded model, sectioned vs whole, per seed page and in total.

Not a test: it needs the embedded model (`bash scripts/install.sh`) and takes minutes.
One model server serves both strategies; each strategy gets an empty response cache, so every
answer is computed. Prints wall seconds, LLM calls, prompt and completion tokens per record,
totals, the sectioned/whole ratios, and field accuracy against the hand-labelled seed fixtures
(evals/fixtures/hand) when the scorer and fixtures exist.

    python bench/extract_bench.py [--pages DIR] [--strategies sectioned,whole] [--json OUT]
    python bench/extract_bench.py --layouts evals/fixtures/registries [--leave-one-out] [--json OUT]

`--layouts DIR` runs the default (sectioned) strategy over a fixture set whose folders are named
`<id>-<layout>` (evals/fixtures/registries), layout by layout, each with an empty learned layout map
and an empty response cache, and prints model questions and seconds per page per layout (first
page, later pages) with field F1 against each folder's gold.json; `--leave-one-out` also drops the
table entries motivated only by the layout being run (what evals/registries_loo.py scores).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extract.llm.client import LLM, EndpointConfig, open_llm  # noqa: E402
from extract.llm.lazy import LazyLLM  # noqa: E402
from extract.load import iter_sources  # noqa: E402
from extract.pipeline import PageExtractor  # noqa: E402


class _Opened(LazyLLM):
    """A LazyLLM over an already-open LLM: the bench starts the model server once for both strategies."""

    def __init__(self, llm: LLM) -> None:
        super().__init__(llm.config)
        self._llm = llm


HAND = REPO / "evals" / "fixtures" / "hand"


def _accuracy(nct_id: str, row: Any) -> float | None:
    """Micro F1 over every scored field against the hand-labelled gold of this seed (evals/fixtures/hand)."""
    from extract.score.fixtures import load_fixture
    from extract.score.metrics import total
    from extract.score.record import score_record

    folder = HAND / nct_id
    if not (folder / "gold.json").is_file():
        return None
    score = score_record(load_fixture(folder).gold.record, row.record)
    return total(list(score.fields.values())).f1


async def run(pages: Path, strategies: list[str]) -> dict[str, list[dict[str, Any]]]:
    # One whole-page answer can take minutes at ~10 tokens/s: no timeout retries stacking up behind it.
    config = EndpointConfig.from_options(environ={}, timeout_s=1800.0, max_transport_retries=0)
    results: dict[str, list[dict[str, Any]]] = {}
    started = time.perf_counter()
    async with open_llm(config) as llm:
        print(f"model server ready in {time.perf_counter() - started:.1f}s ({llm.model_id})", file=sys.stderr)
        for strategy in strategies:
            with tempfile.TemporaryDirectory() as cache:
                # same server, empty cache: every answer is computed, none replayed
                fresh = LLM(
                    dataclasses.replace(llm.config, cache_dir=Path(cache)), model_id=llm.model_id, kind=llm.kind
                )
                await fresh.ready()
                extractor = PageExtractor(_Opened(fresh), strategy)
                rows = []
                for source in iter_sources([str(pages)]):
                    row = await extractor(source)
                    p = row.provenance
                    rows.append(
                        {
                            "id": source.id,
                            "status": row.status,
                            "error": row.error.type if row.error else None,
                            "seconds": p.wall_seconds or 0.0,
                            "calls": p.llm_calls,
                            "prompt_tokens": p.prompt_tokens,
                            "completion_tokens": p.completion_tokens,
                            "ungrounded": len(p.ungrounded or []),
                            "accuracy": _accuracy(source.id, row),
                        }
                    )
                    print(f"  {strategy} {source.id}: {rows[-1]}", file=sys.stderr)
                results[strategy] = rows
    return results


def report(results: dict[str, list[dict[str, Any]]]) -> None:
    console = Console()
    totals: dict[str, dict[str, float]] = {}
    for strategy, rows in results.items():
        table = Table(title=f"strategy: {strategy}")
        for column in (
            "record",
            "status",
            "seconds",
            "LLM calls",
            "prompt tok",
            "completion tok",
            "ungrounded",
            "accuracy",
        ):
            table.add_column(column, justify="right")
        for r in rows:
            accuracy = "-" if r["accuracy"] is None else f"{r['accuracy']:.3f}"
            table.add_row(
                r["id"],
                r["status"] if not r["error"] else r["error"],
                f"{r['seconds']:.1f}",
                str(r["calls"]),
                str(r["prompt_tokens"]),
                str(r["completion_tokens"]),
                str(r["ungrounded"]),
                accuracy,
            )
        total = {k: sum(r[k] for r in rows) for k in ("seconds", "calls", "prompt_tokens", "completion_tokens")}
        total["max_seconds"] = max((r["seconds"] for r in rows), default=0.0)
        total["ok"] = sum(r["status"] == "ok" for r in rows)
        totals[strategy] = total
        table.add_row(
            "total",
            f"{total['ok']}/{len(rows)} ok",
            f"{total['seconds']:.1f}",
            str(total["calls"]),
            str(total["prompt_tokens"]),
            str(total["completion_tokens"]),
            "",
            "",
        )
        console.print(table)
    if {"sectioned", "whole"} <= totals.keys():
        s, w = totals["sectioned"], totals["whole"]
        console.print(
            "sectioned / whole: seconds {:.2f}x, completion tokens {:.2f}x, prompt tokens {:.2f}x".format(
                s["seconds"] / max(w["seconds"], 1e-9),
                s["completion_tokens"] / max(w["completion_tokens"], 1),
                s["prompt_tokens"] / max(w["prompt_tokens"], 1),
            )
        )
    if "sectioned" in totals:
        console.print(f"sectioned: slowest page {totals['sectioned']['max_seconds']:.1f}s (target <= 30s per page)")


async def run_layouts(
    root: Path, leave_one_out: bool, only: list[str] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Per layout: each page's questions, seconds and field F1, pages in folder order, fresh map and cache."""
    from extract.page.generic import GenericPolicy
    from extract.page.layouts import LayoutStore
    from extract.page.strategy import LAYOUT_STORE, POLICY
    from extract.page.tables import load_tables
    from extract.score.fixtures import load_fixture
    from extract.score.metrics import total
    from extract.score.record import score_record

    config = EndpointConfig.from_options(environ={}, timeout_s=600.0, max_transport_retries=0)
    layouts: dict[str, list[Path]] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and "-" in p.name):
        layouts.setdefault(folder.name.split("-", 1)[1], []).append(folder)
    if only:
        layouts = {name: folders for name, folders in layouts.items() if name in only}
    results: dict[str, list[dict[str, Any]]] = {}
    async with open_llm(config) as llm:
        for name, folders in layouts.items():
            LAYOUT_STORE.set(LayoutStore(None))
            POLICY.set(GenericPolicy(tables=load_tables(exclude=name if leave_one_out else None)))
            with tempfile.TemporaryDirectory() as cache:
                fresh = LLM(
                    dataclasses.replace(llm.config, cache_dir=Path(cache)), model_id=llm.model_id, kind=llm.kind
                )
                await fresh.ready()
                extractor = PageExtractor(_Opened(fresh), "sectioned")
                rows = []
                for folder in folders:
                    source = next(iter(iter_sources([str(folder / "source.txt")])))
                    row = await extractor(source)
                    gold = load_fixture(folder).gold.record
                    p = row.provenance
                    rows.append(
                        {
                            "id": folder.name,
                            "status": row.status,
                            "seconds": p.wall_seconds or 0.0,
                            "calls": p.llm_calls,
                            "f1": total(list(score_record(gold, row.record).fields.values())).f1,
                        }
                    )
                    print(f"  {name} {folder.name}: {rows[-1]}", file=sys.stderr)
                results[name] = rows
    return results


def report_layouts(results: dict[str, list[dict[str, Any]]]) -> None:
    table = Table(title="page extraction per layout (questions and seconds per page; field F1 vs gold)")
    for column in ("layout", "pages", "questions 1st page", "questions later (max)", "median s", "max s", "F1"):
        table.add_column(column, justify="right")
    for name, rows in results.items():
        seconds = sorted(r["seconds"] for r in rows)
        f1s = [r["f1"] for r in rows if r["f1"] is not None]
        table.add_row(
            name,
            str(len(rows)),
            str(rows[0]["calls"]) if rows else "-",
            str(max((r["calls"] for r in rows[1:]), default=0)),
            f"{seconds[len(seconds) // 2]:.1f}" if seconds else "-",
            f"{seconds[-1]:.1f}" if seconds else "-",
            f"{sum(f1s) / len(f1s):.3f}" if f1s else "-",
        )
    Console().print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=Path, default=REPO.parent / "shared" / "records" / "pages")
    parser.add_argument("--strategies", default="sectioned,whole")
    parser.add_argument("--layouts", type=Path, help="a fixture set with <id>-<layout> folders (per-layout figures)")
    parser.add_argument("--leave-one-out", action="store_true", help="with --layouts: drop each layout's own entries")
    parser.add_argument("--layout", action="append", help="with --layouts: only these layouts")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    if args.layouts is not None:
        by_layout = asyncio.run(run_layouts(args.layouts, args.leave_one_out, args.layout))
        report_layouts(by_layout)
        if args.json:
            args.json.write_text(json.dumps(by_layout, indent=2))
        return
    results = asyncio.run(run(args.pages, args.strategies.split(",")))
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
