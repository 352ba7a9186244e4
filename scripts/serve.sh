#!/bin/sh
# Set everything up and serve the app on http://127.0.0.1:8000 with the seeds ingested.
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/parallax serve "$@"
