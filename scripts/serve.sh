#!/bin/sh
# Set everything up (skipped when the lock is unchanged) and serve the app on
# http://127.0.0.1:8000 with the seeds ingested (the word card's dictionaries are installed
# when the script may: scripts/dictionaries.sh).
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh base
scripts/dictionaries.sh
exec .venv/bin/parallax serve "$@"
