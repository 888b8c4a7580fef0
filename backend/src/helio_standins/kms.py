"""A stand-in for the AWS KMS client, for tests and offline demos.

AWS KMS cannot be reached from this environment (no internet, no AWS account),
so `FakeKmsClient` implements the subset of the boto3 KMS client Helio uses —
`encrypt`, `decrypt`, `generate_data_key`, `describe_key` plus key management
(`create_key`, `create_alias`, `enable_key`, `disable_key`,
`rotate_key_on_demand`) — with the same parameters, response fields and error
classes (botocore `ClientError` subclasses from the real KMS service model,
reachable as `client.exceptions.<Name>`). It is selected with
`HELIO_KEY_PROVIDER=aws-kms` plus `HELIO_KMS_STANDIN=true`, which production
settings refuse. Key material is AES-256-GCM under keys kept in memory or in a
mode-0600 state file; it gives none of the guarantees of an HSM.
"""

from __future__ import annotations

import base64
import json
import secrets
import struct
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
from botocore.errorfactory import BaseClientExceptions, ClientExceptionsFactory
from botocore.exceptions import ClientError, ParamValidationError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from helio.security.files import canonical_json, locked, read_private_file, write_private_file

STANDIN_ALIAS = "alias/helio-standin"
_ACCOUNT = "000000000000"
_BLOB_HEADER = struct.Struct(">B36sI")
_BLOB_FORMAT = 1
_NONCE = 12
_KEY_SPECS = {"AES_256": 32, "AES_128": 16}


@cache
def _kms_exceptions() -> BaseClientExceptions:
    """Build the modeled KMS exception classes from botocore's bundled service model."""
    model = botocore.session.get_session().get_service_model("kms")
    return ClientExceptionsFactory().create_client_exceptions(model)


class FakeKmsClient:
    """An in-process KMS with symmetric keys, key versions (rotation) and enable/disable."""

    def __init__(self, *, state_path: Path | None = None, region: str = "eu-west-1") -> None:
        self.exceptions = _kms_exceptions()
        self._region = region
        self._state_path = state_path
        self._lock = threading.RLock()
        self._keys: dict[str, dict[str, Any]] = {}
        self._aliases: dict[str, str] = {}
        self._reload()

    def create_key(self, **_: Any) -> dict[str, Any]:
        """Create a symmetric encryption key and return its KeyMetadata."""
        key_id = str(uuid.uuid4())
        with self._transaction():
            self._keys[key_id] = {"enabled": True, "versions": [_material()]}
        return {"KeyMetadata": self._metadata(key_id)}

    def create_alias(self, *, AliasName: str, TargetKeyId: str) -> dict[str, Any]:  # noqa: N803
        """Point an alias ("alias/…") at a key."""
        if not AliasName.startswith("alias/"):
            raise self._error("InvalidAliasNameException", "CreateAlias", "bad alias name")
        with self._transaction():
            key_id = self._resolve(TargetKeyId, "CreateAlias")
            if AliasName in self._aliases:
                raise self._error("AlreadyExistsException", "CreateAlias", "alias exists")
            self._aliases[AliasName] = key_id
        return {}

    def ensure_alias(self, alias: str) -> str:
        """Stand-in only: return the key behind `alias`, creating both if absent."""
        with self._transaction():
            if alias not in self._aliases:
                key_id = str(uuid.uuid4())
                self._keys[key_id] = {"enabled": True, "versions": [_material()]}
                self._aliases[alias] = key_id
            return self._aliases[alias]

    def describe_key(self, *, KeyId: str) -> dict[str, Any]:  # noqa: N803
        """Return KeyMetadata (KeyId, Arn, Enabled, KeyState, KeySpec)."""
        return {"KeyMetadata": self._metadata(self._resolve(KeyId, "DescribeKey"))}

    def disable_key(self, *, KeyId: str) -> dict[str, Any]:  # noqa: N803
        """Disable a key: every cryptographic call with it then fails."""
        self._set_enabled(KeyId, enabled=False)
        return {}

    def enable_key(self, *, KeyId: str) -> dict[str, Any]:  # noqa: N803
        """Enable a disabled key."""
        self._set_enabled(KeyId, enabled=True)
        return {}

    def rotate_key_on_demand(self, *, KeyId: str) -> dict[str, Any]:  # noqa: N803
        """Add new key material; old ciphertexts still decrypt (like KMS rotation)."""
        with self._transaction():
            key_id = self._resolve(KeyId, "RotateKeyOnDemand")
            self._keys[key_id]["versions"].append(_material())
        return {"KeyId": key_id}

    def encrypt(
        self,
        *,
        KeyId: str,  # noqa: N803
        Plaintext: bytes,  # noqa: N803
        EncryptionContext: Mapping[str, str] | None = None,  # noqa: N803
        EncryptionAlgorithm: str = "SYMMETRIC_DEFAULT",  # noqa: N803
    ) -> dict[str, Any]:
        """Encrypt up to 4096 bytes under the key's newest material."""
        _check_params(Plaintext, EncryptionContext, EncryptionAlgorithm)
        key_id = self._usable(KeyId, "Encrypt")
        blob = self._seal(key_id, Plaintext, EncryptionContext or {})
        return {
            "CiphertextBlob": blob,
            "KeyId": self._arn(key_id),
            "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        }

    def generate_data_key(
        self,
        *,
        KeyId: str,  # noqa: N803
        KeySpec: str = "AES_256",  # noqa: N803
        EncryptionContext: Mapping[str, str] | None = None,  # noqa: N803
    ) -> dict[str, Any]:
        """Return a random data key in plaintext and encrypted under the key."""
        if KeySpec not in _KEY_SPECS:
            raise ParamValidationError(report=f"Invalid KeySpec {KeySpec!r}")
        plaintext = secrets.token_bytes(_KEY_SPECS[KeySpec])
        response = self.encrypt(
            KeyId=KeyId, Plaintext=plaintext, EncryptionContext=EncryptionContext
        )
        return {
            "CiphertextBlob": response["CiphertextBlob"],
            "Plaintext": plaintext,
            "KeyId": response["KeyId"],
        }

    def decrypt(
        self,
        *,
        CiphertextBlob: bytes,  # noqa: N803
        EncryptionContext: Mapping[str, str] | None = None,  # noqa: N803
        KeyId: str | None = None,  # noqa: N803
        EncryptionAlgorithm: str = "SYMMETRIC_DEFAULT",  # noqa: N803
    ) -> dict[str, Any]:
        """Decrypt a blob from `encrypt`; the context must match exactly."""
        _check_params(b"", EncryptionContext, EncryptionAlgorithm)
        blob_key, version = self._blob_key(CiphertextBlob)
        if KeyId is not None and self._resolve(KeyId, "Decrypt") != blob_key:
            raise self._error("IncorrectKeyException", "Decrypt", "key does not match ciphertext")
        self._usable(blob_key, "Decrypt")
        plaintext = self._open(blob_key, version, CiphertextBlob, EncryptionContext or {})
        return {
            "KeyId": self._arn(blob_key),
            "Plaintext": plaintext,
            "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        }

    def _blob_key(self, blob: bytes) -> tuple[str, int]:
        """Return the key id and key version a blob names; InvalidCiphertext if none."""
        invalid = self._error("InvalidCiphertextException", "Decrypt", "invalid ciphertext")
        if len(blob) < _BLOB_HEADER.size + _NONCE + 16:
            raise invalid
        fmt, raw_id, version = _BLOB_HEADER.unpack_from(blob)
        try:
            key_id = self._resolve(raw_id.decode("ascii"), "Decrypt")
        except (UnicodeDecodeError, ClientError):
            raise invalid from None
        if fmt != _BLOB_FORMAT or key_id != raw_id.decode("ascii"):
            raise invalid
        return key_id, int(version)

    def _seal(self, key_id: str, plaintext: bytes, context: Mapping[str, str]) -> bytes:
        versions = self._keys[key_id]["versions"]
        header = _BLOB_HEADER.pack(_BLOB_FORMAT, key_id.encode("ascii"), len(versions) - 1)
        nonce = secrets.token_bytes(_NONCE)
        material = base64.b64decode(versions[-1])
        return header + nonce + AESGCM(material).encrypt(nonce, plaintext, header + _aad(context))

    def _open(self, key_id: str, version: int, blob: bytes, context: Mapping[str, str]) -> bytes:
        versions = self._keys[key_id]["versions"]
        header, body = blob[: _BLOB_HEADER.size], blob[_BLOB_HEADER.size :]
        if version >= len(versions):
            raise self._error("InvalidCiphertextException", "Decrypt", "invalid ciphertext")
        try:
            return AESGCM(base64.b64decode(versions[version])).decrypt(
                body[:_NONCE], body[_NONCE:], header + _aad(context)
            )
        except InvalidTag:
            raise self._error(
                "InvalidCiphertextException", "Decrypt", "invalid ciphertext"
            ) from None

    def _resolve(self, key_ref: str, operation: str) -> str:
        """Map a key id, key ARN or alias (name or ARN) to a key id."""
        ref = key_ref.rsplit(":", 1)[-1] if key_ref.startswith("arn:") else key_ref
        ref = ref.removeprefix("key/")
        key_id = self._aliases.get(ref, ref)
        if key_id not in self._keys and self._state_path is not None:
            with self._lock:
                self._reload()  # another process may have created it
            key_id = self._aliases.get(ref, ref)
        if key_id not in self._keys:
            raise self._error("NotFoundException", operation, f"Key '{key_ref}' does not exist")
        return key_id

    def _usable(self, key_ref: str, operation: str) -> str:
        key_id = self._resolve(key_ref, operation)
        if not self._keys[key_id]["enabled"]:
            raise self._error("DisabledException", operation, f"{self._arn(key_id)} is disabled.")
        return key_id

    def _set_enabled(self, key_ref: str, *, enabled: bool) -> None:
        with self._transaction():
            key_id = self._resolve(key_ref, "EnableKey" if enabled else "DisableKey")
            self._keys[key_id]["enabled"] = enabled

    def _metadata(self, key_id: str) -> dict[str, Any]:
        enabled = bool(self._keys[key_id]["enabled"])
        return {
            "KeyId": key_id,
            "Arn": self._arn(key_id),
            "Enabled": enabled,
            "KeyState": "Enabled" if enabled else "Disabled",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "KeyUsage": "ENCRYPT_DECRYPT",
        }

    def _arn(self, key_id: str) -> str:
        return f"arn:aws:kms:{self._region}:{_ACCOUNT}:key/{key_id}"

    def _error(self, code: str, operation: str, message: str) -> ClientError:
        response: Any = {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }
        error_class: type[ClientError] = self.exceptions.from_code(code)
        return error_class(response, operation)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """Apply a change to the latest state; with a state file, across processes too."""
        with self._lock:
            if self._state_path is None:
                yield
                return
            with locked(self._state_path):
                self._reload()
                yield
                state = {"keys": self._keys, "aliases": self._aliases}
                data = json.dumps(state, indent=2, sort_keys=True).encode()
                write_private_file(self._state_path, data, exclusive=False)

    def _reload(self) -> None:
        if self._state_path is None:
            return
        try:
            state = json.loads(read_private_file(self._state_path))
        except FileNotFoundError:
            return
        self._keys, self._aliases = dict(state["keys"]), dict(state["aliases"])


def _material() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _aad(context: Mapping[str, str]) -> bytes:
    return canonical_json(dict(context))


def _check_params(plaintext: bytes, context: Mapping[str, str] | None, algorithm: str) -> None:
    if algorithm != "SYMMETRIC_DEFAULT":
        raise ParamValidationError(report=f"Unsupported EncryptionAlgorithm {algorithm!r}")
    if len(plaintext) > 4096:
        raise ParamValidationError(report="Plaintext is longer than 4096 bytes")
    if context is not None and not all(
        isinstance(k, str) and isinstance(v, str) for k, v in context.items()
    ):
        raise ParamValidationError(report="EncryptionContext must map strings to strings")


def standin_client(
    keyring_path: Path, kms_key_id: str | None, region: str | None
) -> tuple[FakeKmsClient, str]:
    """Return a stand-in client whose keys persist next to the keyring, and the key id to use.

    The alias (HELIO_KMS_KEY_ID, or the stand-in's own) is created on first use.
    """
    state = keyring_path.with_name(keyring_path.name + ".kms-standin")
    client = FakeKmsClient(state_path=state, region=region or "eu-west-1")
    key_id = kms_key_id or STANDIN_ALIAS
    if key_id.startswith("alias/"):
        client.ensure_alias(key_id)
    return client, key_id
