"""The documentation: the site builds strictly, the README stays a guide, and nothing links or
points at a file that is not there (a moved module shows up here, not in a reader's 404)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
README = REPO_ROOT / "README.md"
PAGES = sorted((REPO_ROOT / "docs").glob("*.md"))
BENCH_README = REPO_ROOT / "bench" / "README.md"
MAX_README_LINES = 250

# [text](target) and ![alt](target), then src="..." / href="..." in raw HTML
MD_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_LINK = re.compile(r"""\b(?:src|href)=["']([^"']+)["']""")
# a repository path written as code, e.g. `app/routes/page_cache.py` or `tests/e2e/`
CODE_PATH = re.compile(
    r"`((?:app|bench|docs|migrations|scripts|seeds|static|templates|tests)/[\w./-]*)`"
)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


def relative_links(text: str) -> list[str]:
    """The link targets of a Markdown text that point into the repository (no URL, no anchor)."""
    text = FENCE.sub("", text)
    found = MD_LINK.findall(text) + HTML_LINK.findall(text)
    return [
        target.split("#", 1)[0]
        for target in found
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target) and not target.startswith(("#", "/"))
    ]


def missing_targets(page: Path) -> list[str]:
    """Relative links of `page` whose file does not exist, resolved from the page's folder."""
    text = page.read_text(encoding="utf-8")
    return [t for t in relative_links(text) if t and not (page.parent / t).exists()]


def missing_code_paths(page: Path) -> list[str]:
    """Repository paths quoted as code in `page` that name no file or folder."""
    text = page.read_text(encoding="utf-8")
    return [p for p in CODE_PATH.findall(text) if not (REPO_ROOT / p).exists()]


def _name(page: Path) -> str:
    return page.relative_to(REPO_ROOT).as_posix()


def test_site_builds_strictly(tmp_path: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for page in PAGES:
        name = "index.html" if page.stem == "index" else f"{page.stem}/index.html"
        assert (tmp_path / name).is_file(), f"docs/{page.name} was not built"
    # offline: the theme loads no web font and no script from another host
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in html
    assert not re.search(r"<script[^>]+src=\"https?://", html)


def test_readme_is_a_guide_of_at_most_250_lines() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md has {len(lines)} lines"
    # the two commands CI and newcomers rely on (.ci/run runs scripts/test.sh)
    assert any(line.startswith("scripts/serve.sh") for line in lines)
    assert any(line.startswith("scripts/test.sh") for line in lines)


@pytest.mark.parametrize("page", [README, BENCH_README, *PAGES], ids=_name)
def test_relative_links_point_at_files(page: Path) -> None:
    assert missing_targets(page) == []


@pytest.mark.parametrize("page", [README, *PAGES], ids=_name)
def test_quoted_repository_paths_exist(page: Path) -> None:
    assert missing_code_paths(page) == []


def test_link_check_finds_a_missing_file(tmp_path: Path) -> None:
    """The checks above can fail: a page linking a file that is not there is caught."""
    (tmp_path / "there.md").write_text("# here\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](there.md#here) [web](https://example.org/x.md) [anchor](#top)\n"
        '![gone](screenshots/gone.png) <img src="nope.png">\n'
        "```\n[in code](not-a-link.md)\n```\n",
        encoding="utf-8",
    )
    assert missing_targets(page) == ["screenshots/gone.png", "nope.png"]
