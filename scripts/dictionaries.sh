#!/bin/sh
# Install the offline bilingual dictionaries the word card's "meanings" come from: Debian's
# FreeDict packages (dictd files under /usr/share/dictd; app/words/dictionary.py reads them,
# nothing is fetched at run time). Does nothing when all are there. Run by scripts/test.sh,
# scripts/serve.sh and the Dockerfile. Without them the card says "no dictionary".
# Set PARALLAX_NO_DICTIONARIES=1 to skip.
set -eu
[ "${PARALLAX_NO_DICTIONARIES:-}" = "1" ] && exit 0
PAIRS="deu-eng eng-deu fra-eng eng-fra spa-eng eng-spa ita-eng eng-ita por-eng eng-por
nld-eng eng-nld jpn-eng eng-jpn deu-fra fra-deu deu-spa spa-deu"
need=""
for pair in $PAIRS; do
  [ -f "/usr/share/dictd/freedict-$pair.index" ] || need="$need dict-freedict-$pair"
done
[ -n "$need" ] || exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  # never prompts: without root (or a password-less sudo) the app runs without meanings
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "dictionaries.sh: cannot install$need without root; the word card has no meanings" >&2
    exit 0
  fi
fi
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
