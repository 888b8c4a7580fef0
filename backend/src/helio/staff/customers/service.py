"""Staff access to customer data: masked by default, revealed per field with a reason.

Every read is scoped by the caller's reach (support and admin: all customers;
engineers: only under a live grant) and audited; reads under a grant are
also recorded as a use of that grant.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from helio import audit
from helio.audit import AuditAction, Outcome, Target
from helio.auth.accounts.profiles import Profile, name_prefix, read_profile
from helio.authz import masking, scoping
from helio.errors import RateLimited
from helio.models import User
from helio.platform.context import Ctx
from helio.staff.customers import repository
from helio.staff.customers.schemas import (
    CustomerMaskedRead,
    CustomerPage,
    RevealField,
    RevealRead,
    SearchQuery,
)
from helio.staff.grants import service as grants

RESOURCE = "customer"
_PHONE = re.compile(r"^(\+|00)[0-9 ().\-/]{6,}$")
# The name-prefix index narrows to candidates; this many are decrypted to check the rest.
_NAME_CANDIDATES = 100
_INDEX_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "email": User.email_bidx,
    "phone": User.phone_bidx,
    "name_prefix": User.name_prefix_bidx,
}


async def search(session: AsyncSession, ctx: Ctx, *, query: SearchQuery) -> CustomerPage:
    """Find visible customers by exact email or phone, or by name prefix; PII masked."""
    users = await _candidates(session, ctx, query)
    found: list[CustomerMaskedRead] = []
    for user in users:
        profile = await read_profile(session, ctx.app, user)
        if _matches_name(query.query, profile) and len(found) < query.limit:
            await _viewed(session, ctx, user.id, "search")
            found.append(masked_view(user, profile))
    return CustomerPage(items=found, next_cursor=None)


def _index_of(text: str) -> tuple[str, str, int]:
    # (blind-index kind, value to index, how many candidates to load)
    if "@" in text:
        return "email", text, 1
    if _PHONE.match(text):
        return "phone", text, 50
    return "name_prefix", name_prefix(text), _NAME_CANDIDATES


async def _candidates(session: AsyncSession, ctx: Ctx, query: SearchQuery) -> list[User]:
    kind, value, limit = _index_of(query.query)
    try:
        candidates = ctx.app.indexer.lookup_candidates(kind, value)
    except ValueError:
        return []
    column = _INDEX_COLUMNS[kind]
    return await repository.by_index(session, ctx.caller, column, candidates, limit=limit)


def _matches_name(text: str, profile: Profile) -> bool:
    # Exact email/phone hits passed the index; a name must also match beyond its indexed prefix.
    if "@" in text or _PHONE.match(text):
        return True
    wanted = "".join(text.split()).casefold()
    return "".join((profile.full_name or "").split()).casefold().startswith(wanted)


async def view(session: AsyncSession, ctx: Ctx, *, customer_id: str) -> CustomerMaskedRead:
    """Return one visible customer with PII masked.

    Raises:
        NotFound: no such customer, or not visible to the caller.
    """
    user = await visible_customer(session, ctx, customer_id=customer_id)
    profile = await read_profile(session, ctx.app, user)
    await _viewed(session, ctx, user.id, "view")
    return masked_view(user, profile)


async def reveal(
    session: AsyncSession,
    ctx: Ctx,
    *,
    customer_id: str,
    fields: list[RevealField],
    reason: str,
) -> RevealRead:
    """Return the plaintext of the chosen fields; the reason goes to the audit trail.

    Args:
        session: the request's transaction.
        ctx: the caller (support, admin, or an engineer under a grant).
        customer_id: whose data.
        fields: which fields to reveal; only these are returned.
        reason: why, as the caller stated it.

    Returns:
        The requested fields in plaintext.

    Raises:
        RateLimited: the caller revealed too much lately (429, audited as denied).
        NotFound: no such customer, or not visible to the caller.
    """
    await _reveal_allowed(ctx, customer_id)
    user = await visible_customer(session, ctx, customer_id=customer_id)
    profile = await read_profile(session, ctx.app, user)
    names = [field.value for field in fields]
    await audit.record(
        session,
        ctx,
        AuditAction.CUSTOMER_REVEALED,
        target=Target(RESOURCE, user.id),
        reason=reason,
        details={"fields": names},
    )
    await grants.record_use(session, ctx, customer_id=user.id, use="reveal")
    values: dict[str, Any] = {name: getattr(profile, name) for name in names}
    return RevealRead(id=user.id, fields=values)


async def _reveal_allowed(ctx: Ctx, customer_id: str) -> None:
    rate = ctx.app.staff_policy.reveal_rate
    allowed, retry_after = await ctx.app.limiter.hit(rate, "reveal", ctx.caller.user_id)
    if allowed:
        return
    await audit.record_separately(
        ctx.app.db,
        ctx,
        AuditAction.CUSTOMER_REVEALED,
        outcome=Outcome.DENIED,
        target=Target(RESOURCE, customer_id),
        details={"refused": "rate_limited"},
    )
    raise RateLimited(retry_after)


async def visible_customer(session: AsyncSession, ctx: Ctx, *, customer_id: str) -> User:
    """Return a customer the caller may see.

    Raises:
        NotFound: no such customer, or not visible to the caller.
    """
    access = ctx.caller
    return scoping.visible_or_404(
        await repository.get_visible(session, access, customer_id), access, RESOURCE
    )


async def _viewed(session: AsyncSession, ctx: Ctx, customer_id: str, via: str) -> None:
    await audit.record(
        session,
        ctx,
        AuditAction.CUSTOMER_VIEWED,
        target=Target(RESOURCE, customer_id),
        details={"via": via},
    )
    await grants.record_use(session, ctx, customer_id=customer_id, use=via)


def masked_view(user: User, profile: Profile) -> CustomerMaskedRead:
    """Return the masked form of a customer."""
    return CustomerMaskedRead(
        id=user.id,
        status=user.status,
        email=masking.mask_email(profile.email),
        full_name=masking.mask_name(profile.full_name),
        phone=masking.mask_phone(profile.phone),
        address=masking.mask_address(profile.address),
        has_notes=bool(profile.notes),
        email_verified=profile.email_verified,
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )
