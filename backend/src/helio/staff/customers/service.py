"""Staff access to customer data: masked by default, revealed per field with a reason.

Every read is scoped by the caller's reach (support and admin: all customers;
engineers: only under a live grant) and audited; reads under a grant are
also recorded as a use of that grant.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from helio.accounts.service import Profile, name_prefix, read_profile
from helio.audit.service import record, record_separately
from helio.authz import masking, scoping
from helio.authz.access import Access
from helio.errors import RateLimited
from helio.models import User
from helio.services import Services
from helio.staff import actions
from helio.staff.customers import repository
from helio.staff.customers.schemas import (
    CustomerMasked,
    CustomerPage,
    Revealed,
    RevealField,
    SearchQuery,
)
from helio.staff.grants import service as grants

RESOURCE = "customer"
# Per staff member: enough for a support shift, too few to copy the customer base.
REVEAL_RATE = "10/hour"
REVEAL_RATE_KEY = "staff_reveal_rate"
_PHONE = re.compile(r"^(\+|00)[0-9 ().\-/]{6,}$")
# The name-prefix index narrows to candidates; this many are decrypted to check the rest.
_NAME_CANDIDATES = 100
_INDEX_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "email": User.email_bidx,
    "phone": User.phone_bidx,
    "name_prefix": User.name_prefix_bidx,
}


async def search(
    session: AsyncSession,
    services: Services,
    access: Access,
    query: SearchQuery,
    request: Request | None = None,
) -> CustomerPage:
    """Find visible customers by exact email or phone, or by name prefix; PII masked."""
    users = await _candidates(session, services, access, query)
    found: list[CustomerMasked] = []
    for user in users:
        profile = await read_profile(session, services, user)
        if _matches_name(query.query, profile) and len(found) < query.limit:
            await _viewed(session, access, user.id, "search", request)
            found.append(masked_view(user, profile))
    return CustomerPage(items=found)


def _index_of(text: str) -> tuple[str, str, int]:
    # (blind-index kind, value to index, how many candidates to load)
    if "@" in text:
        return "email", text, 1
    if _PHONE.match(text):
        return "phone", text, 50
    return "name_prefix", name_prefix(text), _NAME_CANDIDATES


async def _candidates(
    session: AsyncSession, services: Services, access: Access, query: SearchQuery
) -> list[User]:
    kind, value, limit = _index_of(query.query)
    try:
        candidates = services.indexer.lookup_candidates(kind, value)
    except ValueError:
        return []
    column = _INDEX_COLUMNS[kind]
    return await repository.by_index(session, access, column, candidates, limit=limit)


def _matches_name(text: str, profile: Profile) -> bool:
    # Exact email/phone hits passed the index; a name must also match beyond its indexed prefix.
    if "@" in text or _PHONE.match(text):
        return True
    wanted = "".join(text.split()).casefold()
    return "".join((profile.full_name or "").split()).casefold().startswith(wanted)


async def view(
    session: AsyncSession,
    services: Services,
    access: Access,
    customer_id: str,
    request: Request | None = None,
) -> CustomerMasked:
    """Return one visible customer with PII masked.

    Raises:
        NotFound: no such customer, or not visible to the caller.
    """
    user = await _visible(session, access, customer_id)
    profile = await read_profile(session, services, user)
    await _viewed(session, access, user.id, "view", request)
    return masked_view(user, profile)


async def reveal(
    session: AsyncSession,
    services: Services,
    access: Access,
    customer_id: str,
    *,
    fields: list[RevealField],
    reason: str,
    request: Request | None = None,
) -> Revealed:
    """Return the plaintext of the chosen fields; the reason goes to the audit trail.

    Args:
        session: the request's transaction.
        services: the app services.
        access: the caller (support, admin, or an engineer under a grant).
        customer_id: whose data.
        fields: which fields to reveal; only these are returned.
        reason: why, as the caller stated it.
        request: for the audit event's request metadata.

    Returns:
        The requested fields in plaintext.

    Raises:
        RateLimited: the caller revealed too much lately (429, audited as denied).
        NotFound: no such customer, or not visible to the caller.
    """
    await _reveal_allowed(services, access, customer_id, request)
    user = await _visible(session, access, customer_id)
    profile = await read_profile(session, services, user)
    names = [field.value for field in fields]
    await record(
        session,
        action=actions.CUSTOMER_REVEALED,
        actor=access.principal,
        resource_type=RESOURCE,
        resource_id=user.id,
        reason=reason,
        request=request,
        details={"fields": names},
    )
    await grants.record_use(session, access, user.id, use="reveal", request=request)
    values: dict[str, Any] = {name: getattr(profile, name) for name in names}
    return Revealed(id=user.id, fields=values)


async def _reveal_allowed(
    services: Services, access: Access, customer_id: str, request: Request | None
) -> None:
    rate = str(services.extras.get(REVEAL_RATE_KEY, REVEAL_RATE))
    allowed, retry_after = await services.limiter.hit(rate, "reveal", access.user_id)
    if allowed:
        return
    await record_separately(
        services.db,
        action=actions.CUSTOMER_REVEALED,
        outcome="denied",
        actor=access.principal,
        resource_type=RESOURCE,
        resource_id=customer_id,
        request=request,
        details={"refused": "rate_limited"},
    )
    raise RateLimited(retry_after)


async def _visible(session: AsyncSession, access: Access, customer_id: str) -> User:
    return scoping.visible_or_404(
        await repository.visible(session, access, customer_id), access, RESOURCE
    )


async def _viewed(
    session: AsyncSession, access: Access, customer_id: str, via: str, request: Request | None
) -> None:
    await record(
        session,
        action=actions.CUSTOMER_VIEWED,
        actor=access.principal,
        resource_type=RESOURCE,
        resource_id=customer_id,
        request=request,
        details={"via": via},
    )
    await grants.record_use(session, access, customer_id, use=via, request=request)


def masked_view(user: User, profile: Profile) -> CustomerMasked:
    """Return the masked form of a customer."""
    return CustomerMasked(
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
