"""The process-wide services an app instance is built with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from helio.config import Settings
from helio.db import Database
from helio.security.blind_index import BlindIndexer, normalise_email, normalise_phone
from helio.security.keys import build_key_provider
from helio.security.keys.local import LocalKeyProvider
from helio.security.keys.types import KeyProvider
from helio.security.vault import FieldVault
from helio.state.shared import RateLimiter, SharedState, make_state

INDEX_NORMALISERS: dict[str, Callable[[str], str]] = {
    "email": normalise_email,
    "phone": normalise_phone,
    # Staff search by name prefix; `accounts.service.name_prefix` normalises it.
    "name_prefix": str,
}


@dataclass
class Services:
    """Database, shared state, limiter, keys and the other long-lived parts of one app."""

    settings: Settings
    db: Database
    state: SharedState
    limiter: RateLimiter
    keys: KeyProvider
    vault: FieldVault
    keyring: LocalKeyProvider
    indexer: BlindIndexer
    extras: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        """Build every service the settings describe."""
        settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Blind-index keys always come from the keyring file (a mounted secret in
        # Kubernetes), whichever provider wraps the data keys.
        keyring = LocalKeyProvider(settings.effective_keyring_path)
        kms_client, kms_key_id = None, settings.kms_key_id
        if settings.key_provider == "aws-kms" and settings.kms_standin:
            # Development only (production settings refuse it); not in the runtime image.
            from helio_standins.kms import standin_client

            kms_client, kms_key_id = standin_client(
                settings.effective_keyring_path, settings.kms_key_id, settings.kms_region
            )
        keys = build_key_provider(
            settings.key_provider,
            keyring_path=settings.effective_keyring_path,
            kms_key_id=kms_key_id,
            region=settings.kms_region,
            kms_client=kms_client,
        )
        return cls(
            settings=settings,
            db=Database(settings.effective_database_url),
            state=make_state(settings.redis_url),
            limiter=RateLimiter.for_url(settings.redis_url),
            keys=keys,
            vault=FieldVault(keys),
            keyring=keyring,
            indexer=BlindIndexer(keyring, normalisers=INDEX_NORMALISERS),
        )

    async def close(self) -> None:
        """Release connections."""
        await self.state.close()
        await self.db.dispose()
