"""Leave-one-layout-out figures for the registries set: per-layout field F1, and their mean.

    python evals/registries_loo.py --replay          # CI: recorded answers only (evals/llm-cache)
    python evals/registries_loo.py                   # live: the embedded model answers what is not cached

Each layout of evals/fixtures/registries is extracted with the curated tables minus every entry
motivated only by that layout (extract/page/data/*.json "from"), and an empty learned layout map;
its pages run in folder order, one at a time, so its first page asks the label questions and the
later pages reuse the answers. Prints per layout: pages, micro field F1 (LOO), model questions and
seconds per page; then the mean over layouts (the figure issue 12 asks for).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from statistics import mean, median

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extract.llm.config import EndpointConfig  # noqa: E402
from extract.model.provenance import Provenance  # noqa: E402
from extract.page.generic import GenericPolicy  # noqa: E402
from extract.page.strategy import POLICY  # noqa: E402
from extract.page.tables import load_tables  # noqa: E402
from extract.score.runner import EvalOptions, run_eval  # noqa: E402

FIXTURES = REPO / "evals" / "fixtures" / "registries"


def layouts(root: Path) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        found.setdefault(folder.name.split("-", 1)[1], []).append(folder)
    return found


def run_layout(name: str, folders: list[Path], replay: bool, cache: Path, leave_out: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "fixtures"
        (root / "registries").mkdir(parents=True)
        for folder in folders:
            (root / "registries" / folder.name).symlink_to(folder.resolve())
        token = POLICY.set(GenericPolicy(tables=load_tables(exclude=name if leave_out else None)))
        try:
            run = run_eval(
                EvalOptions(
                    fixtures=root,
                    sets=("registries",),
                    strategy="sectioned",
                    endpoint=EndpointConfig.from_options(replay=replay, cache_dir=cache),
                    concurrency=1,
                )
            )
        finally:
            POLICY.reset(token)
    metrics = run.metrics.metrics
    rows = [run.provenance.get(r.key, Provenance()) for r in run.results]
    questions = [float(p.llm_calls) for p in rows]
    misses = [float(p.llm_calls - p.cache_hits) for p in rows]
    seconds = [float(p.wall_seconds or 0.0) for p in rows]
    errors = sum(1 for r in run.results if r.status != "ok")
    return {
        "pages": len(run.results),
        "f1": metrics.get("registries.micro.f1", 0.0),
        "first_q": questions[0] if questions else 0.0,
        "later_q": max(questions[1:]) if len(questions) > 1 else 0.0,
        "new_answers": sum(misses),
        "median_s": median(seconds) if seconds else 0.0,
        "max_s": max(seconds) if seconds else 0.0,
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replay", action="store_true", help="answer only from the response cache")
    parser.add_argument("--cache-dir", type=Path, default=REPO / "evals" / "llm-cache")
    parser.add_argument("--fixtures", type=Path, default=FIXTURES)
    parser.add_argument("--tuned", action="store_true", help="score with the full tables (not leave-one-out)")
    parser.add_argument("--layout", action="append", help="only these layouts")
    parser.add_argument("--json", type=Path, help="also write the figures (per layout and mean) as JSON")
    args = parser.parse_args(argv)
    rows = {}
    for name, folders in layouts(args.fixtures).items():
        if args.layout and name not in args.layout:
            continue
        rows[name] = run_layout(name, folders, args.replay, args.cache_dir, not args.tuned)
    kind = "full tables (tuned)" if args.tuned else "leave-one-layout-out"
    print(
        f"| layout | pages | field F1 ({kind}) | questions, 1st page | questions, later pages (max) | "
        "median s/page | max s/page | error rows |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, row in rows.items():
        print(
            f"| {name} | {row['pages']:.0f} | {row['f1']:.3f} | {row['first_q']:.0f} | {row['later_q']:.0f} | "
            f"{row['median_s']:.2f} | {row['max_s']:.2f} | {row['errors']:.0f} |"
        )
    if rows:
        print(
            f"\nmean field F1 over {len(rows)} layouts ({kind}): {mean(r['f1'] for r in rows.values()):.3f}; "
            f"lowest {min(r['f1'] for r in rows.values()):.3f}"
        )
        if not args.replay:
            print(
                "seconds: each layout runs with its own model server, whose start (model load and test completion) is in its first "
                "page's seconds; bench/extract_bench.py starts one server before the first page and times pages alone"
            )
    if args.json and rows:
        figures = {
            "kind": kind,
            "replay": args.replay,
            "layouts": {name: {"f1": round(row["f1"], 4), "pages": int(row["pages"])} for name, row in rows.items()},
            "mean_f1": round(mean(r["f1"] for r in rows.values()), 4),
            "min_f1": round(min(r["f1"] for r in rows.values()), 4),
        }
        args.json.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 1 if any(r["errors"] for r in rows.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
