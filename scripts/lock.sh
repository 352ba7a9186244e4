#!/bin/sh
# Re-make the lock files requirements/*.txt (exact versions with their hashes) from the ranges
# in pyproject.toml. Run it after changing a dependency; commit pyproject.toml and requirements/.
#   base.txt  what the app needs to run (the Docker image, scripts/serve.sh)
#   test.txt  base + the test extra (scripts/test.sh, CI)
#   dev.txt   every extra: test, dev (ruff, mypy) and e5 (the alternative encoder)
# pip-tools runs in its own venv (.venv-lock) and uses pip's own configuration, so the hashes
# are those of the files pip itself will download.
set -eu
cd "$(dirname "$0")/.."
PY=$(command -v python3.11 || command -v python3)
[ -x .venv-lock/bin/pip-compile ] || {
  "$PY" -m venv .venv-lock
  .venv-lock/bin/python -m pip install --quiet "pip-tools==7.6.2"
}
mkdir -p requirements
compile() {
  out=$1; shift
  CUSTOM_COMPILE_COMMAND="scripts/lock.sh" .venv-lock/bin/pip-compile --quiet \
    --generate-hashes --allow-unsafe --all-build-deps --strip-extras \
    --no-emit-index-url --no-emit-find-links \
    --output-file "requirements/$out.txt" "$@" pyproject.toml
}
compile base
compile test --extra test
compile dev --all-extras
echo "requirements/: $(wc -l < requirements/test.txt) lines in test.txt"
