"""Staff administration: list, invite, change roles, deactivate.

Role changes and deactivation end every session of the account at once, so
a removed privilege cannot outlive the change in a cached session or token.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Target
from helio.auth import notices
from helio.auth.accounts import repository as accounts
from helio.auth.accounts.profiles import create_account, find_by_email, read_profile
from helio.auth.sessions import service as sessions
from helio.auth.tokens import issuing
from helio.auth.tokens import repository as token_rows
from helio.authz import rules, scoping
from helio.authz.matrix import Role
from helio.kit.clock import utcnow
from helio.models import User
from helio.platform.app import App
from helio.platform.context import Ctx
from helio.staff.admin import repository
from helio.staff.admin.exceptions import EmailTaken
from helio.staff.admin.schemas import StaffCreate, StaffPage, StaffQuery, StaffRead, StaffUpdate

RESOURCE = "staff"
STAFF_KIND = "staff"
INVITED, ACTIVE, DEACTIVATED = "invited", "active", "deactivated"
INVITE = "invite"
INVITE_HOURS = 72


async def _read(session: AsyncSession, app: App, user: User) -> StaffRead:
    """Return the admin view of a staff account."""
    profile = await read_profile(session, app, user)
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


async def list_staff(session: AsyncSession, ctx: Ctx, *, query: StaffQuery) -> StaffPage:
    """List staff accounts, newest first.

    Raises:
        InvalidCursor: a cursor this list did not issue (400).
    """
    rows, next_cursor = await repository.staff_page(
        session, ctx.caller, cursor=query.cursor, limit=query.limit
    )
    items = [await _read(session, ctx.app, row) for row in rows]
    return StaffPage(items=items, next_cursor=next_cursor)


async def _send_invitation(session: AsyncSession, ctx: Ctx, user: User) -> None:
    """Mail a fresh single-use invitation link; the account's older links stop working."""
    app = ctx.app
    await token_rows.retire_one_time(session, user.id, [INVITE], utcnow())
    value, _ = await issuing.issue_one_time(session, user.id, INVITE, seconds=INVITE_HOURS * 3600)
    profile = await read_profile(session, app, user)
    inviter = (await read_profile(session, app, await _me(session, ctx))).full_name
    notices.staff_invitation(
        session,
        app,
        to=profile.email,
        name=profile.full_name or "",
        inviter=inviter or "A Helio administrator",
        token=value,
        hours=INVITE_HOURS,
    )


async def invite(session: AsyncSession, ctx: Ctx, *, data: StaffCreate) -> StaffRead:
    """Create an invited staff account and mail it a single-use link (72 hours).

    The account has no password and cannot sign in until the invitation is
    accepted; then the guards allow it nothing but MFA enrolment.

    Raises:
        EmailTaken: an account already uses this email.
    """
    app = ctx.app
    if await find_by_email(session, app, data.email) is not None:
        raise EmailTaken
    try:
        async with session.begin_nested():
            user = await create_account(
                session,
                app,
                kind=STAFF_KIND,
                email=data.email,
                full_name=data.full_name,
                password_hash=None,
            )
    except IntegrityError as exc:
        raise EmailTaken from exc
    user.status = INVITED
    admin = ctx.caller.user_id
    await accounts.set_roles(session, user.id, _roles(data.roles), granted_by=admin)
    await _send_invitation(session, ctx, user)
    await audit.record(
        session,
        ctx,
        AuditAction.STAFF_INVITED,
        target=Target(RESOURCE, user.id),
        details={"roles": data.roles},
    )
    return await _read(session, app, user)


async def update(session: AsyncSession, ctx: Ctx, *, staff_id: str, data: StaffUpdate) -> StaffRead:
    """Change a staff account's roles and/or deactivate (or reactivate) it.

    Args:
        session: the request's transaction.
        ctx: the admin making the change (step-up checked by the guard).
        staff_id: the account to change.
        data: the new roles and/or `active`.

    Returns:
        The changed account.

    Raises:
        NotFound: no such staff account.
        OwnRoles: the admin targets their own account.
        LastAdmin: the change would leave no active admin.
    """
    access = ctx.caller
    admins = await repository.lock_admins(session)
    target = scoping.visible_or_404(
        await repository.visible_staff(session, access, staff_id, lock=True), access, RESOURCE
    )
    rules.not_own_account(access.user_id, target.id)
    current = await accounts.roles(session, target.id)
    new_roles = _roles(data.roles) if data.roles is not None else current
    rules.staff_roles_only(new_roles)
    active_after = target.status == ACTIVE if data.active is None else data.active
    rules.admin_remains(admins, target.id, roles_after=new_roles, active_after=active_after)
    if new_roles != current:
        await _change_roles(session, ctx, target, current, new_roles)
    if data.active is False and target.status != DEACTIVATED:
        await _deactivate(session, ctx, target)
    elif data.active is True and target.status == DEACTIVATED:
        await _reactivate(session, ctx, target)
    await session.flush()
    return await _read(session, ctx.app, target)


async def _change_roles(
    session: AsyncSession,
    ctx: Ctx,
    target: User,
    current: frozenset[Role],
    new_roles: frozenset[Role],
) -> None:
    await accounts.set_roles(session, target.id, new_roles, granted_by=ctx.caller.user_id)
    ended = await sessions.end_sessions(session, ctx, user_id=target.id, reason="roles_changed")
    await audit.record(
        session,
        ctx,
        AuditAction.STAFF_ROLES_CHANGED,
        target=Target(RESOURCE, target.id),
        details={
            "added": sorted(new_roles - current),
            "removed": sorted(current - new_roles),
            "sessions_ended": len(ended),
        },
    )


async def _deactivate(session: AsyncSession, ctx: Ctx, target: User) -> None:
    target.status = DEACTIVATED
    # A pending invitation link dies with the account's activity.
    await token_rows.retire_one_time(session, target.id, [INVITE], utcnow())
    await session.flush()
    ended = await sessions.end_sessions(session, ctx, user_id=target.id, reason="deactivated")
    await audit.record(
        session,
        ctx,
        AuditAction.STAFF_DEACTIVATED,
        target=Target(RESOURCE, target.id),
        details={"sessions_ended": len(ended)},
    )


async def _reactivate(session: AsyncSession, ctx: Ctx, target: User) -> None:
    """Reactivate an account; one that never accepted its invitation stays invited.

    An account without a password never accepted its invitation: reactivating it
    returns it to "invited" and mails a fresh single-use link (older links stop
    working), so no status change skips the invitation.
    """
    invited = target.password_hash is None
    target.status = INVITED if invited else ACTIVE
    if invited:
        await _send_invitation(session, ctx, target)
    await audit.record(
        session,
        ctx,
        AuditAction.STAFF_REACTIVATED,
        target=Target(RESOURCE, target.id),
        details={"invitation_resent": invited},
    )


def _roles(names: Sequence[str] | None) -> frozenset[Role]:
    return frozenset(Role(name) for name in names or ())


async def _me(session: AsyncSession, ctx: Ctx) -> User:
    me = await accounts.get(session, ctx.caller.user_id)
    assert me is not None, "the guard resolved this account"
    return me
