#!/usr/bin/env bash
# Type-check the project with mypy ([tool.mypy] in pyproject.toml says what and how strictly).
# scripts/test.sh runs it between ruff and pytest, so CI fails on a type error. The incremental
# cache in .mypy_cache makes a rerun take seconds; CI starts cold (about a minute on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/mypy "$@"
