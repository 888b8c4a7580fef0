"""The AWS KMS key provider: KEKs in KMS, wraps bound to an EncryptionContext."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from helio.security.crypto import DATA_KEY_BYTES, DecryptionError
from helio.security.keys.types import (
    KeyServiceUnavailable,
    WrappedKey,
    check_context,
    check_data_key,
)

_DECRYPT_FAILURES = frozenset({"InvalidCiphertextException", "IncorrectKeyException"})


class AwsKmsKeyProvider:
    """KEKs in AWS KMS: encrypt/decrypt/generate_data_key with an EncryptionContext.

    Wraps record the key ARN KMS answers with, so a KEK change (a new key id in
    settings) leaves old wraps readable while the old key stays enabled. Calls
    block on the network: run them with `asyncio.to_thread`.
    """

    def __init__(self, client: Any, key_id: str) -> None:
        if not key_id:
            raise ValueError("a KMS key id is required")
        self._client = client
        self._key_id = key_id
        self._key_arn: str | None = None

    @classmethod
    def from_settings(cls, region: str, key_id: str) -> AwsKmsKeyProvider:
        """Build a provider on a real boto3 KMS client with bounded timeouts and retries."""
        import boto3
        from botocore.config import Config

        config = Config(
            connect_timeout=2, read_timeout=5, retries={"max_attempts": 3, "mode": "standard"}
        )
        return cls(boto3.client("kms", region_name=region, config=config), key_id)

    def current_kek_id(self) -> str:
        """Return the ARN of the configured key (resolved once with DescribeKey)."""
        if self._key_arn is None:
            meta = self._call("describe_key", KeyId=self._key_id)["KeyMetadata"]
            self._key_arn = str(meta["Arn"])
        return self._key_arn

    def wrap(self, plaintext_key: bytes, *, context: Mapping[str, str]) -> WrappedKey:
        """Encrypt a data key with KMS Encrypt under the configured key.

        Raises:
            KeyServiceUnavailable: KMS failed, throttled, or the key is disabled.
        """
        check_data_key(plaintext_key)
        response = self._call(
            "encrypt",
            KeyId=self._key_id,
            Plaintext=plaintext_key,
            EncryptionContext=check_context(context),
        )
        return WrappedKey(str(response["KeyId"]), bytes(response["CiphertextBlob"]))

    def unwrap(self, wrapped: WrappedKey, *, context: Mapping[str, str]) -> bytes:
        """Decrypt a wrapped data key with KMS Decrypt, pinned to the key it names.

        Raises:
            DecryptionError: wrong context, tampered blob, or another key's blob.
            KeyServiceUnavailable: KMS failed, throttled, or the key is disabled.
        """
        response = self._call(
            "decrypt",
            CiphertextBlob=wrapped.blob,
            KeyId=wrapped.kek_id,
            EncryptionContext=check_context(context),
            EncryptionAlgorithm="SYMMETRIC_DEFAULT",
        )
        key = bytes(response["Plaintext"])
        if len(key) != DATA_KEY_BYTES:
            raise DecryptionError()
        return key

    def generate_data_key(self, context: Mapping[str, str]) -> tuple[bytes, WrappedKey]:
        """Return a fresh AES-256 data key and its wrap from KMS GenerateDataKey."""
        response = self._call(
            "generate_data_key",
            KeyId=self._key_id,
            KeySpec="AES_256",
            EncryptionContext=check_context(context),
        )
        key = bytes(response["Plaintext"])
        check_data_key(key)
        return key, WrappedKey(str(response["KeyId"]), bytes(response["CiphertextBlob"]))

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        try:
            response: dict[str, Any] = getattr(self._client, operation)(**params)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in _DECRYPT_FAILURES:
                raise DecryptionError() from exc
            raise KeyServiceUnavailable() from exc
        except ParamValidationError:
            raise  # our bug, not an outage: let it surface
        except BotoCoreError as exc:
            raise KeyServiceUnavailable() from exc
        return response
