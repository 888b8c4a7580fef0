"""Account deletion and crypto-shredding.

`DELETE /me` closes the account at once (status, every session revoked) and
schedules the shredding after `settings.shred_grace_days`. Shredding destroys
every wrapped data key of the account, so each ciphertext it ever had — in
the database and in any later backup — stays unreadable; then every entry of
the personal-data registry (`App.personal_data`) erases its rows: personal
rows are deleted, quotes keep their non-personal figures, the account row
gets random indexes. Audit events are append-only and hold ids, never PII, so
they stay.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Target
from helio.auth.sessions import service as sessions
from helio.customers import repository
from helio.customers.schemas import DeletionRead
from helio.customers.service import USER, load_own_account
from helio.db import after_commit
from helio.kit.clock import utcnow
from helio.platform.context import Ctx

DELETED, ERASED = "deleted", "erased"


async def delete_me(session: AsyncSession, ctx: Ctx) -> DeletionRead:
    """Close the caller's account, revoke its sessions and schedule (or do) the shredding.

    `ACCOUNT_DELETE` demands a fresh MFA step-up (the guard checks it); the
    grace period comes from `settings.shred_grace_days`.

    Returns:
        When the account was deleted, when it will be shredded, and whether it already was.
    """
    user = await load_own_account(session, ctx, lock=True)
    settings = ctx.app.settings
    now = utcnow()
    user.status, user.deleted_at = DELETED, now
    user.shred_after = now + timedelta(days=settings.shred_grace_days)
    revoked = await sessions.end_sessions(session, ctx, user_id=user.id, reason="account_deleted")
    await audit.record(
        session,
        ctx,
        AuditAction.ACCOUNT_DELETED,
        target=Target(USER, user.id),
        details={"sessions_revoked": len(revoked), "shred_after": user.shred_after.isoformat()},
    )
    await session.flush()
    shredded = settings.shred_grace_days == 0
    if shredded:
        await shred_account(session, ctx, user_id=user.id)
    return DeletionRead(
        status=ERASED if shredded else DELETED,
        deleted_at=now,
        shred_after=None if shredded else user.shred_after,
        shredded=shredded,
    )


async def shred_account(session: AsyncSession, ctx: Ctx, *, user_id: str) -> bool:
    """Crypto-shred a deleted account in the caller's transaction; False if nothing to do.

    Destroys every data key of the account, then lets each personal-data entry
    erase its rows; audited.
    """
    user = await repository.get_user(session, user_id, lock=True)
    if user is None or user.deleted_at is None or user.status == ERASED:
        return False
    vault = ctx.app.vault
    destroyed = await vault.shred(session, user.id)
    for entry in ctx.app.personal_data:
        if entry.purge is not None:
            await entry.purge(session, ctx.app, user.id)
        if entry.erase is not None:
            await entry.erase(session, user.id)
    user.status, user.shred_after = ERASED, None
    await audit.record(
        session,
        ctx,
        AuditAction.ACCOUNT_SHREDDED,
        target=Target(USER, user.id),
        details={"data_keys_destroyed": destroyed},
    )
    await session.flush()

    async def forget_keys() -> None:
        vault.cache.forget(user_id)

    after_commit(session, forget_keys)
    return True


async def shred_due(ctx: Ctx, *, batch_size: int = 100) -> int:
    """Shred every deleted account whose grace period has ended, one per transaction."""
    shredded = 0
    db = ctx.app.db
    while True:
        async with db.transaction() as session:
            due = await repository.due_for_shredding(session, utcnow(), batch_size)
        done = 0
        for user_id in due:
            async with db.transaction() as session:
                done += await shred_account(session, ctx, user_id=user_id)
        shredded += done
        if done == 0:
            return shredded
