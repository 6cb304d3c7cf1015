"""Benchmark `trialqa check`: the 138 real records repeated to N records, end to end, against orjson.

What is measured, on the same bytes (trialqa extraction JSONL of the 138 real records, repeated and
written in shards of --shard-rows rows, so that the stages can be interleaved shard by shard):

- parse:  read each shard, split it into lines, `orjson.loads` every line (the bare-parse baseline);
- check:  `extract.check.runner.iter_checked` over the shards: load (detect, hash, parse), map
          (TrialRecord validation of each row's record) and every rule: what `trialqa check` does
          minus printing;
- with --breakdown also `load` (iter_sources alone), `load + validate` (no rules), and `validate from
  bytes`: pydantic-core parsing and validating each row in one pass, the cheapest way to get validated
  records at all (a floor for any check on the pydantic model, before a single rule runs).

Each count runs in a fresh child process that measures the stages shard by shard, interleaved, so
a change in the machine's load hits every stage alike, and reports its peak RSS: memory at 10k and
at 100k records is compared (the run streams; it must stay flat). Times are CPU seconds of the
measuring process (`time.process_time`), the fair figure on a shared machine, with wall seconds
beside them. Records/s is per core: one process, one thread.

    .venv/bin/python bench/check_bench.py                       # 100,000 records, memory at 10k and 100k
    .venv/bin/python bench/check_bench.py --count 20000 --breakdown
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import orjson  # noqa: E402

DEFAULT_RECORDS = REPO.parent / "shared" / "records"


def base_rows(record_dirs: list[str]) -> list[bytes]:
    """The extraction row (one JSON line) of every real record."""
    from extract.load import iter_sources
    from extract.pipeline import extract_structured

    rows = []
    for source in iter_sources(record_dirs):
        row = extract_structured(source)
        if row.status != "ok":
            raise SystemExit(f"{source.path}: {row.error}")
        rows.append(row.to_json_line())
    return rows


def write_shards(rows: list[bytes], count: int, shard_rows: int, folder: Path) -> list[Path]:
    """`count` rows cycling through `rows`, streamed into shard files of `shard_rows` rows."""
    shards: list[Path] = []
    written = 0
    while written < count:
        path = folder / f"rows-{len(shards):05d}.jsonl"
        with path.open("wb") as out:
            for _ in range(min(shard_rows, count - written)):
                out.write(rows[written % len(rows)])
                written += 1
        shards.append(path)
    return shards


def timed(run: object) -> tuple[float, float, object]:
    cpu, wall = time.process_time(), time.perf_counter()
    result = run()  # type: ignore[operator]
    return time.process_time() - cpu, time.perf_counter() - wall, result


def _each_line(shards: list[Path], parse: Callable[[bytes], object]) -> int:
    """`parse` every line of every shard, holding one shard at a time; the number of lines."""
    count = 0
    for path in shards:
        for line in path.read_bytes().splitlines():
            parse(line)
            count += 1
    return count


def parse_all(shards: list[Path]) -> int:
    """The baseline: read and orjson-parse every line."""
    return _each_line(shards, orjson.loads)


def load_only(shards: list[Path]) -> int:
    from extract.load import iter_sources

    return sum(1 for _ in iter_sources([str(p) for p in shards]))


def load_and_validate(shards: list[Path]) -> int:
    from extract.load import iter_sources
    from extract.model import TrialRecord

    count = 0
    for source in iter_sources([str(p) for p in shards]):
        TrialRecord.model_validate(source.payload["record"])
        count += 1
    return count


def validate_from_bytes(shards: list[Path]) -> int:
    """The cheapest way to get validated records at all: pydantic-core parses and validates each row's
    bytes in one pass (no orjson, no loader). A floor for any check built on the pydantic model."""
    from extract.rows import ExtractionRow

    return _each_line(shards, ExtractionRow.model_validate_json)


def check_all(shards: list[Path]) -> dict[str, int]:
    from extract.check import active_rules
    from extract.check.runner import iter_checked

    counts = {"records": 0, "checked": 0, "findings": 0}
    for checked in iter_checked([str(p) for p in shards], active_rules()):
        counts["records"] += 1
        counts["checked"] += checked.status == "checked"
        counts["findings"] += len(checked.findings)
    return counts


def per_rule(rows: list[bytes], repeat: int = 20) -> tuple[float, list[tuple[str, float]]]:
    """CPU µs per record of the bare parse and of each rule (its share of the shared context views
    included: the first rule to need one pays for it), over the real rows `repeat` times."""
    from extract.check import active_rules
    from extract.check.context import Context
    from extract.model import TrialRecord

    records = [TrialRecord.model_validate(orjson.loads(row)["record"]) for row in rows]
    clock = time.process_time
    started = clock()
    for _ in range(repeat):
        for row in rows:
            orjson.loads(row)
    parse_us = (clock() - started) / (repeat * len(rows)) * 1e6
    spent: dict[str, float] = {}
    for _ in range(repeat):
        for record in records:
            ctx = Context(record=record)
            for rule, _severity in active_rules():
                at = clock()
                for _hit in rule.function(ctx):
                    pass
                spent[rule.id] = spent.get(rule.id, 0.0) + clock() - at
    scale = 1e6 / (repeat * len(records))
    return parse_us, sorted(((rule_id, t * scale) for rule_id, t in spent.items()), key=lambda x: -x[1])


@functools.cache
def _plan(cls: Any) -> list[tuple[str, Any, str | None, str | None, Any]]:
    """For each field of model `cls`: (name, field info, container 'list' | 'dict' | None, what it holds
    'model' | 'enum' | None, the model or enum class)."""
    import enum
    import types
    import typing

    from pydantic import BaseModel

    plan = []
    hints = typing.get_type_hints(cls)
    for name, info in cls.model_fields.items():
        annotation = hints[name]
        if typing.get_origin(annotation) in (typing.Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        origin = typing.get_origin(annotation)
        container = {list: "list", dict: "dict"}.get(origin)
        inner = typing.get_args(annotation)[-1] if container else annotation
        held = None
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            held = "model"
        elif isinstance(inner, type) and issubclass(inner, enum.Enum):
            held = "enum"
        plan.append((name, info, container, held, inner))
    return plan


def _unvalidated(cls: Any, data: dict[str, Any]) -> Any:
    """`cls` built from `data` with no validation at all, nested models included: what not re-validating
    a row the project's own mapper wrote would cost at best (every field set as given, defaults for
    the rest, nested models and enums built, no checks)."""
    values: dict[str, Any] = {}
    for name, info, container, held, inner in _plan(cls):
        if name not in data:
            values[name] = info.get_default(call_default_factory=True)
            continue
        value = data[name]
        if value is not None and held is not None:
            build = (lambda v, c=inner: _unvalidated(c, v)) if held == "model" else inner
            if container == "list":
                value = [build(v) for v in value]
            elif container == "dict":
                value = {k: build(v) for k, v in value.items()}
            else:
                value = build(value)
        values[name] = value
    built = object.__new__(cls)  # what model_construct does, without its per-field bookkeeping
    object.__setattr__(built, "__dict__", values)
    object.__setattr__(built, "__pydantic_fields_set__", set(data))
    object.__setattr__(built, "__pydantic_extra__", None)
    object.__setattr__(built, "__pydantic_private__", None)
    return built


def build_costs(rows: list[bytes], repeat: int = 20) -> dict[str, float]:
    """CPU µs per record: validating the record of each real row (pydantic-core), and building the same
    objects without any validation (`_unvalidated`, in Python); the records must come out equal."""
    from extract.model import TrialRecord

    records = [orjson.loads(row)["record"] for row in rows]
    assert all(_unvalidated(TrialRecord, r) == TrialRecord.model_validate(r) for r in records)
    costs: dict[str, float] = {}
    for name, build in (
        ("validate", TrialRecord.model_validate),
        ("build unvalidated", lambda r: _unvalidated(TrialRecord, r)),
    ):
        started = time.process_time()
        for _ in range(repeat):
            for record in records:
                build(record)
        costs[name] = (time.process_time() - started) / (repeat * len(records)) * 1e6
    return costs


STAGES = ("parse", "load", "load+validate", "validate-bytes", "check")


def child(shard_list: Path, breakdown: bool) -> None:
    """Measure in this fresh process, shard by shard, interleaving the stages (so a change in the
    machine's load hits every stage alike); print CPU and wall seconds per stage, counts and the
    peak RSS as JSON."""
    shards = [Path(line) for line in shard_list.read_text().splitlines() if line]
    import extract.check.runner  # noqa: F401  (imports are not part of the measured time)

    stages = STAGES if breakdown else ("parse", "check")
    run = {
        "parse": parse_all,
        "load": load_only,
        "load+validate": load_and_validate,
        "validate-bytes": validate_from_bytes,
        "check": check_all,
    }
    cpu = dict.fromkeys(stages, 0.0)
    wall = dict.fromkeys(stages, 0.0)
    counts = {"records": 0, "checked": 0, "findings": 0}
    for shard in shards:
        for stage in stages:
            spent_cpu, spent_wall, result = timed(lambda stage=stage, shard=shard: run[stage]([shard]))
            cpu[stage] += spent_cpu
            wall[stage] += spent_wall
            if stage == "check":
                for key in counts:
                    counts[key] += result[key]  # type: ignore[index]
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"cpu": cpu, "wall": wall, "peak_rss_mib": peak_kib / 1024, **counts}))


def run_child(shards: list[Path], folder: Path, breakdown: bool) -> dict[str, Any]:
    listing = folder / f"shards-{len(shards)}.txt"
    listing.write_text("\n".join(str(p) for p in shards))
    command = [sys.executable, __file__, "--child", str(listing)] + (["--breakdown"] if breakdown else [])
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=REPO)
    return json.loads(done.stdout.strip().splitlines()[-1])


def rows_in(shards: list[Path], shard_rows: int, count: int) -> Iterator[Path]:
    needed = -(-count // shard_rows)
    yield from shards[:needed]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000, help="records to check (default 100,000)")
    parser.add_argument("--memory-at", type=int, default=10_000, help="the smaller count memory is compared at")
    parser.add_argument("--shard-rows", type=int, default=1_000, help="rows per generated JSONL file")
    parser.add_argument(
        "--records", nargs="+", default=[str(DEFAULT_RECORDS / "ctgov-v2"), str(DEFAULT_RECORDS / "ctgov-xml")]
    )
    parser.add_argument(
        "--breakdown", action="store_true", help="also time load only, load + validation, and each rule"
    )
    parser.add_argument("--workdir", help="where to write the shards (default: a temporary folder, removed)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child), args.breakdown)
        return

    folder = Path(args.workdir or tempfile.mkdtemp(prefix="check_bench_"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        rows = base_rows(args.records)
        shards = write_shards(rows, args.count, args.shard_rows, folder)
        size = sum(p.stat().st_size for p in shards)
        print(
            f"input: {len(rows)} real records repeated to {args.count:,} rows, {len(shards)} files, "
            f"{size / 2**20:,.0f} MiB ({size / args.count / 1024:.1f} KiB/row)"
        )
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs visible; one process, one thread measured")

        at_small = run_child(list(rows_in(shards, args.shard_rows, args.memory_at)), folder, breakdown=False)
        growth = args.count / at_small["records"]
        at_full = run_child(shards, folder, breakdown=args.breakdown)
        cpu, wall = at_full["cpu"], at_full["wall"]
        names = {
            "parse": "orjson parse (baseline)",
            "load": "load (iter_sources)",
            "load+validate": "load + validate records",
            "validate-bytes": "validate from bytes (floor)",
            "check": "check end to end",
        }
        print()
        print(f"{'stage':28s} {'CPU s':>8s} {'wall s':>8s} {'rec/s/core':>11s} {'x parse':>8s}")
        for stage in STAGES:
            if stage in cpu:
                print(
                    f"{names[stage]:28s} {cpu[stage]:8.2f} {wall[stage]:8.2f} "
                    f"{args.count / cpu[stage]:11,.0f} {cpu[stage] / cpu['parse']:8.2f}"
                )
        print()
        print(
            f"findings: {at_full['findings']:,} over {at_full['checked']:,} checked records (of {at_full['records']:,})"
        )
        ratio = cpu["check"] / cpu["parse"]
        verdict = "meets" if ratio <= 5 else "misses"
        print(
            f"end-to-end / parse = {ratio:.2f}x CPU ({verdict} the <= 5x target); "
            f"wall {wall['check'] / wall['parse']:.2f}x"
        )
        print(
            f"peak RSS: {at_small['peak_rss_mib']:.0f} MiB at {at_small['records']:,} records, "
            f"{at_full['peak_rss_mib']:.0f} MiB at {at_full['records']:,} records "
            f"(x{at_full['peak_rss_mib'] / at_small['peak_rss_mib']:.2f} for x{growth:.1f} records)"
        )
        if args.breakdown:
            parse_us, costs = per_rule(rows)
            total = sum(cost for _, cost in costs)
            print(
                f"\nrules on the {len(rows)} real records: {total:.0f} µs/record = {total / parse_us:.2f}x parse "
                f"({parse_us:.0f} µs); the costliest:"
            )
            for rule_id, cost in costs[:10]:
                print(f"  {rule_id:45s} {cost:6.1f} µs  {cost / parse_us:5.2f}x parse")
            built = build_costs(rows)
            print(
                f"\nTrialRecord per real record: validated {built['validate']:.0f} µs, built without any "
                f"validation {built['build unvalidated']:.0f} µs (skipping validation saves nothing: "
                "building the objects is the cost)"
            )
    finally:
        if not args.workdir:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
