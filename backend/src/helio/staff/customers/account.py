"""Support actions on a customer account: unlock, force a password reset, resend verification.

The credential work is the authentication layer's (`helio.auth`): its lockout
counters, one-time tokens, session revocation and mails; this module decides
who may trigger it, on whom, and records it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Target
from helio.auth.accounts.profiles import Profile, read_profile, update_pii
from helio.auth.accounts.service import send_reset_link
from helio.auth.accounts.verification import send_verification
from helio.auth.login import lockout
from helio.auth.sessions import service as sessions
from helio.authz import masking
from helio.kit.clock import utcnow
from helio.mail.messages import compose
from helio.mail.outbox import send_after_commit
from helio.platform.context import Ctx
from helio.staff.customers.exceptions import AlreadyVerified
from helio.staff.customers.schemas import CustomerContactUpdate, CustomerMaskedRead
from helio.staff.customers.service import RESOURCE, masked_view, visible_customer

_MASKS: dict[str, Callable[[Any], Any]] = {
    "full_name": masking.mask_name,
    "phone": masking.mask_phone,
    "address": masking.mask_address,
}


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


async def correct_contact(
    session: AsyncSession, ctx: Ctx, *, customer_id: str, data: CustomerContactUpdate
) -> CustomerMaskedRead:
    """Correct a customer's name, phone or address; audited with masked before and after.

    The customer is told by mail which fields changed (never their values).

    Raises:
        NotFound: no such customer.
    """
    user = await visible_customer(session, ctx, customer_id=customer_id)
    before = await read_profile(session, ctx.app, user)
    changes = data.changes()
    await update_pii(session, ctx.app, user, changes)
    masked = {
        name: {"before": _MASKS[name](getattr(before, name)), "after": _MASKS[name](value)}
        for name, value in changes.items()
    }
    await audit.record(
        session,
        ctx,
        AuditAction.CUSTOMER_CONTACT_CORRECTED,
        target=Target(RESOURCE, user.id),
        reason=data.reason,
        details={"changes": masked},
    )
    _tell_customer(session, ctx, before, sorted(changes))
    return masked_view(user, await read_profile(session, ctx.app, user))


def _tell_customer(session: AsyncSession, ctx: Ctx, profile: Profile, fields: list[str]) -> None:
    settings = ctx.app.settings
    message = compose(
        settings,
        to=profile.email,
        template="contact_corrected",
        fields=", ".join(name.replace("_", " ") for name in fields),
        when=f"{utcnow():%Y-%m-%d %H:%M} UTC",
        link=f"{settings.public_url.rstrip('/')}/forgot-password",
    )
    send_after_commit(session, ctx.app.outbox, message)
