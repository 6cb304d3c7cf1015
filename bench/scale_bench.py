"""Benchmark scaling: `trialqa extract` and `trialqa check` of the 6,778-study corpus zip with --jobs
1 and 2 (and more with --jobs-list), records/s per job count, the speed-up, byte-identical output,
and the time extrapolated to all of ClinicalTrials.gov (560,000 studies).

Each run is the real command line in a fresh process, pinned with `taskset` to as many cores as it
has jobs (so --jobs 1 cannot borrow the second core for its reading), repeated --repeat times with
the job counts interleaved; the best wall time of the repeats is reported (the fair figure on a
machine other people share: the slower repeats are other people's load), with every repeat printed
beside it, and the CPU seconds of the command and its workers, from which an idle-core estimate.

    .venv/bin/python bench/scale_bench.py                    # extract and check, jobs 1 and 2, 3 repeats
    .venv/bin/python bench/scale_bench.py --repeat 5 --stage check
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "records" / "corpus" / "ctgov-xml-corpus.zip"
ALL_OF_CTGOV = 560_000


def run_once(stage: str, corpus: Path, jobs: int, folder: Path) -> Run:
    """One pinned run of the command: its wall and CPU seconds, the time its processes waited for a
    core, and its output's sha256 and line count."""
    cores = sorted(os.sched_getaffinity(0))[:jobs]
    pin = ["taskset", "-c", ",".join(map(str, cores))] if shutil.which("taskset") else []
    out = folder / f"{stage}-{jobs}.jsonl"
    out.unlink(missing_ok=True)
    trialqa = [sys.executable, "-c", "import cli; cli.main()"]
    if stage == "extract":
        command = [*pin, *trialqa, "extract", str(corpus), "-o", str(out), "--no-resume", "--jobs", str(jobs)]
        sink = subprocess.DEVNULL
    else:
        command = [*pin, *trialqa, "check", str(corpus), "-f", "jsonl", "--jobs", str(jobs)]
        sink = out.open("wb")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=sink, stderr=subprocess.DEVNULL, cwd=REPO)
    waited: dict[int, float] = {}
    on_cpu: dict[int, float] = {}
    serial: float | None = None  # the main process's CPU seconds when its first worker appeared
    while process.poll() is None:
        tree = _tree(process.pid)
        for pid in tree:
            stat = _schedstat_s(pid)
            if stat is not None:
                on_cpu[pid], waited[pid] = stat
        if serial is None and len(tree) > 1:
            serial = on_cpu.get(process.pid, 0.0)
        time.sleep(0.05 if serial is None else 0.1)  # often at first: the fork is the moment that counts
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if sink is not subprocess.DEVNULL:
        sink.close()
    data = out.read_bytes()
    workers = sorted((seconds for pid, seconds in on_cpu.items() if pid != process.pid), reverse=True)
    return Run(
        wall,
        cpu,
        sum(waited.values()),
        hashlib.sha256(data).hexdigest(),
        data.count(b"\n"),
        serial if serial is not None else cpu,
        workers,
    )


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float  # CPU seconds of the command and its workers
    waited: float  # seconds its processes were ready to run but had no core (others' load), summed
    digest: str
    lines: int
    serial: (
        float  # CPU s of the main process before its first worker started (imports, listing): all of it with one job
    )
    workers: list[float]  # CPU s of each worker process (last sample, every 0.1 s), busiest first

    def idle_estimate(self) -> float:
        """Wall seconds this run would take on idle cores, from its own CPU seconds: the serial start,
        then the busiest worker, plus the main process's CPU after the start (reading, unpickling,
        writing) shared out over the workers' cores. With one job: all of its CPU seconds."""
        if not self.workers:
            return self.cpu
        after_start = max(0.0, self.cpu - self.serial - sum(self.workers))
        return self.serial + self.workers[0] + after_start / len(self.workers)


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants (Linux /proc; empty where it is not there)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            todo += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
    return found


def _schedstat_s(pid: int) -> tuple[float, float] | None:
    """Seconds `pid` has spent on a CPU, and runnable but waiting for one (/proc/PID/schedstat)."""
    try:
        fields = Path(f"/proc/{pid}/schedstat").read_text().split()
        return int(fields[0]) / 1e9, int(fields[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return None


def _spin(seconds_of_work: int) -> None:
    """A fixed amount of pure-Python work (no memory traffic to speak of)."""
    total = 0
    for i in range(seconds_of_work * 20_000_000):
        total += i
    if total < 0:
        print(total)


def machine_ceiling(jobs: int, repeat: int) -> float:
    """The throughput `jobs` independent CPU-bound processes get, pinned one per core, over one process:
    what this machine (and its neighbours' load) allows any process-parallel program at best."""
    cores = sorted(os.sched_getaffinity(0))
    here = str(Path(__file__).parent)
    code = f"import sys; sys.path.insert(0, {here!r}); import scale_bench; scale_bench._spin(1)"
    best = {1: float("inf"), jobs: float("inf")}
    for _ in range(repeat):
        for count in (1, jobs):
            started = time.perf_counter()
            running = [
                subprocess.Popen(["taskset", "-c", str(cores[i % len(cores)]), sys.executable, "-c", code])
                for i in range(count)
            ]
            for process in running:
                process.wait()
            best[count] = min(best[count], time.perf_counter() - started)
    return jobs * best[1] / best[jobs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--records", type=int, default=6_778, help="records in the corpus (for records/s)")
    parser.add_argument("--jobs-list", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stage", choices=["extract", "check", "both"], default="both")
    args = parser.parse_args()
    stages = ["extract", "check"] if args.stage == "both" else [args.stage]
    load = os.getloadavg()
    print(f"corpus: {args.corpus.name} ({args.records:,} studies); {os.cpu_count()} CPUs; load average {load[0]:.1f}")
    if shutil.which("taskset") and max(args.jobs_list) > 1:
        ceiling = machine_ceiling(max(args.jobs_list), args.repeat)
        print(
            f"machine ceiling now: {max(args.jobs_list)} independent busy processes run {ceiling:.2f}x "
            "the work of one (pure-Python loop, pinned; best of repeats)"
        )
    folder = Path(tempfile.mkdtemp(prefix="scale_bench_"))
    try:
        for stage in stages:
            best: dict[int, float] = {}
            cpu: dict[int, float] = {}
            digests: set[str] = set()
            print(
                f"\n{stage}: {'jobs':>4s} {'best s':>7s} {'rec/s':>7s} {'560k studies':>13s} {'CPU s':>6s}"
                "   all repeats (wall s / s waiting for a core)"
            )
            runs: dict[int, list[Run]] = {jobs: [] for jobs in args.jobs_list}
            for _ in range(args.repeat):
                for jobs in args.jobs_list:  # interleaved, so a change in others' load hits every job count
                    run = run_once(stage, args.corpus, jobs, folder)
                    runs[jobs].append(run)
                    digests.add(run.digest)
            for jobs in args.jobs_list:
                fastest = min(runs[jobs], key=lambda run: run.wall)
                best[jobs] = fastest.wall
                cpu[jobs] = min(run.cpu for run in runs[jobs])
                rate = args.records / best[jobs]
                hours = ALL_OF_CTGOV / rate / 3600
                shown = " ".join(f"{run.wall:.1f}/{run.waited:.0f}" for run in runs[jobs])
                print(
                    f"{'':8s}{jobs:4d} {best[jobs]:7.1f} {rate:7.0f} {hours:10.2f} h {cpu[jobs]:6.1f}"
                    f"   {shown}  ({fastest.lines:,} lines)"
                )
            first = args.jobs_list[0]
            for jobs in args.jobs_list[1:]:
                print(f"{'':8s}speed-up jobs {jobs} / jobs {first}: {best[first] / best[jobs]:.2f}x wall")
                # What the wall speed-up would be on idle cores: the work (CPU s) of one job, spread over
                # `jobs` cores, plus what parallel running added to it (pickling, the reading process).
                ideal = jobs * cpu[first] / cpu[jobs]
                print(
                    f"{'':8s}  CPU with {jobs} jobs / CPU with {first}: {cpu[jobs] / cpu[first]:.2f}x "
                    f"(were nothing serial, on {jobs} idle cores the speed-up would be {ideal:.2f}x)"
                )
            idle: dict[int, float] = {}
            for jobs in args.jobs_list:
                # On idle cores: the serial start (imports, listing: it cannot be shared out), then the
                # busiest worker; from the run with the least CPU, as the CPU seconds are the least
                # touched by others' load. Not CPU s / jobs, which would pretend the start runs in parallel.
                quiet = min(runs[jobs], key=lambda run: run.cpu)
                idle[jobs] = idle_s = quiet.idle_estimate()
                idle_h = ALL_OF_CTGOV / (args.records / idle_s) / 3600
                split = (
                    f"serial start {quiet.serial:.1f} s + busiest worker {quiet.workers[0]:.1f} s "
                    f"(workers {' / '.join(f'{w:.1f}' for w in quiet.workers)} s)"
                    if quiet.workers
                    else "all of it in one process"
                )
                print(
                    f"{'':8s}idle-core estimate, jobs {jobs}: {idle_s:.1f} s ({args.records / idle_s:.0f} rec/s), "
                    f"560k studies in {idle_h:.2f} h; {split}"
                )
            for jobs in args.jobs_list[1:]:
                print(f"{'':8s}idle-core speed-up estimate jobs {jobs} / jobs {first}: {idle[first] / idle[jobs]:.2f}x")
            print(f"{'':8s}outputs byte-identical across job counts and repeats: {len(digests) == 1}")
        print(f"\nload average after: {os.getloadavg()[0]:.1f} (others share this machine: figures are noisy)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
