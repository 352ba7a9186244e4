#!/bin/sh
# Set everything up (the venv, Debian's Chromium and fonts, the FreeDict dictionaries,
# PostgreSQL and Redis for the scale-out runs) and run the whole suite.
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh test
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/opentype/noto ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    chromium fonts-noto-core fonts-noto-cjk fonts-thai-tlwg >/dev/null
fi
scripts/dictionaries.sh
. scripts/services.sh
exec .venv/bin/python -m pytest "$@"
