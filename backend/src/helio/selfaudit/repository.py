"""The self-audit's queries: counts and ids over accounts, grants, keys and stored reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from helio.audit import repository as audit_repository
from helio.models import (
    AccessAttestation,
    AccessGrant,
    AuditCheckpoint,
    AuthSession,
    DataKey,
    User,
    WebAuthnCredential,
)
from helio.models.self_audit import SelfAuditReport

ACTIVE = "active"


async def staff_without_mfa(session: AsyncSession) -> list[str]:
    """Ids of active staff accounts with neither a confirmed TOTP nor a passkey."""
    passkey = exists().where(WebAuthnCredential.user_id == User.id)
    stmt = select(User.id).where(
        User.kind == "staff",
        User.status == ACTIVE,
        User.totp_confirmed_at.is_(None),
        ~passkey,
    )
    return list((await session.execute(stmt.order_by(User.id))).scalars())


async def dormant(session: AsyncSession, kind: str, before: datetime) -> list[str]:
    """Ids of active accounts of a kind with no sign-in or session use since `before`."""
    seen = (
        select(func.max(AuthSession.last_seen_at))
        .where(AuthSession.user_id == User.id)
        .scalar_subquery()
    )
    last_use = func.coalesce(seen, User.last_login_at, User.created_at)
    stmt = select(User.id).where(
        User.kind == kind,
        User.status == ACTIVE,
        User.deleted_at.is_(None),
        or_(User.last_login_at.is_(None), User.last_login_at < before),
        last_use < before,
    )
    return list((await session.execute(stmt.order_by(User.id))).scalars())


async def open_grants(session: AsyncSession, now: datetime) -> list[str]:
    """Ids of approved, unrevoked grants that have not expired."""
    stmt = select(AccessGrant.id).where(
        AccessGrant.status == "approved",
        AccessGrant.revoked_at.is_(None),
        AccessGrant.expires_at > now,
    )
    return list((await session.execute(stmt.order_by(AccessGrant.id))).scalars())


async def stale_grants(
    session: AsyncSession, now: datetime, *, pending_before: datetime, max_minutes: int
) -> list[str]:
    """Ids of grants left undecided too long, or open longer than any grant may be
    (a window over the limit, no decision recorded, or an expiry beyond the longest window)."""
    too_long = and_(
        AccessGrant.status == "approved",
        AccessGrant.revoked_at.is_(None),
        AccessGrant.expires_at > now,
        or_(
            AccessGrant.minutes > max_minutes,
            AccessGrant.decided_at.is_(None),
            AccessGrant.expires_at > now + timedelta(minutes=max_minutes),
        ),
    )
    undecided = and_(AccessGrant.status == "pending", AccessGrant.created_at < pending_before)
    stmt = select(AccessGrant.id).where(or_(too_long, undecided))
    return list((await session.execute(stmt.order_by(AccessGrant.id))).scalars())


async def last_attestation_at(session: AsyncSession) -> datetime | None:
    """When the access review was last attested."""
    stmt = select(func.max(AccessAttestation.created_at))
    result: datetime | None = (await session.execute(stmt)).scalar_one()
    return result


async def active_staff_count(session: AsyncSession) -> int:
    """Count active staff accounts."""
    stmt = select(func.count()).where(User.kind == "staff", User.status == ACTIVE)
    return int((await session.execute(stmt)).scalar_one())


async def password_hashes(session: AsyncSession, after: str, limit: int) -> list[tuple[str, str]]:
    """A batch of (id, password hash) of accounts with a password, in id order."""
    stmt = (
        select(User.id, User.password_hash)
        .where(User.password_hash.is_not(None), User.id > after)
        .order_by(User.id)
        .limit(limit)
    )
    return [(row[0], row[1] or "") for row in (await session.execute(stmt)).all()]


async def live_data_keys(session: AsyncSession) -> list[tuple[str, datetime]]:
    """(KEK id, last wrap time) of every data key not destroyed."""
    stmt = select(DataKey.kek_id, func.coalesce(DataKey.rewrapped_at, DataKey.created_at)).where(
        DataKey.destroyed_at.is_(None), DataKey.wrapped_key.is_not(None)
    )
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


async def shred_due(session: AsyncSession, now: datetime) -> list[datetime]:
    """The shredding deadlines that have passed (accounts still awaiting crypto-shredding)."""
    stmt = select(User.shred_after).where(User.shred_after.is_not(None), User.shred_after <= now)
    return [row for row in (await session.execute(stmt)).scalars() if row is not None]


async def last_checkpoint(session: AsyncSession) -> AuditCheckpoint | None:
    """The newest signed checkpoint."""
    stmt = select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1)
    return (await session.execute(stmt)).scalars().first()


async def first_checkpoint_at(session: AsyncSession, key_id: str) -> datetime | None:
    """When the key `key_id` signed its first checkpoint (its time in service), or None."""
    stmt = select(func.min(AuditCheckpoint.created_at)).where(AuditCheckpoint.key_id == key_id)
    result: datetime | None = (await session.execute(stmt)).scalar_one()
    return result


async def audit_head_seq(session: AsyncSession) -> int:
    """The sequence number of the newest audit event."""
    seq, _ = await audit_repository.read_head(session)
    return seq


async def show_grants(session: AsyncSession) -> list[str]:
    """The `SHOW GRANTS` lines of the connected database user (MySQL/MariaDB)."""
    rows = (await session.execute(text("SHOW GRANTS FOR CURRENT_USER()"))).all()
    return [str(row[0]) for row in rows]


async def current_user(session: AsyncSession) -> str:
    """The database account the session is connected as."""
    return str((await session.execute(text("SELECT CURRENT_USER()"))).scalar_one())


def add(session: AsyncSession, row: SelfAuditReport) -> None:
    """Stage a stored report."""
    session.add(row)


async def latest(session: AsyncSession) -> SelfAuditReport | None:
    """The newest stored report."""
    stmt = select(SelfAuditReport).order_by(SelfAuditReport.created_at.desc()).limit(1)
    return (await session.execute(stmt)).scalars().first()


async def recent(session: AsyncSession, limit: int) -> Sequence[SelfAuditReport]:
    """The newest stored reports, newest first."""
    stmt = select(SelfAuditReport).order_by(SelfAuditReport.created_at.desc()).limit(limit)
    return (await session.execute(stmt)).scalars().all()
