"""Just-in-time access: request, decide (another admin), revoke, expire, and audit each use."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from helio.audit.service import record
from helio.authz import rules, scoping
from helio.authz.access import Access
from helio.authz.matrix import Reach
from helio.errors import Conflict, NotFound
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.models import AccessGrant
from helio.staff import actions, pagination
from helio.staff.grants import repository
from helio.staff.grants.repository import APPROVED, DENIED, PENDING, REVOKED
from helio.staff.grants.schemas import GrantPage, GrantQuery, GrantRead, GrantState

RESOURCE = "access_grant"


class GrantNotPending(Conflict):
    code, message = "grant_not_pending", "This grant was already decided."


class GrantNotOpen(Conflict):
    code, message = "grant_not_open", "This grant is no longer pending or active."


class GrantAlreadyRequested(Conflict):
    code, message = "grant_pending", "A request for this customer is already waiting."


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


async def request_grant(
    session: AsyncSession,
    access: Access,
    *,
    customer_id: str,
    reason: str,
    minutes: int,
    request: Request | None = None,
) -> AccessGrant:
    """Ask for time-boxed access to one customer; it waits for another admin's decision.

    Raises:
        NotFound: no such customer.
        GrantAlreadyRequested: the engineer already waits for a decision on this customer.
    """
    rules.grant_minutes(minutes)
    if not await repository.customer_exists(session, customer_id):
        raise NotFound
    if await repository.pending_for(session, access.user_id, customer_id) is not None:
        raise GrantAlreadyRequested
    grant = AccessGrant(
        id=new_id(),
        requester_id=access.user_id,
        customer_id=customer_id,
        reason=reason,
        minutes=minutes,
        status=PENDING,
        created_at=utcnow(),
    )
    repository.add(session, grant)
    await session.flush()
    await _audit(session, access, actions.GRANT_REQUESTED, grant, request)
    return grant


async def list_grants(session: AsyncSession, access: Access, query: GrantQuery) -> GrantPage:
    """List the grants the caller may see (engineers: their own; admins: all), newest first."""
    now = utcnow()
    rows = await repository.page(
        session,
        access,
        state=query.state.value if query.state else None,
        now=now,
        limit=query.limit + 1,
        after=pagination.decode(query.cursor),
    )
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    cursor = pagination.encode(rows[-1].created_at, rows[-1].id) if more else None
    return GrantPage(items=[to_read(row, now) for row in rows], next_cursor=cursor)


async def decide(
    session: AsyncSession,
    access: Access,
    grant_id: str,
    *,
    approve: bool,
    request: Request | None = None,
) -> AccessGrant:
    """Approve or deny a pending grant; the requester may never decide their own.

    An approved grant runs from the moment of approval for its minutes.

    Raises:
        NotFound: no such grant.
        OwnGrant: the caller requested it.
        GrantNotPending: it was already decided or revoked.
    """
    grant = scoping.visible_or_404(
        await repository.visible(session, access, grant_id, lock=True), access, RESOURCE
    )
    rules.not_own_grant(access.user_id, grant.requester_id)
    if grant.status != PENDING:
        raise GrantNotPending
    now = utcnow()
    grant.status = APPROVED if approve else DENIED
    grant.decided_by = access.user_id
    grant.decided_at = now
    if approve:
        grant.expires_at = now + timedelta(minutes=grant.minutes)
    await session.flush()
    action = actions.GRANT_APPROVED if approve else actions.GRANT_DENIED
    await _audit(session, access, action, grant, request)
    return grant


async def revoke(
    session: AsyncSession, access: Access, grant_id: str, *, request: Request | None = None
) -> AccessGrant:
    """End a pending or active grant now; the engineer's access ends with it.

    Raises:
        NotFound: no such grant.
        GrantNotOpen: it was denied, revoked or has expired.
    """
    grant = scoping.visible_or_404(
        await repository.visible(session, access, grant_id, lock=True), access, RESOURCE
    )
    now = utcnow()
    if state_of(grant, now) not in {GrantState.PENDING, GrantState.ACTIVE}:
        raise GrantNotOpen
    grant.status = REVOKED
    grant.revoked_at = now
    await session.flush()
    await _audit(session, access, actions.GRANT_REVOKED, grant, request)
    return grant


async def record_use(
    session: AsyncSession,
    access: Access,
    customer_id: str,
    *,
    use: str,
    request: Request | None = None,
) -> None:
    """Audit a use of customer data made under a grant (a no-op for standing access).

    Called after the scoped read succeeded, so a GRANTED caller holds a live grant.
    """
    if access.reach != Reach.GRANTED:
        return
    grant = await repository.live_for(session, access.user_id, customer_id, utcnow())
    await record(
        session,
        action=actions.GRANT_USED,
        actor=access.principal,
        resource_type=RESOURCE,
        resource_id=grant.id if grant else None,
        request=request,
        details={"customer_id": customer_id, "use": use},
    )


async def _audit(
    session: AsyncSession,
    access: Access,
    action: str,
    grant: AccessGrant,
    request: Request | None,
) -> None:
    await record(
        session,
        action=action,
        actor=access.principal,
        resource_type=RESOURCE,
        resource_id=grant.id,
        reason=grant.reason if action == actions.GRANT_REQUESTED else None,
        request=request,
        details={
            "customer_id": grant.customer_id,
            "requester_id": grant.requester_id,
            "minutes": grant.minutes,
        },
    )
