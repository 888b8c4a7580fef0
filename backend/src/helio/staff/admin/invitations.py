"""Accept a staff invitation: the emailed single-use token sets the first password.

The account then signs in like any other; as staff without a second factor
its sessions may only enrol MFA (the guard's `mfa_required`) until it has one.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Outcome, Target
from helio.auth.accounts import repository as accounts
from helio.auth.accounts.exceptions import InvalidLinkToken
from helio.auth.accounts.profiles import read_profile
from helio.auth.login import lockout
from helio.auth.login.password_policy import check_password_async
from helio.auth.login.passwords import hash_password
from helio.auth.tokens import issuing
from helio.kit.clock import utcnow
from helio.platform.context import Ctx
from helio.staff.admin.service import ACTIVE, INVITE, INVITED, RESOURCE


async def accept(session: AsyncSession, ctx: Ctx, *, token: str, password: str) -> None:
    """Set the invited account's password and activate it; the token works once.

    Args:
        session: the request's transaction.
        ctx: the anonymous request's context (its address is rate limited on failures).
        token: the token from the invitation link.
        password: the chosen password, checked against the password policy.

    Raises:
        InvalidLinkToken: unknown, used or expired token, or the account is no longer invited.
        ValidationFailed: the password breaks the policy (the token stays usable).
        TooManyAttempts: too many failures from this address.
    """
    await lockout.check_address(ctx.app, ctx.client_ip)
    row = await issuing.find_one_time(session, (INVITE,), token)
    user = await accounts.get(session, row.user_id) if row else None
    if row is None or user is None or user.status != INVITED:
        await _refuse(ctx)
    assert user is not None
    profile = await read_profile(session, ctx.app, user)
    await check_password_async(password, email=profile.email, name=profile.full_name)
    if await issuing.consume_one_time(session, (INVITE,), token) is None:
        await _refuse(ctx)
    now = utcnow()
    user.password_hash = await hash_password(password)
    user.password_changed_at = now
    # The link proved control of the mailbox.
    user.email_verified_at = user.email_verified_at or now
    user.status = ACTIVE
    await audit.record(
        session,
        ctx,
        AuditAction.STAFF_INVITATION_ACCEPTED,
        actor_id=user.id,
        target=Target(RESOURCE, user.id),
    )


async def _refuse(ctx: Ctx) -> None:
    await lockout.record_failure(ctx.app, ctx.client_ip, None)
    await audit.record_separately(
        ctx.app.db,
        ctx,
        AuditAction.STAFF_INVITATION_ACCEPTED,
        outcome=Outcome.DENIED,
        details={"refused": "invalid_token"},
    )
    raise InvalidLinkToken
