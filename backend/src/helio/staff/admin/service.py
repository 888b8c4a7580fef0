"""Staff administration: list, invite, change roles, deactivate.

Role changes and deactivation end every session of the account at once, so
a removed privilege cannot outlive the change in a cached session or token.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import Request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from helio.accounts import repository as accounts
from helio.accounts.service import create_account, find_by_email, read_profile
from helio.audit.service import record
from helio.auth import notices, sessions, tokens
from helio.authz import rules, scoping
from helio.authz.access import Access
from helio.authz.matrix import Role
from helio.errors import Conflict
from helio.models import User
from helio.services import Services
from helio.staff import actions, pagination
from helio.staff.admin import repository
from helio.staff.admin.schemas import StaffInvite, StaffPage, StaffQuery, StaffRead, StaffUpdate

RESOURCE = "staff"
STAFF_KIND = "staff"
INVITED, ACTIVE, DEACTIVATED = "invited", "active", "deactivated"
INVITE = "invite"
INVITE_HOURS = 72


class EmailTaken(Conflict):
    code, message = "email_taken", "An account with this email address already exists."


async def read(session: AsyncSession, services: Services, user: User) -> StaffRead:
    """Return the admin view of a staff account."""
    profile = await read_profile(session, services, user)
    passkeys = await repository.passkey_holders(session, [user.id])
    return StaffRead(
        id=user.id,
        email=profile.email,
        full_name=profile.full_name,
        roles=sorted(profile.roles),
        status=user.status,
        mfa_methods=mfa_methods(user, user.id in passkeys),
        last_login_at=user.last_login_at,
        created_at=user.created_at,
    )


def mfa_methods(user: User, has_passkey: bool) -> list[str]:
    """Return the second factors an account has set up."""
    methods = ["totp"] if user.totp_confirmed_at is not None else []
    return [*methods, "webauthn"] if has_passkey else methods


async def list_staff(
    session: AsyncSession, services: Services, access: Access, query: StaffQuery
) -> StaffPage:
    """List staff accounts, newest first."""
    rows = await repository.staff_page(
        session, access, limit=query.limit + 1, after=pagination.decode(query.cursor)
    )
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    cursor = pagination.encode(rows[-1].created_at, rows[-1].id) if more else None
    return StaffPage(items=[await read(session, services, row) for row in rows], next_cursor=cursor)


async def invite(
    session: AsyncSession,
    services: Services,
    access: Access,
    body: StaffInvite,
    request: Request | None = None,
) -> User:
    """Create an invited staff account and mail it a single-use link (72 hours).

    The account has no password and cannot sign in until the invitation is
    accepted; then the guards allow it nothing but MFA enrolment.

    Raises:
        EmailTaken: an account already uses this email.
    """
    if await find_by_email(session, services, body.email) is not None:
        raise EmailTaken
    try:
        async with session.begin_nested():
            user = await create_account(
                session,
                services,
                kind=STAFF_KIND,
                email=body.email,
                full_name=body.full_name,
                password_hash=None,
            )
    except IntegrityError as exc:
        raise EmailTaken from exc
    user.status = INVITED
    await accounts.set_roles(session, user.id, _roles(body.roles), granted_by=access.user_id)
    value, _ = await tokens.issue_one_time(session, user.id, INVITE, seconds=INVITE_HOURS * 3600)
    inviter = (await read_profile(session, services, await _me(session, access))).full_name
    notices.staff_invitation(
        session,
        services,
        to=body.email,
        name=body.full_name,
        inviter=inviter or "A Helio administrator",
        token=value,
        hours=INVITE_HOURS,
    )
    await _audit(session, access, actions.STAFF_INVITED, user, request, {"roles": body.roles})
    return user


async def update(
    session: AsyncSession,
    services: Services,
    access: Access,
    staff_id: str,
    body: StaffUpdate,
    request: Request | None = None,
) -> User:
    """Change a staff account's roles and/or deactivate (or reactivate) it.

    Args:
        session: the request's transaction.
        services: the app services (session revocation marks).
        access: the admin making the change (step-up checked by the guard).
        staff_id: the account to change.
        body: the new roles and/or `active`.
        request: for the audit events.

    Returns:
        The changed account.

    Raises:
        NotFound: no such staff account.
        OwnRoles: the admin targets their own account.
        LastAdmin: the change would leave no active admin.
    """
    admins = await repository.lock_admins(session)
    target = scoping.visible_or_404(
        await repository.visible_staff(session, access, staff_id, lock=True), access, RESOURCE
    )
    rules.not_own_account(access.user_id, target.id)
    current = await accounts.roles(session, target.id)
    new_roles = _roles(body.roles) if body.roles is not None else current
    rules.staff_roles_only(new_roles)
    active_after = target.status == ACTIVE if body.active is None else body.active
    rules.admin_remains(admins, target.id, roles_after=new_roles, active_after=active_after)
    if new_roles != current:
        await _change_roles(session, services, access, target, current, new_roles, request)
    if body.active is False and target.status != DEACTIVATED:
        await _deactivate(session, services, access, target, request)
    elif body.active is True and target.status == DEACTIVATED:
        target.status = ACTIVE
        await _audit(session, access, actions.STAFF_REACTIVATED, target, request)
    await session.flush()
    return target


async def _change_roles(
    session: AsyncSession,
    services: Services,
    access: Access,
    target: User,
    current: frozenset[Role],
    new_roles: frozenset[Role],
    request: Request | None,
) -> None:
    await accounts.set_roles(session, target.id, new_roles, granted_by=access.user_id)
    ended = await sessions.revoke(session, services, target.id, reason="roles_changed")
    details = {
        "added": sorted(new_roles - current),
        "removed": sorted(current - new_roles),
        "sessions_ended": len(ended),
    }
    await _audit(session, access, actions.STAFF_ROLES_CHANGED, target, request, details)


async def _deactivate(
    session: AsyncSession,
    services: Services,
    access: Access,
    target: User,
    request: Request | None,
) -> None:
    target.status = DEACTIVATED
    await session.flush()
    ended = await sessions.revoke(session, services, target.id, reason="deactivated")
    details = {"sessions_ended": len(ended)}
    await _audit(session, access, actions.STAFF_DEACTIVATED, target, request, details)


def _roles(names: Sequence[str] | None) -> frozenset[Role]:
    return frozenset(Role(name) for name in names or ())


async def _me(session: AsyncSession, access: Access) -> User:
    me = await accounts.get(session, access.user_id)
    assert me is not None, "the guard resolved this account"
    return me


async def _audit(
    session: AsyncSession,
    access: Access,
    action: str,
    target: User,
    request: Request | None,
    details: Mapping[str, object] | None = None,
) -> None:
    await record(
        session,
        action=action,
        actor=access.principal,
        resource_type=RESOURCE,
        resource_id=target.id,
        request=request,
        details=dict(details) if details is not None else None,
    )
