"""`App`: every long-lived part of one running application, typed and built once.

`helio.main.build_app` builds it from the settings and `create_app` serves it;
the CLI builds the same object for the commands that need one. Nothing in it
is looked up by name: a part is a field. Tests replace a part with
`dataclasses.replace(app, auth_policy=...)` and build an app around the copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from helio.alerts.engine import AlertEngine
from helio.config import Settings
from helio.db import Database
from helio.kit.cpu import CpuPool
from helio.mail.outbox import Outbox
from helio.platform.files import DocumentStore
from helio.platform.personal_data import PersonalData
from helio.platform.policy import AuthPolicy, StaffPolicy
from helio.platform.quote_settings import QuoteSettings
from helio.security.antivirus import ClamdScanner
from helio.security.blind_index import BlindIndexer
from helio.security.keys.local import LocalKeyProvider
from helio.security.keys.types import KeyProvider
from helio.security.server_keys import ServerKeys
from helio.security.vault import FieldVault
from helio.state.shared import RateLimiter, SharedState


@dataclass(frozen=True, slots=True, kw_only=True)
class App:
    """The parts of one app; `helio.main.build_app` shows how each is made."""

    settings: Settings
    db: Database
    state: SharedState  # counters, flags, revocation marks: Redis, or memory on a laptop
    limiter: RateLimiter  # moving-window rate limits on the same backend
    keys: KeyProvider  # wraps per-owner data keys: keyring file or AWS KMS
    keyring: LocalKeyProvider  # blind-index keys and app secrets (a mounted secret file)
    vault: FieldVault  # seals and opens encrypted columns
    indexer: BlindIndexer  # blind indexes for lookups on encrypted columns
    server_keys: ServerKeys  # HMAC subkeys (CSRF, PoW, lockout) and JWT signing keys
    auth_policy: AuthPolicy
    staff_policy: StaffPolicy
    quote_settings: QuoteSettings
    cpu: CpuPool  # the bounded worker pool for CPU-heavy work (quotes, uploads)
    outbox: Outbox  # mail: jobs written in the transaction, delivered by `helio worker`
    alerts: AlertEngine  # security alert rules over committed audit events
    personal_data: tuple[PersonalData, ...]  # what export and erasure walk through
    documents: DocumentStore  # uploaded files: a private directory or an S3 bucket
    scanner: ClamdScanner | None  # the antivirus hook (clamd), when configured

    async def close(self) -> None:
        """Release what the outbox holds, then the connections (jobs wait as rows)."""
        await self.outbox.close()
        await self.state.close()
        await self.db.dispose()
