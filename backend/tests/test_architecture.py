"""The import graph of `helio`: layers that only import downwards, and no cycles.

Built from the source with `ast`, so every import counts: module level, inside
functions, under TYPE_CHECKING. A package (or top-level module) of `helio` may
import from its own layer and the layers below it, never from a layer above,
and no two packages may depend on each other, directly or around a loop.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "helio"

# Lowest first. A new top-level package goes in the lowest layer its imports allow.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors",),  # AppError and the error envelope
    ("kit",),  # domain-free helpers: clock, ids, pagination, schemas, CPU pool
    ("config", "models", "metrics"),  # settings, ORM tables, the metrics registry
    ("db", "state"),  # engines and transactions; shared state, rate limits, the job queue
    ("security",),  # crypto, keys, vault, blind indexes, outbound client, XML, PoW
    ("logging",),  # structured logs (redaction comes from security)
    ("mail",),  # transport, templates, the outbox
    ("authz",),  # the permission matrix, the principal, access, scoping rules
    ("audit",),  # the hash-chained trail and its one write call
    ("alerts",),  # alert rules over committed audit events and their delivery
    ("platform",),  # App, Ctx, tunables, the personal-data entry type
    ("http",),  # middleware, error rendering, the dependencies every route uses
    ("auth",),  # accounts, sign-in, MFA, sessions, tokens; the route guard
    (
        "customers",
        "documents",
        "keys_admin",
        "leads",
        "ops",
        "orders",
        "payments",
        "quotes",
        "reports",
        "selfaudit",
        "sites",
        "staff",
    ),  # the domains
    ("worker",),  # the `helio worker` process: job families, the relay, schedules
    (
        "api",
        "cli",
        "commands",
        "dbgrants",
        "main",
        "personal_data",
        "preflight",
        "seed",
    ),  # composition
)
LAYER_OF = {name: index for index, names in enumerate(LAYERS) for name in names}
ROUTE_FILES = ("endpoints.py", "deps.py")


def top_level_units() -> set[str]:
    """Every package and top-level module of helio."""
    return {p.stem for p in SRC.iterdir() if p.suffix == ".py" and p.stem != "__init__"} | {
        p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    }


def imported_modules(path: Path) -> Iterator[str]:
    """Every module a file imports, absolute names (relative imports resolved)."""
    package = path.relative_to(SRC.parent).with_suffix("").parts[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def unit_of(module: str) -> str | None:
    """The top-level unit of a helio module name (None outside helio)."""
    parts = module.split(".")
    return parts[1] if parts[0] == "helio" and len(parts) > 1 else None


def unit_graph() -> dict[str, set[str]]:
    """Which top-level units each unit imports."""
    graph: dict[str, set[str]] = {unit: set() for unit in top_level_units()}
    for path in SRC.rglob("*.py"):
        source = unit_of(".".join(path.relative_to(SRC.parent).with_suffix("").parts))
        if source is None:
            continue
        for module in imported_modules(path):
            target = unit_of(module)
            if target is not None and target != source and target in graph:
                graph[source].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one unit (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Imports from a unit into a unit of a higher layer."""
    return [
        f"{source} (layer {LAYER_OF[source]}) imports {target} (layer {LAYER_OF[target]})"
        for source, targets in sorted(graph.items())
        for target in sorted(targets)
        if LAYER_OF[target] > LAYER_OF[source]
    ]


def test_every_unit_has_a_layer() -> None:
    assert top_level_units() - set(LAYER_OF) == set(), "place the new package in LAYERS"
    assert set(LAYER_OF) - top_level_units() == set(), "a layer names a unit that is gone"


def test_no_cycle_between_top_level_packages() -> None:
    assert cycles(unit_graph()) == []


def test_imports_only_run_down_the_layers() -> None:
    assert upward_imports(unit_graph()) == []


def test_a_cycle_and_an_upward_import_are_caught() -> None:
    graph = unit_graph()
    graph["kit"] = graph["kit"] | {"auth"}  # a helper reaching into a domain
    assert ["auth", "kit"] in [sorted(set(c) & {"auth", "kit"}) for c in cycles(graph)]
    assert "kit (layer 1) imports auth (layer 12)" in upward_imports(graph)


@pytest.mark.parametrize("framework", ["fastapi", "starlette"])
def test_the_web_framework_stays_in_the_route_layer(framework: str) -> None:
    """Below the routes, code takes a Ctx: only http/, endpoints.py, deps.py, api and main
    import FastAPI or Starlette."""
    offenders = []
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC)
        route_layer = (
            relative.parts[0] == "http"
            or path.name in ROUTE_FILES
            or str(relative) in {"api.py", "main.py"}
        )
        imports = {module.split(".")[0] for module in imported_modules(path)}
        if framework in imports and not route_layer:
            offenders.append(str(relative))
    assert offenders == []
