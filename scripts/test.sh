#!/usr/bin/env bash
# Set up and run every test (and the linter, the layer contracts, the type check). CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
bash scripts/system-packages.sh
export PREFECT_SERVER_ANALYTICS_ENABLED=false
.venv/bin/ruff check .
.venv/bin/lint-imports --no-cache   # the layer contracts in .importlinter
bash scripts/typecheck.sh           # mypy, [tool.mypy] in pyproject.toml
.venv/bin/python -m pytest "$@"
