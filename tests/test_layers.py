"""The data flows one way (docs/decisions/0010-layers.md): scenario → model → sim (parameters,
state, stepper, ensemble, statistics) → store → report → analyses → api → cli. No module imports
from a later layer, and no modules import each other in a cycle. Imports are read with `ast`
(including imports inside functions; imports only for type checking are ignored)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

# Layers in data-flow order; a module belongs to the layer of its longest matching prefix.
# Command modules (`tashkent.<area>.commands`) are the command line, whatever their area.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "core",
        (
            "tashkent",
            "tashkent.errors",
            "tashkent.fingerprint",
            "tashkent.ladder",
            "tashkent.limits",
            "tashkent.safe_yaml",
            "tashkent.strict",
            "tashkent.terminal",
        ),
    ),
    ("scenario", ("tashkent.scenario",)),
    ("model", ("tashkent.model",)),
    ("sim", ("tashkent.sim",)),
    ("store", ("tashkent.store",)),
    ("report", ("tashkent.report",)),
    ("analyses", ("tashkent.bargain", "tashkent.events", "tashkent.history", "tashkent.explore")),
    ("api", ("tashkent.api", "tashkent.forecasting")),
    ("exercise", ("tashkent.exercise",)),
    ("web", ("tashkent.web",)),
    ("cli", ("tashkent.cli", "tashkent.__main__", "tashkent.launch", "tashkent.resident")),
]
# Package facades that re-export the API lazily (inside `__getattr__`/`__call__`): the one place a
# lower layer names a higher one, so `tashkent.forecast(...)` works without importing it eagerly.
FACADES = {("tashkent", "tashkent.api"), ("tashkent.bargain", "tashkent.api")}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    if module.rsplit(".", 1)[-1] == "commands":
        return len(LAYERS) - 1
    best, rank = -1, -1
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (
                (module == p or module.startswith(p + "."))
                and len(p) > best
                and not (p == "tashkent" and module != "tashkent")
            ):
                best, rank = len(p), i
    assert rank >= 0, f"{module} is in no layer; add it to LAYERS"
    return rank


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports(path: Path, modules: set[str]) -> set[str]:
    """tashkent modules imported by the file at `path` (resolved to modules that exist)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        else:
            continue
        if _type_checking_only(node, parents):
            continue
        for name in names:
            if not name.startswith("tashkent"):
                continue
            while name not in modules and "." in name:
                name = name.rsplit(".", 1)[0]
            if name in modules:
                out.add(name)
                break
    return out


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in (SRC / "tashkent").rglob("*.py")}
    mods = set(files)
    return {m: imports(p, mods) - {m} for m, p in files.items()}


def _cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_no_module_imports_from_a_later_layer():
    back = [
        f"{m} ({LAYERS[layer_of(m)][0]}) imports {t} ({LAYERS[layer_of(t)][0]})"
        for m, targets in sorted(graph().items())
        for t in sorted(targets)
        if layer_of(t) > layer_of(m) and (m, t) not in FACADES
    ]
    assert not back, "back-edges:\n" + "\n".join(back)


def test_no_import_cycles_between_modules():
    g = {m: {t for t in ts if (m, t) not in FACADES} for m, ts in graph().items()}
    # a package's __init__ is imported with any of its modules: not an edge of the data flow
    g = {m: {t for t in ts if not m.startswith(t + ".")} for m, ts in g.items()}
    assert not _cycles(g)


def test_no_import_cycles_between_packages():
    pkg: dict[str, set[str]] = {}
    for m, ts in graph().items():
        a = ".".join(m.split(".")[:2])
        for t in ts:
            b = ".".join(t.split(".")[:2])
            if a != b and (m, t) not in FACADES and not m.endswith(".commands") and a != "tashkent.cli":
                pkg.setdefault(a, set()).add(b)
    assert not _cycles(pkg)


def test_the_checker_sees_a_back_edge(tmp_path):
    """The checker itself: an import from the stepper's layer into the store is found."""
    f = tmp_path / "m.py"
    f.write_text("def f():\n    from tashkent.store.paths import atomic_write\n")
    assert imports(f, {"tashkent.store.paths", "tashkent.store"}) == {"tashkent.store.paths"}
    assert layer_of("tashkent.sim.step") < layer_of("tashkent.store.paths")
    assert _cycles({"a": {"b"}, "b": {"a"}}) == [["a", "b"]]
