"""Keep watch over the chain: periodic signed checkpoints and recorded verifications."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from helio.audit.actions import AuditAction, Outcome
from helio.audit.checkpoints import (
    SigningKeys,
    create_checkpoint,
    load_signing_keys,
    verification_keys,
)
from helio.audit.hooks import AuditRecord
from helio.audit.trail import Target, record_separately
from helio.audit.verify import Progress, VerifyResult, verify_chain
from helio.config import Settings
from helio.db import Database
from helio.kit.clock import clock
from helio.metrics import AUDIT_VERIFY_OK, AUDIT_VERIFY_TIME
from helio.state.shared import SharedState

LAST_VERIFICATION_KEY = "audit:last-verification"
CHECKPOINT_DUE_KEY = "audit:checkpoint-due"


class CheckpointScheduler:
    """Sign a checkpoint after the first event of each interval (one replica wins per interval)."""

    def __init__(self, settings: Settings, db: Database, state: SharedState) -> None:
        self.settings = settings
        self.db = db
        self.state = state
        self._keys: SigningKeys | None = None

    async def on_event(self, _event: AuditRecord) -> None:
        """Write a checkpoint when none was written during the current interval."""
        interval = self.settings.audit_checkpoint_interval_seconds
        if await self.state.set_if_absent(CHECKPOINT_DUE_KEY, "1", interval):
            if self._keys is None:
                self._keys = await asyncio.to_thread(load_signing_keys, self.settings)
            await create_checkpoint(self.db, self._keys)


async def run_verification(
    settings: Settings,
    db: Database,
    state: SharedState,
    *,
    progress: Progress | None = None,
    max_seconds: float | None = None,
    workers: int | None = None,
) -> VerifyResult:
    """Verify the chain, remember the outcome, and record a failure as an audit event.

    A failure event (`audit.verified`, outcome failure) raises the
    `audit_chain_broken` alert where alerts are installed. `workers`: see `verify_chain`.
    """
    keys = await asyncio.to_thread(verification_keys, settings)
    result = await verify_chain(
        db, public_keys=keys, progress=progress, max_seconds=max_seconds, workers=workers
    )
    if result.complete:
        summary = {"at": clock.now().isoformat(), **result.to_dict()}
        await state.set(LAST_VERIFICATION_KEY, json.dumps(summary))
        AUDIT_VERIFY_OK.set(1 if result.ok else 0)
        AUDIT_VERIFY_TIME.set(clock.timestamp())
    if result.broken is not None:
        await record_separately(
            db,
            None,
            AuditAction.AUDIT_VERIFIED,
            target=Target("audit"),
            outcome=Outcome.FAILURE,
            details={"kind": result.broken.kind, "seq": result.broken.seq},
        )
    return result


async def last_verification(state: SharedState) -> dict[str, Any] | None:
    """Return the summary of the last complete verification, if any."""
    text = await state.get(LAST_VERIFICATION_KEY)
    if text is None:
        return None
    value: dict[str, Any] = json.loads(text)
    return value
