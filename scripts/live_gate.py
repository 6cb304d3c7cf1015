"""CI's live main job gate: README command 1's output, from the live embedded model with an empty cache.

    python scripts/live_gate.py seeds.jsonl findings.jsonl

Fails (exit 1, naming what is wrong) unless every row is ok, there are five, each answer came from the
model (no cache hit: the cache was empty), and NCT07271602 shows the mission's two findings: inclusion
items in its exclusion list, and its "placebo" arm receiving the active drug.
"""

from __future__ import annotations

import sys
from pathlib import Path

import orjson

EXPECTED_ROWS = 5
MISSION = "NCT07271602"
MISSION_RULES = {"eligibility.inclusion_item_in_exclusion", "arms.placebo_arm_gets_active_drug"}


def main(rows_path: Path, findings_path: Path) -> list[str]:
    problems: list[str] = []
    rows = [orjson.loads(line) for line in rows_path.read_bytes().splitlines() if line.strip()]
    if len(rows) != EXPECTED_ROWS:
        problems.append(f"{len(rows)} rows, expected {EXPECTED_ROWS}")
    for row in rows:
        source = row["source"]["id"]
        if row["status"] != "ok":
            problems.append(f"{source}: {row['error']['type']}: {row['error']['message'][:300]}")
        elif row["provenance"].get("cache_hits", 0) != 0:
            problems.append(f"{source}: answered from a cache; the live job must start from an empty one")
    findings = [orjson.loads(line) for line in findings_path.read_bytes().splitlines() if line.strip()]
    mission = {f["rule"] for f in findings if f.get("nct_id") == MISSION}
    for rule in sorted(MISSION_RULES - mission):
        problems.append(f"{MISSION}: no {rule} finding (found: {', '.join(sorted(mission)) or 'none'})")
    return problems


if __name__ == "__main__":
    found = main(Path(sys.argv[1]), Path(sys.argv[2]))
    for problem in found:
        print(f"live gate: {problem}", file=sys.stderr)
    print(f"live gate: {'FAILED' if found else 'passed'}", file=sys.stderr)
    sys.exit(1 if found else 0)
