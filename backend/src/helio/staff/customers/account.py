"""Support actions on a customer account: unlock, force a password reset, resend verification.

The credential work is the authentication layer's (`helio.auth`): its lockout
counters, one-time tokens, session revocation and mails; this module decides
who may trigger it, on whom, and records it.
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from helio.accounts.service import read_profile
from helio.audit.service import record
from helio.auth import lockout, notices, sessions, tokens
from helio.auth import repository as auth_repository
from helio.auth import service as auth_service
from helio.auth.policy import policy_of
from helio.authz import scoping
from helio.authz.access import Access
from helio.errors import Conflict
from helio.kit.clock import utcnow
from helio.models import User
from helio.services import Services
from helio.staff import actions
from helio.staff.customers import repository

RESOURCE = "customer"


class AlreadyVerified(Conflict):
    code, message = "already_verified", "This email address is already verified."


async def unlock(
    session: AsyncSession,
    services: Services,
    access: Access,
    customer_id: str,
    request: Request | None = None,
) -> None:
    """Lift the sign-in delay or lockout of a customer account.

    Raises:
        NotFound: no such customer.
    """
    user = await _customer(session, access, customer_id)
    profile = await read_profile(session, services, user)
    await lockout.unlock(services, profile.email)
    await _audit(session, access, actions.CUSTOMER_UNLOCKED, user, request)


async def force_password_reset(
    session: AsyncSession,
    services: Services,
    access: Access,
    customer_id: str,
    request: Request | None = None,
) -> int:
    """Disable the current password, end every session and mail a reset link.

    For an account believed compromised: the old password stops working at
    once, so the holder must choose a new one through the emailed link.

    Args:
        session: the request's transaction.
        services: the app services.
        access: the support or admin caller.
        customer_id: the account.
        request: for the audit event.

    Returns:
        How many sessions were ended.

    Raises:
        NotFound: no such customer.
    """
    user = await _customer(session, access, customer_id)
    user.password_hash = None
    ended = await sessions.revoke(session, services, user.id, reason="reset_forced")
    await auth_repository.retire_one_time(session, user.id, [tokens.PASSWORD_RESET], utcnow())
    seconds = policy_of(services).password_reset_seconds
    value, _ = await tokens.issue_one_time(session, user.id, tokens.PASSWORD_RESET, seconds=seconds)
    await notices.reset(session, services, user, value)
    await _audit(
        session,
        access,
        actions.CUSTOMER_RESET_FORCED,
        user,
        request,
        {"sessions_ended": len(ended)},
    )
    return len(ended)


async def resend_verification(
    session: AsyncSession,
    services: Services,
    access: Access,
    customer_id: str,
    request: Request | None = None,
) -> None:
    """Send a fresh verification link (the per-hour mail limit of sign-up still applies).

    Raises:
        NotFound: no such customer.
        AlreadyVerified: nothing to verify.
    """
    user = await _customer(session, access, customer_id)
    if user.email_verified_at is not None:
        raise AlreadyVerified
    await auth_service.send_verification(session, services, user)
    await _audit(session, access, actions.CUSTOMER_VERIFICATION_RESENT, user, request)


async def _customer(session: AsyncSession, access: Access, customer_id: str) -> User:
    return scoping.visible_or_404(
        await repository.visible(session, access, customer_id), access, RESOURCE
    )


async def _audit(
    session: AsyncSession,
    access: Access,
    action: str,
    user: User,
    request: Request | None,
    details: dict[str, int] | None = None,
) -> None:
    await record(
        session,
        action=action,
        actor=access.principal,
        resource_type=RESOURCE,
        resource_id=user.id,
        request=request,
        details=details,
    )
