#!/bin/sh
# Set everything up (skipped when the lock is unchanged) and serve the app on
# http://127.0.0.1:8000 with the seeds ingested.
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh base
exec .venv/bin/parallax serve "$@"
