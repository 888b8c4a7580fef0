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

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from helio.kit.clock import clock
from helio.security.crypto import DecryptionError
from helio.security.files import locked, read_private_file, write_private_file
from helio.security.jwt_keys import SigningKeySet
from helio.security.keys.local import LocalKeyProvider
from helio.security.keys.types import KeyProvider, WrappedKey

AUDIENCE = "helio-api"
KEYFILE_NAME = "jwt-signing-keys.json"
KEYFILE_FORMAT = "helio-jwt-keyfile/1"
RELOAD_SECONDS = 30
_WRAP_CONTEXT = {"purpose": "jwt-signing-keys"}
_AAD = b"helio/jwt-signing-keys/v1"


@dataclass
class _Loaded:
    keys: SigningKeySet
    mtime_ns: int
    checked_at: float


class ServerKeys:
    """The HMAC subkeys and the JWT signing key set of one app, cached after first use."""

    def __init__(
        self,
        *,
        secret_key: str,
        keyring: LocalKeyProvider,
        provider: KeyProvider,
        keyfile: Path,
        issuer: str,
    ) -> None:
        self._secret_key = secret_key
        self._keyring = keyring
        self._provider = provider
        self.keyfile = keyfile
        self._issuer = issuer.rstrip("/")
        self._hmac: dict[str, bytes] = {}
        self._signing: _Loaded | None = None
        self._lock = asyncio.Lock()

    def hmac(self, purpose: str) -> bytes:
        """Return the 32-byte HMAC key for one purpose ("csrf", "pow", "lockout"), cached.

        Args:
            purpose: lowercase name; different purposes get unrelated keys.

        Returns:
            The key; derived with HKDF-SHA256 from HELIO_SECRET_KEY when set, else a keyring
            secret.
        """
        cached = self._hmac.get(purpose)
        if cached is not None:
            return cached
        if self._secret_key:
            hkdf = HKDF(hashes.SHA256(), 32, salt=None, info=b"helio/auth/" + purpose.encode())
            key = hkdf.derive(self._secret_key.encode("utf-8"))
        else:
            key = self._keyring.secret(f"auth-{purpose}")
        self._hmac[purpose] = key
        return key

    async def signing(self) -> SigningKeySet:
        """Return the JWT signing key set, loading or creating its file on first use.

        Raises:
            KeyringError: the key file is unsafe (permissions, owner) or corrupt.
        """
        now = clock.timestamp()
        loaded = self._signing
        if loaded is not None and now - loaded.checked_at < RELOAD_SECONDS:
            return loaded.keys
        async with self._lock:
            loaded = self._signing
            if loaded is not None and now - loaded.checked_at < RELOAD_SECONDS:
                return loaded.keys
            fresh = await asyncio.to_thread(self._load_or_create, loaded)
            self._signing = fresh
            return fresh.keys

    async def stored_signing(self) -> SigningKeySet | None:
        """Return the signing key set as stored, or None before its first use (creates nothing).

        Raises:
            KeyringError: the key file is unsafe (permissions, owner).
            ValueError: the key file is corrupt.
            DecryptionError: its wrapped key or ciphertext does not decrypt (KEK gone).
        """
        if _mtime(self.keyfile) < 0:
            return None
        return await asyncio.to_thread(self._read)

    async def rotate_signing(self) -> str:
        """Make a new current signing key; the previous one keeps verifying for its grace period.

        Returns:
            The kid of the new key.
        """
        keys = await asyncio.to_thread(self._rotate_file)
        self._signing = _Loaded(keys, _mtime(self.keyfile), clock.timestamp())
        return keys.current.kid

    async def reseal(self) -> bool:
        """Re-encrypt the key file under a data key wrapped by the current KEK.

        A KEK rotation calls this before it retires the old KEKs: a file still wrapped
        by a retired KEK could no longer be read, and nobody could sign in.

        Returns:
            False when there is no key file yet (nothing to reseal).
        """
        resealed = await asyncio.to_thread(self._reseal_file)
        if resealed is not None:
            self._signing = _Loaded(resealed, _mtime(self.keyfile), clock.timestamp())
        return resealed is not None

    def _reseal_file(self) -> SigningKeySet | None:
        with locked(self.keyfile):
            if _mtime(self.keyfile) < 0:
                return None
            keys = self._read()
            self._write(keys, exclusive=False)
            return keys

    def _load_or_create(self, previous: _Loaded | None) -> _Loaded:
        path = self.keyfile
        mtime = _mtime(path)
        if previous is not None and mtime == previous.mtime_ns:
            return _Loaded(previous.keys, mtime, clock.timestamp())
        if mtime < 0:
            with locked(path):
                if _mtime(path) < 0:
                    keys = SigningKeySet.generate(issuer=self._issuer, audience=AUDIENCE)
                    self._write(keys, exclusive=True)
        return _Loaded(self._read(), _mtime(path), clock.timestamp())

    def _rotate_file(self) -> SigningKeySet:
        with locked(self.keyfile):
            if _mtime(self.keyfile) < 0:
                keys = SigningKeySet.generate(issuer=self._issuer, audience=AUDIENCE)
            else:
                keys = self._read()
                keys.rotate()
            self._write(keys, exclusive=False)
        return keys

    def _read(self) -> SigningKeySet:
        path = self.keyfile
        document = json.loads(read_private_file(path))
        if document.get("format") != KEYFILE_FORMAT:
            raise ValueError(f"{path} is not a {KEYFILE_FORMAT} document")
        wrapped = WrappedKey.from_bytes(base64.b64decode(document["wrapped_key"]))
        data_key = self._provider.unwrap(wrapped, context=_WRAP_CONTEXT)
        nonce = base64.b64decode(document["nonce"])
        try:
            plain = AESGCM(data_key).decrypt(nonce, base64.b64decode(document["ciphertext"]), _AAD)
        except InvalidTag as exc:
            raise DecryptionError() from exc
        return SigningKeySet.from_json(
            plain.decode("utf-8"), issuer=self._issuer, audience=AUDIENCE
        )

    def _write(self, keys: SigningKeySet, *, exclusive: bool) -> None:
        data_key, wrapped = self._provider.generate_data_key(_WRAP_CONTEXT)
        nonce = secrets.token_bytes(12)
        ciphertext = AESGCM(data_key).encrypt(nonce, keys.to_json().encode("utf-8"), _AAD)
        document = {
            "format": KEYFILE_FORMAT,
            "wrapped_key": base64.b64encode(wrapped.to_bytes()).decode("ascii"),
            "nonce": base64.b64encode(nonce).decode("ascii"),
            "ciphertext": base64.b64encode(ciphertext).decode("ascii"),
        }
        write_private_file(self.keyfile, json.dumps(document).encode("utf-8"), exclusive=exclusive)


def keyfile_for(keyring_path: Path) -> Path:
    """Return where the signing key set is stored: next to the keyring."""
    return keyring_path.with_name(KEYFILE_NAME)


def _mtime(path: Path) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return -1
