"""Object-level authorization: one policy per resource type, as a SQL condition.

Repositories add the condition to every query, so the same rule filters lists
and gates single objects: `select(Site).where(Site.id == site_id,
scoping.sites(access))`. A row the condition hides does not exist for the
caller, and `visible_or_404` turns that into the 404 of API.md, never a 403.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import ColumnElement, and_, exists, false, or_, true
from sqlalchemy.orm import InstrumentedAttribute

from helio.authz.access import Access
from helio.authz.matrix import Reach
from helio.errors import NotFound
from helio.kit.clock import utcnow
from helio.logging import get_logger
from helio.models import AccessGrant, Document, Lead, Order, PaymentRequest, Quote, Site, User

log = get_logger("authz")

T = TypeVar("T")

CUSTOMER_KIND = "customer"
STAFF_KIND = "staff"
GRANT_APPROVED = "approved"


def active_grant(
    engineer_id: str, customer_id: InstrumentedAttribute[str] | str
) -> ColumnElement[bool]:
    """Return "an approved, unexpired, unrevoked grant of this engineer covers this customer"."""
    return exists().where(
        AccessGrant.customer_id == customer_id,
        AccessGrant.requester_id == engineer_id,
        AccessGrant.status == GRANT_APPROVED,
        AccessGrant.revoked_at.is_(None),
        AccessGrant.expires_at > utcnow(),
    )


def _customer_data(access: Access, owner: InstrumentedAttribute[str]) -> ColumnElement[bool]:
    # The reach decides whose data: the caller's own, granted customers', or anyone's.
    if access.reach == Reach.ALL:
        return true()
    if access.reach == Reach.OWN:
        return owner == access.user_id
    if access.reach == Reach.GRANTED:
        return active_grant(access.user_id, owner)
    return false()


def customers(access: Access) -> ColumnElement[bool]:
    """Customer accounts the caller may see (never staff accounts, never deleted ones).

    OWN: only the caller; GRANTED: only customers under the caller's live
    grant; ALL: every customer; anything else: none.
    """
    base = and_(User.kind == CUSTOMER_KIND, User.deleted_at.is_(None))
    return and_(base, _customer_data(access, User.id))


def sites(access: Access) -> ColumnElement[bool]:
    """Sites the caller may see: by the reach over their owner."""
    return _customer_data(access, Site.owner_id)


def quotes(access: Access) -> ColumnElement[bool]:
    """Quotes of customers the caller may see; lead quotes only with ALL.

    A salesperson's ASSIGNED reach is over their leads, and this policy knows
    no lead assignments, so it denies them every customer quote.
    """
    if access.reach == Reach.ALL:
        return true()
    return and_(Quote.owner_type == CUSTOMER_KIND, _customer_data(access, Quote.owner_id))


def _lead_customers(
    salesperson_id: str, customer_id: InstrumentedAttribute[str]
) -> ColumnElement[bool]:
    """Return "the customer came from a lead assigned to this salesperson"."""
    return exists().where(Lead.customer_id == customer_id, Lead.assignee_id == salesperson_id)


def orders(access: Access) -> ColumnElement[bool]:
    """Orders the caller may see: a customer their own, a salesperson those of their leads'
    customers (ASSIGNED), an engineer only under a live grant, support and admin all."""
    if access.reach == Reach.ASSIGNED:
        return _lead_customers(access.user_id, Order.customer_id)
    return _customer_data(access, Order.customer_id)


def payments(access: Access) -> ColumnElement[bool]:
    """Payment requests the caller may see: by the reach over their customer."""
    return _customer_data(access, PaymentRequest.customer_id)


def documents(access: Access) -> ColumnElement[bool]:
    """Documents the caller may see: by the reach over their owner (a customer their own,
    an engineer only under a live grant, support and admin all)."""
    return _customer_data(access, Document.owner_id)


def leads(access: Access) -> ColumnElement[bool]:
    """Leads the caller may see: a salesperson their own and the unassigned ones (ASSIGNED).

    No customer reach applies: a lead is nobody's account, so OWN and GRANTED see none.
    """
    if access.reach == Reach.ALL:
        return true()
    if access.reach == Reach.ASSIGNED:
        return or_(Lead.assignee_id == access.user_id, Lead.assignee_id.is_(None))
    return false()


def grants(access: Access) -> ColumnElement[bool]:
    """Access grants the caller may see: their own requests (OWN) or all (ALL)."""
    if access.reach == Reach.ALL:
        return true()
    if access.reach == Reach.OWN:
        return AccessGrant.requester_id == access.user_id
    return false()


def staff(access: Access) -> ColumnElement[bool]:
    """Staff accounts the caller may see (only with ALL: admins)."""
    return User.kind == STAFF_KIND if access.reach == Reach.ALL else false()


def visible_or_404(row: T | None, access: Access, resource: str) -> T:
    """Return the row, or raise NotFound when it is missing or hidden from the caller.

    Args:
        row: what the scoped query returned.
        access: the caller's access (logged on a miss, for IDOR detection).
        resource: the resource type, for the log.

    Returns:
        The row itself.

    Raises:
        NotFound: the object does not exist or the caller may not see it.
    """
    if row is None:
        log.info(
            "authz_not_visible",
            user_id=access.user_id,
            perm=access.perm.value,
            reach=access.reach.name,
            resource=resource,
        )
        raise NotFound
    return row
