"""The access review: every staff account, its roles, MFA, use and flags; and attestations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Target
from helio.auth.accounts.profiles import read_profile
from helio.authz.rules import holds_admin
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.models import AccessAttestation, User
from helio.platform.context import Ctx
from helio.staff.admin import repository
from helio.staff.admin.schemas import (
    AccessReviewRead,
    AttestationRead,
    ReviewEntryRead,
    ReviewFlag,
    ReviewSummaryRead,
    snapshot_of,
)
from helio.staff.admin.service import ACTIVE, INVITED, mfa_methods
from helio.staff.grants import repository as grants

DORMANT_AFTER_DAYS = 45


async def report(session: AsyncSession, ctx: Ctx) -> AccessReviewRead:
    """Build the access review of every staff account."""
    now = utcnow()
    staff = await repository.all_staff(session, ctx.caller)
    ids = [user.id for user in staff]
    roles = await repository.roles_of(session, ids)
    passkeys = await repository.passkey_holders(session, ids)
    seen = await repository.last_seen(session, ids)
    open_grants = await grants.open_counts(session, ids, now)
    entries = []
    for user in staff:
        profile = await read_profile(session, ctx.app, user)
        last_used = _latest(user.last_login_at, seen.get(user.id))
        methods = mfa_methods(user, user.id in passkeys)
        days = (now - (last_used or user.created_at)).days
        entries.append(
            ReviewEntryRead(
                id=user.id,
                email=profile.email,
                full_name=profile.full_name,
                roles=roles[user.id],
                status=user.status,
                mfa_methods=methods,
                last_login_at=user.last_login_at,
                last_used_at=last_used,
                days_since_last_use=days,
                open_grants=open_grants.get(user.id, 0),
                flags=_flags(user, methods, days),
            )
        )
    return AccessReviewRead(
        generated_at=now,
        summary=_summary(entries),
        staff=entries,
        last_attestation=await _last_attestation(session),
    )


def _latest(*moments: datetime | None) -> datetime | None:
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


def _flags(user: User, methods: list[str], days: int) -> list[ReviewFlag]:
    flags: list[ReviewFlag] = []
    if user.status == INVITED:
        flags.append("invitation_pending")
    if user.status == ACTIVE and not methods:
        flags.append("no_mfa")
    if user.status == ACTIVE and days > DORMANT_AFTER_DAYS:
        flags.append("dormant")
    return flags


def _summary(entries: list[ReviewEntryRead]) -> ReviewSummaryRead:
    active = [entry for entry in entries if entry.status == ACTIVE]
    return ReviewSummaryRead(
        staff=len(entries),
        active=len(active),
        admin_count=sum(holds_admin(entry.roles) for entry in active),
        no_mfa=sum("no_mfa" in entry.flags for entry in entries),
        dormant=sum("dormant" in entry.flags for entry in entries),
        dormant_after_days=DORMANT_AFTER_DAYS,
    )


async def _last_attestation(session: AsyncSession) -> AttestationRead | None:
    row = await repository.last_attestation(session)
    return None if row is None else _attestation(row)


def _attestation(row: AccessAttestation) -> AttestationRead:
    return AttestationRead(
        id=row.id, attested_by=row.attested_by, note=row.note, created_at=row.created_at
    )


async def attest(session: AsyncSession, ctx: Ctx, *, note: str | None) -> AttestationRead:
    """Record that the caller reviewed the current access, with a PII-free snapshot of it."""
    review = await report(session, ctx)
    row = AccessAttestation(
        id=new_id(),
        attested_by=ctx.caller.user_id,
        note=note,
        snapshot=snapshot_of(review),
        created_at=utcnow(),
    )
    repository.add_attestation(session, row)
    await session.flush()
    await audit.record(
        session,
        ctx,
        AuditAction.ACCESS_REVIEW_ATTESTED,
        target=Target("access_attestation", row.id),
        details={"staff": review.summary.staff, "admin_count": review.summary.admin_count},
    )
    return _attestation(row)
