"""Accept a staff invitation: the emailed single-use token sets the first password.

The account then signs in like any other; as staff without a second factor
its sessions may only enrol MFA (the guard's `mfa_required`) until it has one.
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from helio.accounts import repository as accounts
from helio.accounts.service import read_profile
from helio.audit.service import record, record_separately
from helio.auth import lockout, tokens
from helio.auth.exceptions import InvalidLinkToken
from helio.auth.password_policy import check_password_async
from helio.auth.passwords import hash_password
from helio.deps import client_ip
from helio.kit.clock import utcnow
from helio.services import Services
from helio.staff import actions
from helio.staff.admin.service import ACTIVE, INVITE, INVITED, RESOURCE


async def accept(
    session: AsyncSession, services: Services, request: Request, *, token: str, password: str
) -> None:
    """Set the invited account's password and activate it; the token works once.

    Args:
        session: the request's transaction.
        services: the app services.
        request: the anonymous request (its address is rate limited on failures).
        token: the token from the invitation link.
        password: the chosen password, checked against the password policy.

    Raises:
        InvalidLinkToken: unknown, used or expired token, or the account is no longer invited.
        ValidationFailed: the password breaks the policy (the token stays usable).
        TooManyAttempts: too many failures from this address.
    """
    ip = client_ip(request)
    await lockout.check_address(services, ip)
    row = await tokens.find_one_time(session, (INVITE,), token)
    user = await accounts.get(session, row.user_id) if row else None
    if row is None or user is None or user.status != INVITED:
        await _refuse(services, request, ip)
    assert user is not None
    profile = await read_profile(session, services, user)
    await check_password_async(password, email=profile.email, name=profile.full_name)
    if await tokens.consume_one_time(session, (INVITE,), token) is None:
        await _refuse(services, request, ip)
    now = utcnow()
    user.password_hash = await hash_password(password)
    user.password_changed_at = now
    # The link proved control of the mailbox.
    user.email_verified_at = user.email_verified_at or now
    user.status = ACTIVE
    await record(
        session,
        action=actions.STAFF_INVITATION_ACCEPTED,
        actor_id=user.id,
        resource_type=RESOURCE,
        resource_id=user.id,
        request=request,
    )


async def _refuse(services: Services, request: Request, ip: str) -> None:
    await lockout.record_failure(services, ip, None)
    await record_separately(
        services.db,
        action=actions.STAFF_INVITATION_ACCEPTED,
        outcome="denied",
        request=request,
        details={"refused": "invalid_token"},
    )
    raise InvalidLinkToken
