"""Scans of the Python sources for dangerous calls: shells, weak cipher modes and weak hashes.

Every module of the application (src/) and of the project tools (tools/) is parsed; a call is
found by its dotted name, whatever the import alias.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parents[2]
SOURCES = sorted(path for folder in ("src", "tools") for path in (BACKEND / folder).rglob("*.py"))
WEAK_HASHES = {"md5", "sha1", "md4", "sha", "ripemd160"}


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Map each imported name to its full dotted name (`from os import system as s`)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.expr, aliases: dict[str, str]) -> str:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(aliases.get(node.id, node.id))
    return ".".join(reversed(parts))


def _names(path: Path) -> Iterator[tuple[Path, int, str, ast.AST]]:
    """Yield every dotted name used in a module (calls and plain references)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    aliases = _aliases(tree)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Attribute, ast.Name)):
            yield path, node.lineno, _dotted(node, aliases), node
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                yield path, node.lineno, f"{node.module}.{alias.name}", node


def _calls(path: Path) -> Iterator[tuple[Path, ast.Call, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    aliases = _aliases(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield path, node, _dotted(node.func, aliases)


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(BACKEND)}:{line}"


def test_the_scan_sees_the_sources() -> None:
    assert len(SOURCES) > 100
    found = {name for path in SOURCES for _, _, name, _ in _names(path)}
    # The scanner resolves aliases: names the code really uses are found.
    assert "cryptography.hazmat.primitives.ciphers.aead.AESGCM" in found
    assert "subprocess.run" in found


@pytest.mark.asvs("V1.2.5")
def test_no_shell_and_subprocesses_take_argument_lists() -> None:
    shells = {"os.system", "os.popen", "os.execl", "os.execlp", "os.spawnl", "os.spawnlp"}
    shells |= {"subprocess.getoutput", "subprocess.getstatusoutput"}
    shells |= {"asyncio.create_subprocess_shell", "commands.getoutput"}
    spawners = {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "asyncio.create_subprocess_exec",
    }
    bad = []
    for path in SOURCES:
        for _, call, name in _calls(path):
            if name in shells:
                bad.append(f"{_where(path, call.lineno)} {name}")
            if name in spawners:
                shell = [k for k in call.keywords if k.arg == "shell"]
                if shell and not (
                    isinstance(shell[0].value, ast.Constant) and shell[0].value.value is False
                ):
                    bad.append(f"{_where(path, call.lineno)} {name}(shell=...)")
                first = call.args[0] if call.args else None
                # A command line as one string goes through a shell (or its parsing).
                if isinstance(first, (ast.Constant, ast.JoinedStr, ast.BinOp)):
                    bad.append(f"{_where(path, call.lineno)} {name} with a string command")
    assert bad == []


@pytest.mark.asvs("V11.3.1")
def test_no_ecb_mode_and_no_pkcs1_v15_encryption_padding() -> None:
    forbidden = {
        "cryptography.hazmat.primitives.ciphers.modes.ECB",
        "cryptography.hazmat.primitives.asymmetric.padding.PKCS1v15",
        "Crypto.Cipher.AES.MODE_ECB",
        "Cryptodome.Cipher.AES.MODE_ECB",
        "Crypto.Cipher.PKCS1_v1_5",
    }
    bad = [
        f"{_where(path, line)} {name}"
        for path in SOURCES
        for _, line, name, _ in _names(path)
        if name in forbidden or name.endswith((".ECB", ".MODE_ECB", ".PKCS1v15", ".PKCS1_v1_5"))
    ]
    assert bad == []


@pytest.mark.asvs("V11.4.1")
def test_no_md5_or_sha1_for_security() -> None:
    bad = []
    for path in SOURCES:
        for _, call, name in _calls(path):
            weak = None
            if name.startswith("hashlib.") and name.split(".")[-1] in WEAK_HASHES:
                weak = name
            elif name in {"hashlib.new", "hmac.new", "hmac.digest", "hashlib.pbkdf2_hmac"}:
                for arg in [*call.args, *(k.value for k in call.keywords)]:
                    if isinstance(arg, ast.Constant) and str(arg.value).lower() in WEAK_HASHES:
                        weak = f"{name}({arg.value!r})"
            elif name.startswith("cryptography.hazmat.primitives.hashes.") and name.split(".")[
                -1
            ] in {"MD5", "SHA1"}:
                weak = name
            not_for_security = any(
                k.arg == "usedforsecurity"
                and isinstance(k.value, ast.Constant)
                and k.value.value is False
                for k in call.keywords
            )
            if weak and not not_for_security:
                bad.append(f"{_where(path, call.lineno)} {weak}")
        for _, line, name, _ in _names(path):
            if name.startswith(("hmac.", "jwt.")) and name.split(".")[-1] in {"md5", "sha1"}:
                bad.append(f"{_where(path, line)} {name}")
    assert bad == []


# The vetted implementations Helio's cryptography comes from (docs/dependencies.md).
VETTED_CRYPTO = ("cryptography", "argon2", "jwt", "pyotp", "webauthn", "hashlib", "hmac", "secrets")
HOMEGROWN_OR_UNVETTED = ("Crypto", "Cryptodome", "rsa", "pyaes", "ecdsa", "simplecrypt", "tinyec")


@pytest.mark.asvs("V11.2.1")
def test_cryptography_comes_only_from_vetted_libraries() -> None:
    used: set[str] = set()
    bad = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            modules: list[str] = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules = [node.module]
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in HOMEGROWN_OR_UNVETTED:
                    bad.append(f"{_where(path, node.lineno)} imports {module}")
                if top in VETTED_CRYPTO:
                    used.add(top)
    assert bad == []
    # Ciphers, signatures, password hashing and one-time codes do come from them.
    assert {"cryptography", "argon2", "jwt", "pyotp", "webauthn"} <= used
