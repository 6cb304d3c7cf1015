"""Benchmark: one folder of every bad input we know, through one `extract` and one `check`.

Builds the folder (earlier bad inputs, the issue-16 ones: symlink loops, a symlinked folder, an
unreadable folder, a FIFO, XML declaring entities after 64 KiB, a NUL after 8 KiB, an over-limit file, a
30 MB page) beside good structured records and the five seed pages, then runs, as subprocesses:

    trialqa extract FOLDER -o OUT --base-url FAKE ...   (a fake endpoint failing every second request)
    trialqa check FOLDER
    trialqa check OUT

and prints, for each: records in (known from how the folder was built), rows out, whether any
traceback was printed, exit code, wall seconds and peak RSS (the child's own ru_maxrss, from
wait4); for extract also the chat requests the endpoint saw and the sum of `attempts` over the
rows. As root, the commands run without CAP_DAC_OVERRIDE (setpriv) so the chmod-000 folder is
really unreadable.

    python bench/bad_inputs_bench.py [--page-mb 30] [--filler prose|sites] [--keep DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.llm.fake_openai import EverySecondFails, FakeOpenAI, copying_answers  # noqa: E402
from tests.test_extract_cli import BAD_INPUTS, BILLION_LAUGHS, SUFFIX  # noqa: E402

RECORDS = REPO.parent / "shared" / "records"
DROP_DAC = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search"]
FILLERS = {
    # prose: a description that runs on; sites: one address-like line after another (every line
    # becomes a location, the worst case for the record's size)
    "prose": "\nThe investigators will collect blood samples at each visit to measure drug levels, and "
    "participants will complete questionnaires on quality of life, pain and fatigue during the study.\n",
    "sites": "\nAdditional site listing: Hospital General, Calle Mayor 1, Madrid, Spain. Contact: see above.\n",
}


def build(folder: Path, page_mb: int, filler: str) -> int:
    """Write the bad-input folder; return how many records (rows) it holds."""
    records = 0
    good = folder / "good"
    good.mkdir(parents=True)
    for name in ("NCT05594173.json", "NCT06437782.json"):
        if (RECORDS / "ctgov-v2" / name).exists():
            shutil.copy(RECORDS / "ctgov-v2" / name, good / name)
            records += 1
    for source in sorted((RECORDS / "ctgov-xml").glob("*.xml"))[:3]:
        shutil.copy(source, good / source.name)
        records += 1
    pages = folder / "pages"
    shutil.copytree(RECORDS / "pages", pages)
    records += len(list(pages.glob("*.txt")))

    bad = folder / "bad"
    bad.mkdir()
    for kind, (data, _type, _phrase) in BAD_INPUTS.items():  # the earlier bad inputs and issue 16's
        (bad / f"{kind}{SUFFIX.get(kind, '.txt' if kind == 'not_utf8' else '.dat')}").write_bytes(data)
        records += 1
    (bad / "utf16.txt").write_bytes("Title: a page\n".encode("utf-16"))
    (bad / "whitespace.txt").write_bytes(b" \n\t\n")
    (bad / "bomb_x50.xml").write_bytes(BILLION_LAUGHS.replace(b"&lol9;", b"&lol9;" * 50))
    with open(bad / "over_limit.txt", "wb") as handle:  # sparse: 33 MiB on paper, nothing on disk
        handle.truncate(33 * 1024 * 1024)
    records += 4

    links = folder / "links"
    (links / "sub").mkdir(parents=True)
    (links / "sub" / "up").symlink_to("..", target_is_directory=True)  # a folder loop: one row
    (links / "loop1").symlink_to("loop2")  # a file-symlink loop: one row each
    (links / "loop2").symlink_to("loop1")
    (links / "dangling").symlink_to("no-such-file")
    os.mkfifo(links / "pipe.txt")  # a FIFO: reading it would wait for a writer forever
    (links / "linked_good").symlink_to(good, target_is_directory=True)  # good/ again: one row, not re-read
    records += 6
    locked = folder / "locked"
    locked.mkdir()
    (locked / "hidden_study.json").write_bytes((good / "NCT05594173.json").read_bytes())
    locked.chmod(0o000)
    records += 1  # the unreadable folder's row (its file cannot be seen)

    base = (RECORDS / "pages" / "NCT06935409.txt").read_text(encoding="utf-8")
    line = FILLERS[filler]
    repeats = (page_mb * 1_000_000 - len(base)) // len(line)
    (folder / "big_page.txt").write_text(base + line * repeats, encoding="utf-8")
    records += 1
    return records


@dataclass
class Run:
    name: str
    code: int
    seconds: float
    peak_mb: float
    stdout: bytes
    stderr: bytes

    @property
    def traceback(self) -> bool:
        return b"Traceback (most recent call last)" in self.stderr


def run(name: str, args: list[str], env: dict[str, str], drop_dac: bool) -> Run:
    command = [*(DROP_DAC if drop_dac else []), sys.executable, "-m", "cli", *args]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return Run(name, process.returncode, seconds, usage.ru_maxrss / 1024, out.read(), err.read())


def checked_records(stderr: bytes) -> int | None:
    for line in stderr.decode("utf-8", "replace").splitlines():
        if line.startswith("records: "):
            return int(line.split()[1])
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page-mb", type=int, default=30)
    parser.add_argument("--filler", choices=sorted(FILLERS), default="prose")
    parser.add_argument("--keep", type=Path, help="build the folder here and keep it")
    options = parser.parse_args()

    work = options.keep or Path(tempfile.mkdtemp(prefix="trialqa-bad-inputs-"))
    folder = work / "inputs"
    records_in = build(folder, options.page_mb, options.filler)
    out = work / "out.jsonl"
    cache = work / "cache"
    drop_dac = os.geteuid() == 0 and shutil.which("setpriv") is not None
    env = {**os.environ, "OPENAI_API_KEY": "sk-bench-never-written"}
    env.pop("OPENAI_BASE_URL", None)

    fake = FakeOpenAI().start()
    responder = EverySecondFails(copying_answers, stall_s=3.0)
    fake.responder = responder
    try:
        extract = run(
            "extract",
            [
                "extract",
                str(folder),
                "-o",
                str(out),
                "--base-url",
                fake.base_url,
                "--model",
                "fake-model",
                "--mode",
                "tools",
                "--strategy",
                "sectioned",
                "--timeout",
                "2",
                "--cache-dir",
                str(cache),
            ],
            env,
            drop_dac,
        )
    finally:
        fake.stop()
    rows = [orjson.loads(line) for line in out.read_bytes().splitlines()] if out.exists() else []
    check_folder = run("check FOLDER", ["check", str(folder), "--format", "jsonl"], env, drop_dac)
    check_rows = run("check OUT", ["check", str(out), "--format", "jsonl"], env, drop_dac)
    with contextlib.suppress(OSError):
        (folder / "locked").chmod(0o755)

    print(
        f"folder: {folder}  ({options.page_mb} MB page, {options.filler} filler; unreadable folder "
        f"{'really unreadable (CAP_DAC_OVERRIDE dropped)' if drop_dac or os.geteuid() != 0 else 'readable (root)'})"
    )
    print(f"records in: {records_in}")
    print(f"{'command':<14} {'rows out':>8} {'exit':>4} {'traceback':>9} {'seconds':>8} {'peak RSS MB':>11}")
    for result, count in (
        (extract, len(rows)),
        (check_folder, checked_records(check_folder.stderr)),
        (check_rows, checked_records(check_rows.stderr)),
    ):
        print(
            f"{result.name:<14} {count!s:>8} {result.code:>4} {result.traceback!s:>9} "
            f"{result.seconds:>8.1f} {result.peak_mb:>11.0f}"
        )
    attempts = sum(int(r.get("provenance", {}).get("attempts", 0)) for r in rows)
    print(f"endpoint chat requests: {len(fake.chat_requests)}  (responder saw {responder.count})")
    print(f"sum of attempts over rows: {attempts}")
    errors: dict[str, int] = {}
    for row in rows:
        if row["status"] == "error":
            errors[row["error"]["type"]] = errors.get(row["error"]["type"], 0) + 1
    print("error rows by type: " + ", ".join(f"{k} {v}" for k, v in sorted(errors.items())))
    print(f"key written to output: {b'sk-bench-never-written' in out.read_bytes() if out.exists() else False}")
    for result in (extract, check_folder, check_rows):
        if result.traceback:
            print(f"--- {result.name} stderr tail ---\n{result.stderr.decode('utf-8', 'replace')[-3000:]}")
    if options.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
