"""Routes: /staff/customers — search, masked view, reveal, account actions."""

from __future__ import annotations

from fastapi import APIRouter, status

from helio.http.deps import DbSession, RequestCtx
from helio.http.openapi import errors
from helio.staff.customers import account, service
from helio.staff.customers.deps import (
    CustomerId,
    CustomersManage,
    CustomersRead,
    CustomersReveal,
    SearchParams,
)
from helio.staff.customers.schemas import (
    CustomerContactUpdate,
    CustomerMaskedRead,
    CustomerPage,
    RevealCreate,
    RevealRead,
)

router = APIRouter(prefix="/staff/customers", tags=["staff"])


@router.get("")
async def search_customers(
    query: SearchParams, access: CustomersRead, ctx: RequestCtx, session: DbSession
) -> CustomerPage:
    """Find customers by exact email or phone, or name prefix; PII masked."""
    return await service.search(session, ctx.with_access(access), query=query)


@router.get("/{customer_id}")
async def view_customer(
    customer_id: CustomerId, access: CustomersRead, ctx: RequestCtx, session: DbSession
) -> CustomerMaskedRead:
    """Show one customer with PII masked."""
    return await service.view(session, ctx.with_access(access), customer_id=customer_id)


@router.patch("/{customer_id}", responses=errors(409))
async def correct_contact(
    customer_id: CustomerId,
    body: CustomerContactUpdate,
    access: CustomersManage,
    ctx: RequestCtx,
    session: DbSession,
) -> CustomerMaskedRead:
    """Correct the customer's name, phone or address (reason required; audited, customer told)."""
    return await account.correct_contact(
        session, ctx.with_access(access), customer_id=customer_id, data=body
    )


@router.post("/{customer_id}/reveal", responses=errors(429))
async def reveal_customer(
    customer_id: CustomerId,
    body: RevealCreate,
    access: CustomersReveal,
    ctx: RequestCtx,
    session: DbSession,
) -> RevealRead:
    """Return the chosen fields in plaintext; reason required, audited, rate limited."""
    return await service.reveal(
        session,
        ctx.with_access(access),
        customer_id=customer_id,
        fields=body.fields,
        reason=body.reason,
    )


@router.post("/{customer_id}/unlock", status_code=status.HTTP_204_NO_CONTENT)
async def unlock_customer(
    customer_id: CustomerId, access: CustomersManage, ctx: RequestCtx, session: DbSession
) -> None:
    """Lift a sign-in lockout."""
    await account.unlock(session, ctx.with_access(access), customer_id=customer_id)


@router.post("/{customer_id}/force-password-reset", status_code=status.HTTP_204_NO_CONTENT)
async def force_password_reset(
    customer_id: CustomerId, access: CustomersManage, ctx: RequestCtx, session: DbSession
) -> None:
    """Disable the password, end every session and mail a reset link."""
    await account.force_password_reset(session, ctx.with_access(access), customer_id=customer_id)


@router.post(
    "/{customer_id}/resend-verification",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(409),
)
async def resend_verification(
    customer_id: CustomerId, access: CustomersManage, ctx: RequestCtx, session: DbSession
) -> None:
    """Send a fresh email-verification link."""
    await account.resend_verification(session, ctx.with_access(access), customer_id=customer_id)
