"""Just-in-time access: request, decide (another admin), revoke, expire, and audit each use."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Target
from helio.authz import rules, scoping
from helio.authz.matrix import Reach
from helio.errors import NotFound
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.models import AccessGrant
from helio.platform.context import Ctx
from helio.staff.grants import repository
from helio.staff.grants.exceptions import GrantAlreadyRequested, GrantNotOpen, GrantNotPending
from helio.staff.grants.repository import APPROVED, DENIED, PENDING, REVOKED
from helio.staff.grants.schemas import GrantCreate, GrantPage, GrantQuery, GrantRead, GrantState

RESOURCE = "access_grant"


def state_of(grant: AccessGrant, now: datetime) -> GrantState:
    """Return what a grant means now (an approved grant past its end is expired)."""
    if grant.status == APPROVED:
        live = grant.expires_at is not None and grant.expires_at > now
        return GrantState.ACTIVE if live else GrantState.EXPIRED
    return GrantState(grant.status)


def to_read(grant: AccessGrant, now: datetime) -> GrantRead:
    """Return the response shape of a grant."""
    return GrantRead(
        id=grant.id,
        requester_id=grant.requester_id,
        customer_id=grant.customer_id,
        reason=grant.reason,
        minutes=grant.minutes,
        state=state_of(grant, now),
        decided_by=grant.decided_by,
        decided_at=grant.decided_at,
        expires_at=grant.expires_at,
        revoked_at=grant.revoked_at,
        created_at=grant.created_at,
    )


def _details(grant: AccessGrant) -> dict[str, object]:
    return {
        "customer_id": grant.customer_id,
        "requester_id": grant.requester_id,
        "minutes": grant.minutes,
    }


async def request_grant(session: AsyncSession, ctx: Ctx, *, data: GrantCreate) -> GrantRead:
    """Ask for time-boxed access to one customer; it waits for another admin's decision.

    Raises:
        NotFound: no such customer.
        GrantAlreadyRequested: the engineer already waits for a decision on this customer.
    """
    requester = ctx.caller.user_id
    rules.grant_minutes(data.minutes)
    if not await repository.customer_exists(session, data.customer_id):
        raise NotFound
    if await repository.pending_for(session, requester, data.customer_id) is not None:
        raise GrantAlreadyRequested
    grant = AccessGrant(
        id=new_id(),
        requester_id=requester,
        customer_id=data.customer_id,
        reason=data.reason,
        minutes=data.minutes,
        status=PENDING,
        created_at=utcnow(),
    )
    repository.add(session, grant)
    await session.flush()
    await audit.record(
        session,
        ctx,
        AuditAction.GRANT_REQUESTED,
        target=Target(RESOURCE, grant.id),
        reason=grant.reason,
        details=_details(grant),
    )
    return to_read(grant, utcnow())


async def list_grants(session: AsyncSession, ctx: Ctx, *, query: GrantQuery) -> GrantPage:
    """List the grants the caller may see (engineers: their own; admins: all), newest first.

    Raises:
        InvalidCursor: a cursor this list did not issue (400).
    """
    now = utcnow()
    rows, next_cursor = await repository.page(
        session,
        ctx.caller,
        state=query.state.value if query.state else None,
        now=now,
        cursor=query.cursor,
        limit=query.limit,
    )
    return GrantPage(items=[to_read(row, now) for row in rows], next_cursor=next_cursor)


async def _visible_grant(session: AsyncSession, ctx: Ctx, grant_id: str) -> AccessGrant:
    access = ctx.caller
    grant = await repository.get_visible(session, access, grant_id, lock=True)
    return scoping.visible_or_404(grant, access, RESOURCE)


async def decide(session: AsyncSession, ctx: Ctx, *, grant_id: str, approve: bool) -> GrantRead:
    """Approve or deny a pending grant; the requester may never decide their own.

    An approved grant runs from the moment of approval for its minutes.

    Raises:
        NotFound: no such grant.
        OwnGrant: the caller requested it.
        GrantNotPending: it was already decided or revoked.
    """
    grant = await _visible_grant(session, ctx, grant_id)
    rules.not_own_grant(ctx.caller.user_id, grant.requester_id)
    if grant.status != PENDING:
        raise GrantNotPending
    now = utcnow()
    grant.status = APPROVED if approve else DENIED
    grant.decided_by = ctx.caller.user_id
    grant.decided_at = now
    if approve:
        grant.expires_at = now + timedelta(minutes=grant.minutes)
    await session.flush()
    await audit.record(
        session,
        ctx,
        AuditAction.GRANT_APPROVED if approve else AuditAction.GRANT_DENIED,
        target=Target(RESOURCE, grant.id),
        details=_details(grant),
    )
    return to_read(grant, utcnow())


async def revoke(session: AsyncSession, ctx: Ctx, *, grant_id: str) -> GrantRead:
    """End a pending or active grant now; the engineer's access ends with it.

    Raises:
        NotFound: no such grant.
        GrantNotOpen: it was denied, revoked or has expired.
    """
    grant = await _visible_grant(session, ctx, grant_id)
    now = utcnow()
    if state_of(grant, now) not in {GrantState.PENDING, GrantState.ACTIVE}:
        raise GrantNotOpen
    grant.status = REVOKED
    grant.revoked_at = now
    await session.flush()
    await audit.record(
        session,
        ctx,
        AuditAction.GRANT_REVOKED,
        target=Target(RESOURCE, grant.id),
        details=_details(grant),
    )
    return to_read(grant, utcnow())


async def record_use(session: AsyncSession, ctx: Ctx, *, customer_id: str, use: str) -> None:
    """Audit a use of customer data made under a grant (a no-op for standing access).

    Called after the scoped read succeeded, so a GRANTED caller holds a live grant.
    """
    access = ctx.caller
    if access.reach != Reach.GRANTED:
        return
    grant = await repository.live_for(session, access.user_id, customer_id, utcnow())
    await audit.record(
        session,
        ctx,
        AuditAction.GRANT_USED,
        target=Target(RESOURCE, grant.id if grant else None),
        details={"customer_id": customer_id, "use": use},
    )
