#!/bin/sh
# Set everything up, including Debian's Chromium for the browser tests, and run the whole suite.
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh test
# The browser tests check Arabic, Hebrew, CJK and Thai rendering: they need Noto fonts too.
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-core \
    fonts-noto-cjk >/dev/null
fi
exec .venv/bin/python -m pytest "$@"
