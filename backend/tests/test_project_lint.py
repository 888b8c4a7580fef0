"""The project linter of CONVENTIONS.md, as a test: structural rules no reviewer should miss."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "helio"

# Modules that are repositories by nature though not named so (with the reason).
QUERY_MODULES = {
    "security/data_keys.py",  # the repository of wrapped data keys
    "authz/scoping.py",  # builds the visibility conditions repositories apply
}


def sources() -> list[tuple[str, str]]:
    return [
        (path.relative_to(SRC).as_posix(), path.read_text(encoding="utf-8"))
        for path in sorted(SRC.rglob("*.py"))
    ]


def _calls(tree: ast.AST, name: str) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called == name:
                lines.append(node.lineno)
    return lines


@pytest.mark.asvs("V1.2.4")
def test_queries_only_in_repositories() -> None:
    offenders = []
    for name, text in sources():
        if name.endswith("repository.py") or name in QUERY_MODULES or "/repository/" in name:
            continue
        tree = ast.parse(text)
        offenders += [f"{name}:{line}" for line in _calls(tree, "select")]
        if name != "db.py":
            offenders += [f"{name}:{line}" for line in _calls(tree, "text")]
    assert offenders == [], "select()/text() outside repositories"


def test_commit_only_in_db_module() -> None:
    offenders = [
        f"{name}:{line}"
        for name, text in sources()
        if name != "db.py"
        for line in _calls(ast.parse(text), "commit")
    ]
    assert offenders == []


ROLE_CHECK = re.compile(
    r"Role\.[A-Z]+ (not )?in |(not )?in [a-z_.]*\.roles\b|== *Role\.|Role\.[A-Z]+ *=="
)


def test_role_comparisons_only_in_authz() -> None:
    offenders = []
    for name, text in sources():
        if name.startswith("authz/") or name.endswith("repository.py"):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if ROLE_CHECK.search(line):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert offenders == [], "decide permissions in authz/, not by comparing roles"


DANGEROUS = re.compile(
    r"^\s*(import pickle|from pickle|import marshal|import shelve)|\beval\(|\bexec\(|"
    r"yaml\.load\(|shell\s*=\s*True|os\.system\(|"
    r"^\s*(import|from) (lxml|xml\.etree|xml\.dom|xml\.sax)"
)


@pytest.mark.asvs("V1.3.2", "V1.5.2")
def test_no_unsafe_deserialisation_eval_shell_or_raw_xml() -> None:
    offenders = []
    for name, text in sources():
        for number, line in enumerate(text.splitlines(), 1):
            if DANGEROUS.search(line) and name != "security/xml.py":
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert offenders == []


def test_sql_is_never_built_from_strings() -> None:
    pattern = re.compile(r"""(execute|text)\(\s*f["']""")
    offenders = [name for name, text in sources() if pattern.search(text)]
    assert offenders == []
