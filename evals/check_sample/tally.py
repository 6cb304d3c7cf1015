"""Per-rule precision of `trialqa check` on the frozen sample, from the hand verdicts.

Run from the repository root:
    .venv/bin/python evals/check_sample/tally.py before          # the checker before tuning
    .venv/bin/python evals/check_sample/tally.py after --write   # the final one; writes extract/check/precision.json
Reads docs/check_review_sample.tsv (one row per finding: before / after = made in that run, verdict TP/FP).
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VERDICTS = ROOT / "docs" / "check_review_sample.tsv"
PRECISION = ROOT / "extract" / "check" / "precision.json"
SAMPLE = "the frozen held-out sample of 300 corpus studies (evals/check_sample), final checker"


def tally(run: str) -> dict[str, dict[str, int | str]]:
    per_rule: dict[str, dict[str, int | str]] = defaultdict(lambda: {"judged": 0, "true": 0, "severity": ""})
    with VERDICTS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row[run] != "y":
                continue
            entry = per_rule[row["rule"]]
            entry["judged"] = int(entry["judged"]) + 1
            entry["true"] = int(entry["true"]) + (row["verdict"] == "TP")
            entry["severity"] = row["severity"]
    return dict(sorted(per_rule.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", choices=["before", "after"])
    parser.add_argument("--write", action="store_true", help="write extract/check/precision.json (after only)")
    args = parser.parse_args()
    rules = tally(args.run)
    judged = sum(int(r["judged"]) for r in rules.values())
    true = sum(int(r["true"]) for r in rules.values())
    print("| rule | severity | findings judged | true | precision |\n|---|---|---:|---:|---:|")
    for rule_id, r in rules.items():
        print(
            f"| `{rule_id}` | {r['severity']} | {r['judged']} | {r['true']} | {int(r['true']) / int(r['judged']):.2f} |"
        )
    print(f"| **all** | | **{judged}** | **{true}** | **{true / judged:.3f}** |")
    if args.write and args.run == "after":
        data = {
            "sample": SAMPLE,
            "rules": {k: {"judged": v["judged"], "true": v["true"]} for k, v in rules.items()},
        }
        PRECISION.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
