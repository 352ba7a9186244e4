#!/bin/sh
# Create .venv at the repo root (if missing) and install the project into it, editable.
# Usage: scripts/setup.sh [EXTRA]   e.g. scripts/setup.sh test
set -eu
cd "$(dirname "$0")/.."
PY=$(command -v python3.11 || command -v python3)
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if [ -n "${1:-}" ]; then
  .venv/bin/python -m pip install --quiet -e ".[$1]"
else
  .venv/bin/python -m pip install --quiet -e .
fi
