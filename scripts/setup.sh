#!/usr/bin/env bash
# Create .venv and install the project with pinned versions. Usage: scripts/setup.sh [extras]
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
spec="."
[ -n "$extras" ] && spec=".[$extras]"
# This machine's pip config lists local mirror folders that may not exist; drop that noise only.
.venv/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e "$spec" \
  2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
