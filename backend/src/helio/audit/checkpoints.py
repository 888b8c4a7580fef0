"""Signed checkpoints of the chain head (Ed25519).

A checkpoint states "the chain had `seq` events and its head was `head_hash`",
signed with a key the database does not hold. Whoever rewrites the tail of
the chain and its head together cannot re-sign the checkpoints, so the
verifier still finds the rewrite. The signing key comes from configuration
(`HELIO_AUDIT_SIGNING_KEY`, base64 of a 32-byte Ed25519 seed) or from a 0600
key file in the data directory, created at first use.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from helio.audit import repository
from helio.audit.chain import CHAIN
from helio.config import Settings
from helio.db import Database
from helio.kit.clock import clock, utcnow
from helio.models import AuditCheckpoint
from helio.security.files import KeyringError, locked, read_private_file, write_private_file

KEY_FILE_NAME = "audit-signing-key.json"
_FORMAT = "helio-audit-signing/1"


@dataclass(frozen=True)
class SigningKeys:
    """The key that signs new checkpoints and every public key that verifies old ones."""

    current_id: str
    private: Ed25519PrivateKey
    public: dict[str, Ed25519PublicKey]


def key_id(public: Ed25519PublicKey) -> str:
    """Return the fingerprint that names a public key."""
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "ed25519-" + hashlib.sha256(raw).hexdigest()[:16]


def public_key_text(public: Ed25519PublicKey) -> str:
    """Return the base64 raw public key (what an offline verifier is given)."""
    return base64.b64encode(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def load_public_key(text: str) -> Ed25519PublicKey:
    """Parse a base64 raw Ed25519 public key.

    Raises:
        ValueError: not base64 of 32 bytes.
    """
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except binascii.Error as exc:
        raise ValueError("not a base64 Ed25519 public key") from exc


def key_file(settings: Settings) -> Path:
    """Where the local signing key file lives."""
    return settings.data_dir / KEY_FILE_NAME


def load_signing_keys(settings: Settings) -> SigningKeys:
    """Return the configured signing key, or the key file's (created at first use).

    Raises:
        KeyringError: the key file is unsafe (mode, owner) or corrupt.
        ValueError: the configured key is not base64 of a 32-byte seed.
    """
    file_keys = _read_or_create(key_file(settings), create=not settings.audit_signing_key)
    public = {kid: load_public_key(entry["public"]) for kid, entry in file_keys["keys"].items()}
    if settings.audit_signing_key:
        private = _private_from_text(settings.audit_signing_key)
    else:
        private = _private_from_text(file_keys["keys"][file_keys["current"]]["private"])
    current = key_id(private.public_key())
    public[current] = private.public_key()
    return SigningKeys(current_id=current, private=private, public=public)


@dataclass(frozen=True)
class CurrentKey:
    """The key that signs new checkpoints: its id, where it comes from, and when it was made
    (known for key-file keys; a configured key carries no date)."""

    key_id: str
    configured: bool
    created_at: datetime | None


def current_signing_key(settings: Settings) -> CurrentKey | None:
    """Return the key that signs new checkpoints, or None before the first one (creates nothing).

    Raises:
        KeyringError: the key file is unsafe (mode, owner) or corrupt.
        ValueError: the configured key is not base64 of a 32-byte seed.
    """
    if settings.audit_signing_key:
        configured = _private_from_text(settings.audit_signing_key).public_key()
        return CurrentKey(key_id(configured), configured=True, created_at=None)
    data = _read_or_create(key_file(settings), create=False)
    if data["current"] is None:
        return None
    created = data["keys"][data["current"]].get("created_at")
    when = datetime.fromisoformat(created) if isinstance(created, str) else None
    return CurrentKey(data["current"], configured=False, created_at=when)


def verification_keys(settings: Settings) -> dict[str, Ed25519PublicKey]:
    """Return every public key that may have signed a checkpoint (creates nothing).

    Raises:
        KeyringError: the key file is unsafe or corrupt.
        ValueError: the configured key is malformed.
    """
    file_keys = _read_or_create(key_file(settings), create=False)
    public = {kid: load_public_key(entry["public"]) for kid, entry in file_keys["keys"].items()}
    if settings.audit_signing_key:
        configured = _private_from_text(settings.audit_signing_key).public_key()
        public[key_id(configured)] = configured
    return public


def rotate_signing_key(settings: Settings) -> str:
    """Make a new key current in the key file; old keys keep only their public half."""
    path = key_file(settings)
    with locked(path):
        data = _read_or_create(path, create=True)
        for entry in data["keys"].values():
            entry["private"] = None
        kid, entry = _new_entry()
        data["keys"][kid] = entry
        data["current"] = kid
        write_private_file(path, json.dumps(data, indent=2).encode(), exclusive=False)
    return kid


def checkpoint_message(seq: int, head_hash: str, kid: str, created_at: str) -> bytes:
    """Return the exact bytes a checkpoint signs."""
    body = {"v": 1, "chain": CHAIN, "seq": seq, "head": head_hash, "kid": kid, "at": created_at}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def checkpoint_is_valid(checkpoint: AuditCheckpoint, public: Ed25519PublicKey) -> bool:
    """Tell whether a stored checkpoint carries a valid signature by `public`.

    Args:
        checkpoint: the stored row.
        public: the key its `key_id` names.

    Returns:
        True only when the signature verifies over seq, head hash, key id and time.
    """
    created = checkpoint.created_at.isoformat(timespec="microseconds")
    message = checkpoint_message(checkpoint.seq, checkpoint.head_hash, checkpoint.key_id, created)
    try:
        public.verify(base64.b64decode(checkpoint.signature, validate=True), message)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


async def create_checkpoint(db: Database, keys: SigningKeys) -> AuditCheckpoint:
    """Sign the current chain head and store the checkpoint."""
    async with db.transaction() as session:
        seq, head_hash = await repository.read_head(session)
        created_at = utcnow()
        message = checkpoint_message(
            seq, head_hash, keys.current_id, created_at.isoformat(timespec="microseconds")
        )
        checkpoint = AuditCheckpoint(
            seq=seq,
            head_hash=head_hash,
            key_id=keys.current_id,
            signature=base64.b64encode(keys.private.sign(message)).decode(),
            created_at=created_at,
        )
        repository.add_checkpoint(session, checkpoint)
    return checkpoint


def _private_from_text(text: str) -> Ed25519PrivateKey:
    try:
        seed = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError("the audit signing key is not base64") from exc
    if len(seed) != 32:
        raise ValueError("the audit signing key must be a 32-byte Ed25519 seed")
    return Ed25519PrivateKey.from_private_bytes(seed)


def _new_entry() -> tuple[str, dict[str, Any]]:
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    entry = {
        "private": base64.b64encode(seed).decode(),
        "public": public_key_text(private.public_key()),
        "created_at": clock.now().isoformat(),
    }
    return key_id(private.public_key()), entry


def _read_or_create(path: Path, *, create: bool) -> dict[str, Any]:
    try:
        return _parse(read_private_file(path), path)
    except FileNotFoundError:
        if not create:
            return {"format": _FORMAT, "current": None, "keys": {}}
    with locked(path):
        try:
            return _parse(read_private_file(path), path)
        except FileNotFoundError:
            kid, entry = _new_entry()
            data = {"format": _FORMAT, "current": kid, "keys": {kid: entry}}
            write_private_file(path, json.dumps(data, indent=2).encode(), exclusive=True)
            return data


def _parse(raw: bytes, path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(raw)
        if data["format"] != _FORMAT or data["current"] not in data["keys"]:
            raise KeyringError(f"audit signing key file {path} is not valid")
        for entry in data["keys"].values():
            load_public_key(entry["public"])
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyringError(f"audit signing key file {path} is corrupt") from exc
    return data
