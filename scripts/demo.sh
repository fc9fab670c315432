#!/usr/bin/env bash
# Set up and run the main job on the embedded defaults: the bundled sample portal,
# the monitor flow on SQLite with a local Prefect, alerts into a local webhook sink.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PREFECT_SERVER_ANALYTICS_ENABLED=false
exec .venv/bin/nianbao demo "$@"
