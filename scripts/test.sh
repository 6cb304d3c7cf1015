#!/usr/bin/env bash
# The one test command (README, CI): lint, then every test. Works from a new shell: it uses ./.venv
# (making it, without the model, when it is missing) whether or not a virtualenv is active.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -x .venv/bin/pytest || ! -x .venv/bin/ruff ]]; then
    bash scripts/install.sh dev
fi
.venv/bin/ruff check .
.venv/bin/python -m pytest
