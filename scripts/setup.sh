#!/bin/sh
# Create .venv (if missing), install the locked dependencies (every file hash-checked), then
# the project itself without dependencies. Does nothing when the lock and pyproject.toml are
# unchanged since the last install, so scripts/serve.sh starts in seconds.
# Usage: scripts/setup.sh [base|test|dev]   (default base; see scripts/lock.sh)
set -eu
cd "$(dirname "$0")/.."
SET=${1:-base}
LOCK="requirements/$SET.txt"
[ -f "$LOCK" ] || { echo "setup.sh: no lock file $LOCK" >&2; exit 2; }
PY=$(command -v python3.11 || command -v python3.12 || command -v python3)
[ -x .venv/bin/python ] || "$PY" -m venv .venv
STAMP=.venv/.parallax-installed
WANT="$SET $(cat requirements/pip.txt "$LOCK" pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
  exit 0
fi
.venv/bin/python -m pip install --quiet --require-hashes -r requirements/pip.txt
.venv/bin/python -m pip install --quiet --require-hashes -r "$LOCK"
# The build backend (setuptools) came from the lock too: no unpinned download here.
.venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
echo "$WANT" > "$STAMP"
