"""Support actions on a customer account: unlock, force a password reset, resend verification.

The credential work is the authentication layer's (`helio.auth`): its lockout
counters, one-time tokens, session revocation and mails; this module decides
who may trigger it, on whom, and records it.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Target
from helio.auth.accounts.profiles import read_profile
from helio.auth.accounts.service import send_reset_link
from helio.auth.accounts.verification import send_verification
from helio.auth.login import lockout
from helio.auth.sessions import service as sessions
from helio.platform.context import Ctx
from helio.staff.customers.exceptions import AlreadyVerified
from helio.staff.customers.service import RESOURCE, visible_customer


async def unlock(session: AsyncSession, ctx: Ctx, *, customer_id: str) -> None:
    """Lift the sign-in delay or lockout of a customer account.

    Raises:
        NotFound: no such customer.
    """
    user = await visible_customer(session, ctx, customer_id=customer_id)
    profile = await read_profile(session, ctx.app, user)
    await lockout.unlock(ctx.app, profile.email)
    await audit.record(
        session, ctx, AuditAction.CUSTOMER_UNLOCKED, target=Target(RESOURCE, user.id)
    )


async def force_password_reset(session: AsyncSession, ctx: Ctx, *, customer_id: str) -> int:
    """Disable the current password, end every session and mail a reset link.

    For an account believed compromised: the old password stops working at
    once, so the holder must choose a new one through the emailed link.

    Args:
        session: the request's transaction.
        ctx: the support or admin caller.
        customer_id: the account.

    Returns:
        How many sessions were ended.

    Raises:
        NotFound: no such customer.
    """
    user = await visible_customer(session, ctx, customer_id=customer_id)
    user.password_hash = None
    ended = await sessions.end_sessions(session, ctx, user_id=user.id, reason="reset_forced")
    await send_reset_link(session, ctx, user=user)
    await audit.record(
        session,
        ctx,
        AuditAction.CUSTOMER_PASSWORD_RESET_FORCED,
        target=Target(RESOURCE, user.id),
        details={"sessions_ended": len(ended)},
    )
    return len(ended)


async def resend_verification(session: AsyncSession, ctx: Ctx, *, customer_id: str) -> None:
    """Send a fresh verification link (the per-hour mail limit of sign-up still applies).

    Raises:
        NotFound: no such customer.
        AlreadyVerified: nothing to verify.
    """
    user = await visible_customer(session, ctx, customer_id=customer_id)
    if user.email_verified_at is not None:
        raise AlreadyVerified
    await send_verification(session, ctx.app, user)
    await audit.record(
        session, ctx, AuditAction.CUSTOMER_VERIFICATION_RESENT, target=Target(RESOURCE, user.id)
    )
