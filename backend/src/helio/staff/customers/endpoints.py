"""Routes: /staff/customers — search, masked view, reveal, account actions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, status

from helio.authz.access import Access
from helio.authz.guards import require
from helio.authz.matrix import Perm
from helio.deps import DbSession, ServicesDep
from helio.staff.customers import account, service
from helio.staff.customers.schemas import (
    CustomerMasked,
    CustomerPage,
    Revealed,
    RevealRequest,
    SearchQueryDep,
)

router = APIRouter(prefix="/staff/customers", tags=["staff"])

CustomersRead = Annotated[Access, require(Perm.CUSTOMERS_READ)]
CustomersReveal = Annotated[Access, require(Perm.CUSTOMERS_REVEAL)]
CustomersManage = Annotated[Access, require(Perm.CUSTOMERS_MANAGE)]
CustomerId = Annotated[str, Path(max_length=64)]


@router.get("")
async def search_customers(
    access: CustomersRead,
    session: DbSession,
    services: ServicesDep,
    query: SearchQueryDep,
    request: Request,
) -> CustomerPage:
    """Find customers by exact email or phone, or name prefix; PII masked."""
    return await service.search(session, services, access, query, request)


@router.get("/{customer_id}")
async def view_customer(
    access: CustomersRead,
    session: DbSession,
    services: ServicesDep,
    customer_id: CustomerId,
    request: Request,
) -> CustomerMasked:
    """Show one customer with PII masked."""
    return await service.view(session, services, access, customer_id, request)


@router.post("/{customer_id}/reveal")
async def reveal_customer(
    access: CustomersReveal,
    session: DbSession,
    services: ServicesDep,
    customer_id: CustomerId,
    body: RevealRequest,
    request: Request,
) -> Revealed:
    """Return the chosen fields in plaintext; reason required, audited, rate limited."""
    return await service.reveal(
        session,
        services,
        access,
        customer_id,
        fields=body.fields,
        reason=body.reason,
        request=request,
    )


@router.post("/{customer_id}/unlock", status_code=status.HTTP_204_NO_CONTENT)
async def unlock_customer(
    access: CustomersManage,
    session: DbSession,
    services: ServicesDep,
    customer_id: CustomerId,
    request: Request,
) -> None:
    """Lift a sign-in lockout."""
    await account.unlock(session, services, access, customer_id, request)


@router.post("/{customer_id}/force-password-reset", status_code=status.HTTP_204_NO_CONTENT)
async def force_password_reset(
    access: CustomersManage,
    session: DbSession,
    services: ServicesDep,
    customer_id: CustomerId,
    request: Request,
) -> None:
    """Disable the password, end every session and mail a reset link."""
    await account.force_password_reset(session, services, access, customer_id, request)


@router.post("/{customer_id}/resend-verification", status_code=status.HTTP_204_NO_CONTENT)
async def resend_verification(
    access: CustomersManage,
    session: DbSession,
    services: ServicesDep,
    customer_id: CustomerId,
    request: Request,
) -> None:
    """Send a fresh email-verification link."""
    await account.resend_verification(session, services, access, customer_id, request)
