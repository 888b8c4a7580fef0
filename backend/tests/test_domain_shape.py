"""Every domain has the shape of docs/adding-a-domain.md.

A domain folder is one with an `endpoints.py`. In it: routes only in
`endpoints.py` (short, no queries, no repository); named guards and path
parameters only in `deps.py`; queries only in `repository.py`, with one
`visible(access)` rule when it scopes by caller; error classes only in
`exceptions.py`; schemas named `XCreate`/`XUpdate`/`XQuery` (inputs, on the
one strict base) and `XRead`/`XPage` (outputs); and everything a route calls
takes `(session, ctx, *, ...)` or `(ctx, *, ...)`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "helio"
INPUT_SUFFIXES = ("Create", "Update", "Query")
OUTPUT_SUFFIXES = ("Read", "Page")
MAX_ROUTE_LINES = 15
# Modules an endpoint may import that are not services of its domain.
NOT_SERVICES = ("schemas", "deps", "exceptions")


def domain_folders() -> list[Path]:
    """Every folder of helio that serves routes."""
    return sorted(path.parent for path in SRC.rglob("endpoints.py"))


def domain_id(folder: Path) -> str:
    return folder.relative_to(SRC).as_posix()


DOMAINS = pytest.mark.parametrize("folder", domain_folders(), ids=domain_id)
# Some folders only compose sub-routers or call other domains' services.
WITH_SCHEMAS = pytest.mark.parametrize(
    "folder", [f for f in domain_folders() if (f / "schemas.py").exists()], ids=domain_id
)
WITH_REPOSITORY = pytest.mark.parametrize(
    "folder", [f for f in domain_folders() if (f / "repository.py").exists()], ids=domain_id
)


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def modules(folder: Path) -> Iterator[Path]:
    """The domain's own modules (not those of its sub-domains)."""
    return (path for path in sorted(folder.glob("*.py")))


def calls(tree: ast.AST, name: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) == name or getattr(node.func, "attr", None) == name)
    ]


def routes(tree: ast.Module) -> list[ast.AsyncFunctionDef]:
    """The route functions: those with a router decorator."""
    return [
        node
        for node in tree.body
        if isinstance(node, ast.AsyncFunctionDef)
        and any(
            isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
            for d in node.decorator_list
        )
    ]


def body_lines(function: ast.AsyncFunctionDef | ast.FunctionDef) -> int:
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    return 0 if not body else (body[-1].end_lineno or 0) - body[0].lineno + 1


@DOMAINS
def test_endpoints_hold_short_routes_and_a_router(folder: Path) -> None:
    tree = parse(folder / "endpoints.py")
    names = {
        t.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    assert "router" in names
    long = [f.name for f in routes(tree) if body_lines(f) > MAX_ROUTE_LINES]
    assert long == [], f"routes over {MAX_ROUTE_LINES} lines: parse, one service call, return"
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not any(m.endswith(".repository") for m in imported), "routes call services"
    assert calls(tree, "select") == []


@DOMAINS
def test_guards_and_path_parameters_only_in_deps(folder: Path) -> None:
    offenders = []
    for path in modules(folder):
        if path.name == "deps.py":
            continue
        tree = parse(path)
        offenders += [f"{path.name}:{line} require()" for line in calls(tree, "require")]
        offenders += [f"{path.name}:{line} Path()" for line in calls(tree, "Path")]
    assert offenders == []


@DOMAINS
def test_error_classes_only_in_exceptions(folder: Path) -> None:
    errors = {"AppError", "BadRequest", "Unauthenticated", "Forbidden", "NotFound", "Conflict"}
    errors |= {"PayloadTooLarge", "UnsupportedMediaType", "ValidationFailed", "RateLimited"}
    errors |= {"ServiceUnavailable", "StepUpRequired"}
    offenders = []
    for path in modules(folder):
        if path.name == "exceptions.py":
            continue
        for node in ast.walk(parse(path)):
            if isinstance(node, ast.ClassDef):
                bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                if bases & errors:
                    offenders.append(f"{path.name}: {node.name}")
    assert offenders == [], "error classes go to exceptions.py"


@WITH_SCHEMAS
def test_schemas_follow_the_naming_and_the_strict_base(folder: Path) -> None:
    path = folder / "schemas.py"
    offenders = []
    for node in parse(path).body:
        if not isinstance(node, ast.ClassDef):
            continue
        bases = {ast.unparse(b) for b in node.bases}
        if bases & {"StrEnum", "Enum"}:
            continue
        if node.name.endswith(INPUT_SUFFIXES):
            strict = "StrictInput" in bases or any(b.endswith(INPUT_SUFFIXES) for b in bases)
            if not strict:
                offenders.append(f"{node.name}: inputs subclass kit.schemas.StrictInput")
        elif node.name.endswith(OUTPUT_SUFFIXES):
            if "StrictInput" in bases:
                offenders.append(f"{node.name}: outputs are not inputs")
        else:
            offenders.append(f"{node.name}: name it XCreate/XUpdate/XQuery or XRead/XPage")
    assert offenders == []


@WITH_REPOSITORY
def test_a_scoped_repository_has_one_visible_rule(folder: Path) -> None:
    path = folder / "repository.py"
    functions = {
        node.name: node
        for node in parse(path).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    scoped = [
        name
        for name, node in functions.items()
        if any(a.arg == "access" for a in node.args.args) and name != "visible"
    ]
    if scoped:
        assert "visible" in functions, f"{scoped} scope by caller: define visible(access)"
        visible = functions["visible"]
        assert [a.arg for a in visible.args.args] == ["access"]


def route_called_modules(folder: Path) -> list[Path]:
    """The helio modules an endpoints.py imports to call, beyond schemas, deps, exceptions."""
    found = []
    for node in ast.walk(parse(folder / "endpoints.py")):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("helio."):
            continue
        assert node.module is not None
        names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        for name in names:
            parts = name.split(".")[1:]
            if parts[0] in {"http", "kit", "security", "errors", "platform"}:
                continue
            if parts[-1] in NOT_SERVICES or parts[-1] == "endpoints":
                continue
            candidate = SRC.joinpath(*parts).with_suffix(".py")
            if candidate.exists() and candidate.parent.joinpath("endpoints.py").exists():
                found.append(candidate)
    return sorted(set(found))


@DOMAINS
def test_what_routes_call_takes_session_and_ctx(folder: Path) -> None:
    offenders = []
    for path in route_called_modules(folder):
        for node in parse(path).body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if node.name.startswith("_"):
                continue
            positional = [a.arg for a in node.args.args]
            keyword = [a.arg for a in node.args.kwonlyargs]
            takes = set(positional) | set(keyword)
            where = f"{path.relative_to(SRC)}:{node.name}{tuple(positional)}"
            if not takes & {"ctx", "session"}:
                if isinstance(node, ast.AsyncFunctionDef):
                    offenders.append(f"{where}: a service takes a ctx")
                continue  # a pure helper (a read model, a rule)
            if positional not in (["session", "ctx"], ["ctx"]):
                offenders.append(f"{where}: (session, ctx, *, ...) or (ctx, *, ...)")
    assert offenders == []


def test_every_domain_is_found() -> None:
    found = {domain_id(folder) for folder in domain_folders()}
    assert {"sites", "quotes", "customers", "staff/grants", "auth/mfa", "ops/audit"} <= found
