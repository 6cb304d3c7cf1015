#!/usr/bin/env bash
# The one test command (README, CI): lint, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
ruff check .
python -m pytest
