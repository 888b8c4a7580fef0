"""Account deletion and crypto-shredding.

`DELETE /me` closes the account at once (status, every session revoked) and
schedules the shredding after `settings.shred_grace_days`. Shredding destroys
every wrapped data key of the account, so each ciphertext it ever had — in
the database and in any later backup — stays unreadable; blind indexes are
replaced by random version-0 values, and rows whose plaintext columns are
personal (site coordinates, sessions, credentials) are deleted. Quotes keep
their non-personal figures for accounting. Audit events are append-only and
hold ids, never PII, so they stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from helio.audit.service import record
from helio.auth import sessions
from helio.authz.access import Access
from helio.customers import repository
from helio.customers.service import load_own_account
from helio.db import after_commit
from helio.keys_admin.registry import erased_index
from helio.kit.clock import utcnow
from helio.services import Services

DELETED, ERASED = "deleted", "erased"


@dataclass(frozen=True)
class Deletion:
    """The outcome of an account deletion."""

    deleted_at: datetime
    shred_after: datetime | None
    shredded: bool


async def delete_me(
    session: AsyncSession, services: Services, access: Access, *, request: Request | None = None
) -> Deletion:
    """Close the caller's account, revoke its sessions and schedule (or do) the shredding.

    Args:
        session: the request's transaction.
        services: the app services (settings give the grace period).
        access: the guard's result; `ACCOUNT_DELETE` demands a fresh MFA step-up.
        request: for the audit event's request id and client.

    Returns:
        When the account was deleted, when it will be shredded, and whether it already was.
    """
    user = await load_own_account(session, access, lock=True)
    now = utcnow()
    user.status, user.deleted_at = DELETED, now
    user.shred_after = now + timedelta(days=services.settings.shred_grace_days)
    revoked = await sessions.revoke(session, services, user.id, reason="account_deleted")
    await record(
        session,
        action="account.deleted",
        actor=access.principal,
        resource_type="user",
        resource_id=user.id,
        request=request,
        details={"sessions_revoked": len(revoked), "shred_after": user.shred_after.isoformat()},
    )
    await session.flush()
    if services.settings.shred_grace_days == 0:
        await shred_account(session, services, user.id)
        return Deletion(now, None, shredded=True)
    return Deletion(now, user.shred_after, shredded=False)


async def shred_account(session: AsyncSession, services: Services, user_id: str) -> bool:
    """Crypto-shred a deleted account in the caller's transaction; False if nothing to do.

    Destroys every data key of the account, replaces its blind indexes, deletes its
    personal rows and strips its quotes down to their figures; audited.
    """
    user = await repository.get_user(session, user_id, lock=True)
    if user is None or user.deleted_at is None or user.status == ERASED:
        return False
    destroyed = await services.vault.shred(session, user.id)
    await repository.erase_personal_rows(session, user.id)
    user.status, user.shred_after = ERASED, None
    user.email_bidx, user.phone_bidx, user.name_prefix_bidx = erased_index(), None, None
    user.password_hash, user.totp_secret_ct, user.totp_confirmed_at = None, None, None
    user.marketing_consent = False
    user.updated_at = utcnow()
    await record(
        session,
        action="account.shredded",
        resource_type="user",
        resource_id=user.id,
        details={"data_keys_destroyed": destroyed},
    )
    await session.flush()

    async def forget_keys() -> None:
        services.vault.cache.forget(user_id)

    after_commit(session, forget_keys)
    return True


async def shred_due(services: Services, *, batch_size: int = 100) -> int:
    """Shred every deleted account whose grace period has ended, one per transaction."""
    shredded = 0
    while True:
        async with services.db.transaction() as session:
            due = await repository.due_for_shredding(session, utcnow(), batch_size)
        done = 0
        for user_id in due:
            async with services.db.transaction() as session:
                done += await shred_account(session, services, user_id)
        shredded += done
        if done == 0:
            return shredded
