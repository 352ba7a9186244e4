"""The code is held to its lint and type rules in CI, not only on a developer's machine:
ruff (style, imports, size and complexity limits) and mypy (app, tests and bench)."""

import subprocess
import sys

from app.config import REPO_ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_finds_nothing() -> None:
    checked = _run("ruff", "check", "app", "tests", "bench", "migrations")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    formatted = _run("ruff", "format", "--check", "app", "tests", "bench", "migrations")
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_mypy_finds_nothing() -> None:
    typed = _run("mypy")  # the files pyproject.toml names: app, tests, bench
    assert typed.returncode == 0, typed.stdout + typed.stderr
