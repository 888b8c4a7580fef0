"""Server-side keys of the auth layer: HMAC subkeys and the JWT signing key set.

HMAC keys (CSRF tokens, proof-of-work challenges, lockout counters) are HKDF
subkeys of HELIO_SECRET_KEY, or named keyring secrets when none is set
(development). The Ed25519 signing keys live in a file next to the keyring,
envelope-encrypted under a data key wrapped by the configured KeyProvider
(local keyring or KMS), so a copy of the file alone reveals nothing. Every
replica mounts the same file; a rotation done by one is picked up by the
others within RELOAD_SECONDS.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from helio.auth.jwt_keys import SigningKeySet
from helio.kit.clock import clock
from helio.security.files import locked, read_private_file, write_private_file
from helio.security.keys.types import KeyProvider, WrappedKey
from helio.services import Services

AUDIENCE = "helio-api"
KEYFILE_NAME = "jwt-signing-keys.json"
KEYFILE_FORMAT = "helio-jwt-keyfile/1"
RELOAD_SECONDS = 30
_WRAP_CONTEXT = {"purpose": "jwt-signing-keys"}
_AAD = b"helio/jwt-signing-keys/v1"
_HMAC_PREFIX = "auth_hmac:"
_SIGNING = "auth_signing_keys"
_SIGNING_LOCK = "auth_signing_lock"


def hmac_key(services: Services, purpose: str) -> bytes:
    """Return the 32-byte HMAC key for one purpose ("csrf", "pow", "lockout"), cached.

    Args:
        services: the app services (settings and keyring).
        purpose: lowercase name; different purposes get unrelated keys.

    Returns:
        The key; derived with HKDF-SHA256 from HELIO_SECRET_KEY when set, else a keyring secret.
    """
    cache_key = _HMAC_PREFIX + purpose
    cached = services.extras.get(cache_key)
    if isinstance(cached, bytes):
        return cached
    secret = services.settings.secret_key
    if secret:
        hkdf = HKDF(hashes.SHA256(), 32, salt=None, info=b"helio/auth/" + purpose.encode())
        key = hkdf.derive(secret.encode("utf-8"))
    else:
        key = services.keyring.secret(f"auth-{purpose}")
    services.extras[cache_key] = key
    return key


@dataclass
class _Loaded:
    keys: SigningKeySet
    mtime_ns: int
    checked_at: float


def keyfile_path(services: Services) -> Path:
    """Return where the signing key set is stored."""
    return services.settings.effective_keyring_path.with_name(KEYFILE_NAME)


async def signing_keys(services: Services) -> SigningKeySet:
    """Return the JWT signing key set, loading or creating its file on first use.

    Raises:
        KeyringError: the key file is unsafe (permissions, owner) or corrupt.
    """
    loaded = services.extras.get(_SIGNING)
    now = clock.timestamp()
    if isinstance(loaded, _Loaded) and now - loaded.checked_at < RELOAD_SECONDS:
        return loaded.keys
    lock = services.extras.setdefault(_SIGNING_LOCK, asyncio.Lock())
    async with lock:
        loaded = services.extras.get(_SIGNING)
        if isinstance(loaded, _Loaded) and now - loaded.checked_at < RELOAD_SECONDS:
            return loaded.keys
        fresh = await asyncio.to_thread(_load_or_create, services, loaded)
        services.extras[_SIGNING] = fresh
        return fresh.keys


async def rotate_signing_keys(services: Services) -> str:
    """Make a new current signing key; the previous one keeps verifying for its grace period.

    Returns:
        The kid of the new key.
    """
    keys = await asyncio.to_thread(_rotate_file, services)
    services.extras[_SIGNING] = _Loaded(keys, _mtime(keyfile_path(services)), clock.timestamp())
    return keys.current.kid


def _issuer(services: Services) -> str:
    return services.settings.public_url.rstrip("/")


def _load_or_create(services: Services, previous: _Loaded | None) -> _Loaded:
    path = keyfile_path(services)
    mtime = _mtime(path)
    if previous is not None and mtime == previous.mtime_ns:
        return _Loaded(previous.keys, mtime, clock.timestamp())
    if mtime < 0:
        with locked(path):
            if _mtime(path) < 0:
                keys = SigningKeySet.generate(issuer=_issuer(services), audience=AUDIENCE)
                _write(path, services.keys, keys, exclusive=True)
    path_mtime = _mtime(path)
    return _Loaded(_read(path, services), path_mtime, clock.timestamp())


def _rotate_file(services: Services) -> SigningKeySet:
    path = keyfile_path(services)
    with locked(path):
        if _mtime(path) < 0:
            keys = SigningKeySet.generate(issuer=_issuer(services), audience=AUDIENCE)
        else:
            keys = _read(path, services)
            keys.rotate()
        _write(path, services.keys, keys, exclusive=False)
    return keys


def _mtime(path: Path) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return -1


def _read(path: Path, services: Services) -> SigningKeySet:
    document = json.loads(read_private_file(path))
    if document.get("format") != KEYFILE_FORMAT:
        raise ValueError(f"{path} is not a {KEYFILE_FORMAT} document")
    wrapped = WrappedKey.from_bytes(base64.b64decode(document["wrapped_key"]))
    data_key = services.keys.unwrap(wrapped, context=_WRAP_CONTEXT)
    nonce = base64.b64decode(document["nonce"])
    plain = AESGCM(data_key).decrypt(nonce, base64.b64decode(document["ciphertext"]), _AAD)
    return SigningKeySet.from_json(
        plain.decode("utf-8"), issuer=_issuer(services), audience=AUDIENCE
    )


def _write(path: Path, provider: KeyProvider, keys: SigningKeySet, *, exclusive: bool) -> None:
    data_key, wrapped = provider.generate_data_key(_WRAP_CONTEXT)
    nonce = secrets.token_bytes(12)
    ciphertext = AESGCM(data_key).encrypt(nonce, keys.to_json().encode("utf-8"), _AAD)
    document = {
        "format": KEYFILE_FORMAT,
        "wrapped_key": base64.b64encode(wrapped.to_bytes()).decode("ascii"),
        "nonce": base64.b64encode(nonce).decode("ascii"),
        "ciphertext": base64.b64encode(ciphertext).decode("ascii"),
    }
    write_private_file(path, json.dumps(document).encode("utf-8"), exclusive=exclusive)
