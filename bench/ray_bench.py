"""Benchmark: `trialqa extract` and `trialqa check`, single process vs `--engine ray` with 1 and 2 workers.

Not a test: it needs the `ray` extra and takes minutes on thousands of records. Each run is the real
command in a fresh process (Ray's start-up included, as a user waits for it); for Ray the wall time
of Ray Data's execution alone is also shown (the command's time minus the driver's reading and Ray's
start-up is not separable from outside, so "after start-up" runs the engine in one process with Ray
already started and its worker processes warmed up by one untimed run). Checks that every engine wrote the same rows (sorted, the timing field masked).

    python bench/ray_bench.py INPUT... [--workers 1,2] [--repeat 1] [--skip-check]

Say where it ran: records/s on a machine shared with other work vary from run to run.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
TRIALQA = [sys.executable, "-c", "import cli; cli.main()"]
_WALL = re.compile(rb'"wall_seconds":[0-9.eE+-]+')


def _run(args: list[str], stdout: Path | None = None) -> float:
    started = time.perf_counter()
    with open(stdout or os.devnull, "wb") as out:
        done = subprocess.run([*TRIALQA, *args], stdout=out, stderr=subprocess.PIPE, cwd=REPO, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(args)} exited {done.returncode}:\n{done.stderr.decode()[-2000:]}")
    return seconds


def _rows(path: Path) -> list[bytes]:
    return sorted(_WALL.sub(b'"wall_seconds":0', line) for line in path.read_bytes().splitlines())


def _in_process(inputs: list[str], workers: list[int], tmp: Path) -> dict[int, float]:
    """Ray Data execution alone: Ray started once, the engine called through its Python API."""
    import ray

    from extract.distributed.ray_engine import RayOptions, run_extract
    from extract.llm.client import EndpointConfig

    ray.init(num_cpus=max(workers), include_dashboard=False, log_to_driver=False)
    seconds = {}
    try:
        for n in [0, *workers]:  # 0: an untimed warm-up (Ray's worker processes start and import trialqa)
            with open(tmp / f"api-{n}.jsonl", "wb") as out:
                started = time.perf_counter()
                run_extract(
                    inputs,
                    config=EndpointConfig(replay=True),
                    strategy="sectioned",
                    options=RayOptions(workers=max(workers) if n == 0 else n),
                    out=out,
                    max_bytes=32 * 1024 * 1024,
                )
                if n:
                    seconds[n] = time.perf_counter() - started
    finally:
        ray.shutdown()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--skip-check", action="store_true")
    options = parser.parse_args()
    workers = [int(n) for n in options.workers.split(",")]
    inputs = [str(Path(i).resolve()) for i in options.inputs]

    with tempfile.TemporaryDirectory(prefix="ray-bench-") as folder:
        tmp = Path(folder)
        common = ["--replay", "--keep-going", "--no-resume"]
        timings: dict[str, float] = {}
        timings["extract local"] = _run(["extract", *inputs, "-o", str(tmp / "local.jsonl"), *common])
        reference = _rows(tmp / "local.jsonl")
        for n in workers:
            out = tmp / f"ray-{n}.jsonl"
            args = ["extract", *inputs, "-o", str(out), *common, "--engine", "ray", "--workers", str(n)]
            timings[f"extract ray, {n} worker(s)"] = _run(args)
            assert _rows(out) == reference, f"ray with {n} workers wrote other rows than the CLI"
        for n, seconds in _in_process(inputs, workers, tmp).items():
            timings[f"extract ray API after start-up, {n} worker(s)"] = seconds
            assert _rows(tmp / f"api-{n}.jsonl") == reference
        if not options.skip_check:
            timings["check local"] = _run(["check", *inputs, "--format", "jsonl", "--keep-going"], tmp / "c.jsonl")
            for n in workers:
                args = ["check", *inputs, "--format", "jsonl", "--keep-going", "--engine", "ray", "--workers", str(n)]
                timings[f"check ray, {n} worker(s)"] = _run(args, tmp / f"c{n}.jsonl")
                assert sorted((tmp / f"c{n}.jsonl").read_bytes().splitlines()) == sorted(
                    (tmp / "c.jsonl").read_bytes().splitlines()
                ), f"check on ray with {n} workers found other findings than the CLI"

    records = len(reference)
    print(f"records: {records}  (cpus on this machine: {os.cpu_count()})")
    print(f"{'run':48} {'seconds':>8} {'records/s':>10} {'vs local':>9}")
    for name, seconds in timings.items():
        base = timings["check local" if name.startswith("check") else "extract local"]
        print(f"{name:48} {seconds:8.1f} {records / seconds:10.1f} {seconds / base:8.2f}x")
    print("rows: every engine wrote the same rows as the single-process CLI (sorted, wall_seconds masked)")


if __name__ == "__main__":
    main()
