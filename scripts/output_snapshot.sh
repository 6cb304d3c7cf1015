#!/usr/bin/env bash
# Outputs a refactor must leave byte-identical, written to a folder, and compared between two folders.
#
#   bash scripts/output_snapshot.sh take OUTDIR        # run from the repository root (uses .venv)
#   bash scripts/output_snapshot.sh compare A B        # exit 1 when any output differs
#
# take: extract of the shared structured records (v2 JSON + legacy XML) and of the seed pages in
# replay; check --format jsonl of both extraction files and of the raw records; eval --replay metrics.
# compare: byte for byte, except provenance.wall_seconds in page rows (it differs run to run).
set -uo pipefail
records=${TRIALQA_RECORDS:-../shared/records}
case "${1:-}" in
take)
  out=$2; mkdir -p "$out"; t=.venv/bin/trialqa
  $t extract "$records/ctgov-v2" "$records/ctgov-xml" -o "$out/structured.jsonl" --no-resume --jobs 1 --keep-going 2>/dev/null
  $t extract "$records/pages" -o "$out/seeds.jsonl" --no-resume --replay --cache-dir evals/llm-cache --keep-going 2>/dev/null
  $t check "$out/structured.jsonl" --format jsonl >"$out/structured.check.jsonl" 2>/dev/null
  $t check "$out/seeds.jsonl" --format jsonl >"$out/seeds.check.jsonl" 2>/dev/null
  $t check "$records/ctgov-v2" "$records/ctgov-xml" --format jsonl >"$out/raw.check.jsonl" 2>/dev/null
  $t eval --replay --set all --report-dir "$out/eval" >/dev/null 2>&1
  echo "snapshot in $out" ;;
compare)
  a=$2; b=$3; rc=0
  for f in structured.jsonl structured.check.jsonl seeds.check.jsonl raw.check.jsonl eval/metrics.json; do
    if cmp -s "$a/$f" "$b/$f"; then echo "identical  $f"; else echo "DIFFERENT  $f"; rc=1; fi
  done
  mask() { sed -E 's/"wall_seconds":[0-9.e-]+/"wall_seconds":X/g' "$1"; }
  if cmp -s <(mask "$a/seeds.jsonl") <(mask "$b/seeds.jsonl"); then echo "identical  seeds.jsonl (wall_seconds masked)"
  else echo "DIFFERENT  seeds.jsonl"; rc=1; fi
  exit $rc ;;
*) echo "usage: $0 take OUTDIR | compare A B" >&2; exit 2 ;;
esac
