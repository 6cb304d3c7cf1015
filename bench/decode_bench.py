"""Benchmark: the embedded model server's decode and prompt speed (tokens/s) on the seed pages.

Not a test: it needs the embedded model (`bash scripts/install.sh`). Starts the server the way
`trialqa extract` does (EmbeddedServer, same settings), sends each seed page's first 1,500 characters
with "summarise this trial" and a fixed 96-token budget (temperature 0), and reads llama.cpp's own
timings from the server log (`prompt eval time` and `eval time` per request), so model loading and
HTTP overhead are not counted. Prints one row per page, the medians, and the CPU features the
llama.cpp build uses (its system info), to compare builds (native vs portable) on one machine:

    python bench/decode_bench.py [--pages DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extract.llm.local_model import ensure_model  # noqa: E402
from extract.llm.server import EmbeddedServer, ServerSettings  # noqa: E402

# llama.cpp's per-request timings, e.g.
#   llama_perf_context_print: prompt eval time =  1234.56 ms /   380 tokens (  3.25 ms per token, 307.8 tokens per second)
#   llama_perf_context_print:        eval time =  8765.43 ms /    95 runs   ( 92.27 ms per token,  10.84 tokens per second)
TIMING = re.compile(r"(prompt eval|\beval) time =\s*([\d.]+) ms /\s*(\d+) (?:tokens|runs)")


def timings(log_text: str) -> list[tuple[str, float, int]]:
    return [(kind, float(ms), int(n)) for kind, ms, n in TIMING.findall(log_text)]


def system_info() -> str:
    import llama_cpp

    raw = llama_cpp.llama_print_system_info()
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=REPO.parent / "shared" / "records" / "pages")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--max-tokens", type=int, default=96)
    args = parser.parse_args()
    console = Console()
    model = ensure_model()
    pages = sorted(args.pages.glob("*.txt"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "server.log"
        with (
            EmbeddedServer(model, log_path, ServerSettings(model_alias="bench")) as server,
            httpx.Client(timeout=600) as http,
        ):
            for page in pages:
                before = len(timings(log_path.read_text(errors="replace")))
                text = page.read_text(encoding="utf-8")[:1500]
                started = time.perf_counter()
                response = http.post(
                    f"{server.base_url}/chat/completions",
                    json={
                        "messages": [{"role": "user", "content": f"Summarise this trial in detail:\n\n{text}"}],
                        "max_tokens": args.max_tokens,
                        "temperature": 0.0,
                        "seed": 0,
                    },
                )
                wall = time.perf_counter() - started
                response.raise_for_status()
                usage = response.json()["usage"]
                time.sleep(0.2)  # the timings are printed after the response is sent
                new = timings(log_path.read_text(errors="replace"))[before:]
                prompt = [(ms, n) for kind, ms, n in new if kind == "prompt eval"]
                decode = [(ms, n) for kind, ms, n in new if kind == "eval"]
                rows.append(
                    {
                        "page": page.stem,
                        "prompt_tokens": usage["prompt_tokens"],
                        "completion_tokens": usage["completion_tokens"],
                        "wall_s": round(wall, 2),
                        "prompt_tok_s": round(sum(n for _, n in prompt) / (sum(ms for ms, _ in prompt) / 1000), 1)
                        if prompt
                        else None,
                        "decode_tok_s": round(sum(n for _, n in decode) / (sum(ms for ms, _ in decode) / 1000), 2)
                        if decode
                        else None,
                    }
                )
    table = Table(title="embedded model speed (llama.cpp's own timings)")
    for column in ("page", "prompt tokens", "completion tokens", "wall s", "prompt tok/s", "decode tok/s"):
        table.add_column(column, justify="right" if column != "page" else "left")
    for row in rows:
        table.add_row(*(str(value) for value in row.values()))
    decode_values = [r["decode_tok_s"] for r in rows if r["decode_tok_s"]]
    prompt_values = [r["prompt_tok_s"] for r in rows if r["prompt_tok_s"]]
    summary = {
        "median_decode_tok_s": statistics.median(decode_values) if decode_values else None,
        "median_prompt_tok_s": statistics.median(prompt_values) if prompt_values else None,
        "system_info": system_info(),
        "pages": rows,
    }
    console.print(table)
    console.print(
        f"median decode: {summary['median_decode_tok_s']} tok/s; median prompt: {summary['median_prompt_tok_s']} tok/s"
    )
    console.print(f"llama.cpp build: {summary['system_info']}", markup=False)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
