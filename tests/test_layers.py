"""The shape of the code: product parts never import the web layer, and no module-level
import cycle runs through the app (the review found one: services → auth → deps → jobs)."""

import ast
from pathlib import Path

from app.config import REPO_ROOT

APP = REPO_ROOT / "app"
# The parts that hold the product's logic: pure engines and services over the database.
PARTS = ("align", "ingest", "checks", "exchange", "models", "library", "pipeline", "reading",
         "review", "words")  # fmt: skip
# What belongs to HTTP: frameworks, routes, request dependencies, templates, middleware.
WEB = ("fastapi", "starlette", "app.routes", "app.auth", "app.deps", "app.web",
       "app.templating", "app.waiting", "app.security", "app.main")  # fmt: skip


def _module(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
            found.add(node.module)
    return found


def _is_web(name: str) -> bool:
    return any(name == w or name.startswith(w + ".") for w in WEB)


def test_product_parts_never_import_the_web_layer() -> None:
    offenders = {
        _module(path): sorted(n for n in _imports(path, top_level_only=False) if _is_web(n))
        for part in PARTS
        for path in (APP / part).rglob("*.py")
    }
    assert {m: names for m, names in offenders.items() if names} == {}


def test_the_old_flat_services_folder_is_gone() -> None:
    assert not (APP / "services").exists()
    for part in ("library", "pipeline", "reading", "review"):
        assert (APP / part / "__init__.py").read_text().startswith('"""')


def _runs(path: Path, modules: set[str]) -> set[str]:
    """The app modules a module's top-level imports run: `from pkg import mod` runs mod (pkg is
    already running or done); `from pkg import name` runs pkg's __init__."""
    found: set[str] = set()
    for node in ast.parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
    return found & modules


def _graph() -> dict[str, set[str]]:
    paths = {_module(p): p for p in APP.rglob("*.py")}
    return {name: _runs(path, set(paths)) - {name} for name, path in paths.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_module_level_import_cycle_in_the_app() -> None:
    assert _cycle(_graph()) is None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
