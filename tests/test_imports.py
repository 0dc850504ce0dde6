"""The package's import graph has no circle, counting imports inside functions too, module by
module (`from a.b import c` depends on a.b, or on a.b.c when that is a module)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "fer_core"


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name in modules}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module in modules:
                subs = {f"{node.module}.{a.name}" for a in node.names} & modules.keys()
                deps |= subs or {node.module}
        graph[name] = deps - {name}
    return graph


def find_circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle of the graph (a list of modules ending where it began), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for d in sorted(graph.get(m, ())):
            if state.get(d) == 1:
                return path[path.index(d) :] + [d]
            if d not in state and (found := visit(d)):
                return found
        path.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_the_checker_finds_a_circle():
    assert find_circle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_circle({"a": {"b"}, "b": set()}) is None


def test_fer_core_has_no_import_circle():
    graph = import_graph()
    assert "fer_core.train.session" in graph and "fer_core.train.executor_settings" in graph["fer_core.train.session"]
    assert find_circle(graph) is None, " -> ".join(find_circle(graph))


# The layers, lowest first (docs/ARCHITECTURE.md): a package imports only from its own layer or below.
# The face pipeline is low; its live loop classifies faces with the handle, so it sits beside it.
LAYERS = (
    ("fer_core.data", "fer_core.models", "fer_core.faces"),
    ("fer_core.train",),
    ("fer_core.evaluate",),
    ("fer_core.handle", "fer_core.faces.live"),
    ("fer_core.executor",),
)


def _layer(module: str) -> int | None:
    """The layer of the longest package name that holds `module`."""
    held = [(len(n), i) for i, names in enumerate(LAYERS) for n in names if module == n or module.startswith(n + ".")]
    return max(held)[1] if held else None


def test_no_import_points_up_a_layer():
    """Training never imports the handle or the executors, evaluation never the handle (issue 42
    lifted the last two: predict_split went to the handle, the executor settings below train)."""
    up = [
        f"{m} -> {d}"
        for m, deps in import_graph().items()
        for d in deps
        if _layer(m) is not None and _layer(d) is not None and _layer(d) > _layer(m)
    ]
    assert up == [], up
