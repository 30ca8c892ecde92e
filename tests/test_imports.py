"""The engine's module graph: no import cycle, and render/ never reaches up to the scheduler.

The graph is read from the source with ``ast`` (every ``import`` anywhere in a module,
the ones inside functions included: a lazy import that closes a cycle is still a tangle),
so the test needs no GL and imports nothing.  ``from pkg import name`` depends on the
submodule ``pkg.name`` when there is one, else on ``pkg`` itself.
"""
from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "src" / "hepaanim"


def modules() -> dict[str, tuple[Path, bool]]:
    out = {}
    for p in PKG.rglob("*.py"):
        parts = list(p.relative_to(PKG.parent).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_pkg else parts)] = (p, is_pkg)
    return out


def import_graph() -> dict[str, set[str]]:
    mods = modules()

    def owner(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, (path, is_pkg) in mods.items():
        here = name.split(".") if is_pkg else name.split(".")[:-1]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = (".".join(here[:len(here) - node.level + 1] +
                                 ([node.module] if node.module else []))
                        if node.level else node.module or "")
                subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in mods]
                targets = subs + ([base] if len(subs) < len(node.names) else [])
            else:
                continue
            deps |= {m for m in map(owner, targets) if m and m != name}
        graph[name] = deps
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
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
    return out


def test_the_finder_sees_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_among_hepaanim_modules():
    graph = import_graph()
    assert "hepaanim.pipeline.chunked" in graph          # the walk found the package
    assert cycles(graph) == []


def test_render_never_imports_the_scheduler():
    """render/ draws frames; scheduling (pipeline/) is built on it, never the reverse."""
    graph = import_graph()
    bad = {m: sorted(d for d in deps if d.startswith("hepaanim.pipeline"))
           for m, deps in graph.items() if m.startswith("hepaanim.render")}
    assert {m: d for m, d in bad.items() if d} == {}
    assert not [m for m in graph if m.startswith("hepaanim.render.")
                and m.rpartition(".")[2] in ("parallel", "cluster")]
