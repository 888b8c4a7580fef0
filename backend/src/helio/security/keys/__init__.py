"""Key providers: key-encryption keys (KEKs) that wrap per-owner data keys.

Two providers implement `KeyProvider`: `LocalKeyProvider`, a keyring file for the
laptop default, and `AwsKmsKeyProvider` for production. Every wrap records the
id of the KEK that made it, so old and new KEKs coexist during a rotation, and
binds a context (like KMS EncryptionContext) so a wrapped key moved to another
owner does not unwrap.

All provider calls are synchronous and the KMS one does network I/O: async code
runs them in a worker thread, with `asyncio.to_thread` or the `*_async` helpers
below, never directly on the event loop.

The keyring file also owns the blind-index keys and named application secrets
(e.g. the HMAC secret for CSRF tokens), generated at first run, never in code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helio.security.keys.aws_kms import AwsKmsKeyProvider
from helio.security.keys.local import LocalKeyProvider
from helio.security.keys.types import KeyProvider


def build_key_provider(
    kind: str,
    *,
    keyring_path: Path,
    kms_key_id: str | None,
    region: str | None,
    kms_client: Any | None = None,
) -> KeyProvider:
    """Build the configured key provider (`local` or `aws-kms`).

    `kms_client` replaces the boto3 KMS client: the stand-in of `helio_standins`
    for offline demos and tests (production settings refuse it).

    Raises:
        ValueError: unknown kind, or `aws-kms` without key id and region.
    """
    if kind == "local":
        return LocalKeyProvider(keyring_path)
    if kind != "aws-kms":
        raise ValueError(f"unknown key provider {kind!r}; expected 'local' or 'aws-kms'")
    if kms_client is not None and kms_key_id:
        return AwsKmsKeyProvider(kms_client, kms_key_id)
    if not kms_key_id or not region:
        raise ValueError("aws-kms needs HELIO_KMS_KEY_ID and HELIO_KMS_REGION")
    return AwsKmsKeyProvider.from_settings(region, kms_key_id)
