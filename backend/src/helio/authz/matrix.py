"""WHO MAY DO WHAT: the whole permission matrix, one table, no logic.

Permissions down, roles across; each cell is the reach of that role:
NONE (deny), OWN (the caller's own objects), ASSIGNED (objects assigned to
the caller, e.g. a salesperson's leads), GRANTED (only with an approved
just-in-time grant for that customer), ALL. A permission missing from a
row is NONE: deny by default.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Role(StrEnum):
    CUSTOMER = "customer"
    SUPPORT = "support"
    SALES = "sales"
    ENGINEER = "engineer"
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.SUPPORT, Role.SALES, Role.ENGINEER, Role.ADMIN})


class Reach(IntEnum):
    NONE = 0
    OWN = 1
    ASSIGNED = 2
    GRANTED = 3
    ALL = 4


class Perm(StrEnum):
    # Any signed-in account, on itself
    SESSION_SELF = (
        "session:self"  # logout, list/revoke own sessions, MFA enrolment, password change
    )
    # Customer domain
    PROFILE_READ = "profile:read"
    PROFILE_UPDATE = "profile:update"
    ACCOUNT_DELETE = "account:delete"
    DATA_EXPORT = "data:export"
    SITES_READ = "sites:read"
    SITES_WRITE = "sites:write"
    QUOTES_READ = "quotes:read"
    QUOTES_CREATE = "quotes:create"
    ORDERS_READ = "orders:read"
    ORDERS_CREATE = "orders:create"  # needs a second factor enrolled (PRODUCT.md A07)
    ORDERS_CANCEL = "orders:cancel"  # the customer's own, in the early steps only
    PAYMENTS_CREATE = "payments:create"  # ask to pay an order's deposit
    DOCUMENTS_READ = "documents:read"  # list and download the customer's own documents
    DOCUMENTS_CREATE = "documents:create"  # upload a roof photo or a bill
    # Staff console
    CUSTOMERS_READ = "customers:read"  # search and masked view
    CUSTOMERS_REVEAL = "customers:reveal"
    CUSTOMERS_MANAGE = "customers:manage"  # unlock, force reset, resend verification
    LEAD_QUOTES_CREATE = "lead_quotes:create"
    STAFF_ORDERS_READ = "staff_orders:read"  # list, view and timeline, contact masked
    ORDERS_MANAGE = "orders:manage"  # reschedule, correct the on-site contact
    ORDERS_TRANSITION = "orders:transition"  # the transition route; each step below too
    STAFF_DOCUMENTS_READ = "staff_documents:read"  # download a customer's document; audited
    # Which workflow step a role may record (`helio.orders.workflow.STEP_PERMISSIONS`).
    ORDER_STEP_SCHEDULE = "order_step:schedule"  # survey_scheduled, install_scheduled
    ORDER_STEP_PROGRESS = "order_step:progress"  # surveyed, permit_*, installed, inspected
    ORDER_STEP_ACTIVATE = "order_step:activate"  # activated: the panels are switched on
    ORDER_STEP_CANCEL = "order_step:cancel"  # cancelled by staff, until installation
    LEADS_READ = "leads:read"  # own and unassigned leads (ASSIGNED)
    LEADS_WRITE = "leads:write"  # enter, claim, hand over, change status and value
    LEADS_CONVERT = "leads:convert"  # invite the lead to become a customer
    REPORTS_READ = "reports:read"  # aggregated pipeline figures, no personal data
    GRANTS_REQUEST = "grants:request"
    GRANTS_READ = "grants:read"
    GRANTS_DECIDE = "grants:decide"  # approve or deny an engineer's request
    GRANTS_REVOKE = "grants:revoke"
    OPS_READ = "ops:read"
    STAFF_READ = "staff:read"
    STAFF_MANAGE = "staff:manage"  # invite, change roles, deactivate
    ACCESS_REVIEW = "access_review:manage"
    AUDIT_READ = "audit:read"
    ALERTS_MANAGE = "alerts:manage"
    SELF_AUDIT_READ = "self_audit:read"  # the daily OWASP Top 10 self-audit and its trend


C, SU, SA, EN, AD = Role.CUSTOMER, Role.SUPPORT, Role.SALES, Role.ENGINEER, Role.ADMIN
N, O, A, G, L = Reach.NONE, Reach.OWN, Reach.ASSIGNED, Reach.GRANTED, Reach.ALL

# fmt: off
#                                customer support sales engineer admin
MATRIX: dict[Perm, tuple[Reach, Reach, Reach, Reach, Reach]] = {
    Perm.SESSION_SELF:          (O,       O,      O,    O,       O),
    Perm.PROFILE_READ:          (O,       N,      N,    N,       N),
    Perm.PROFILE_UPDATE:        (O,       N,      N,    N,       N),
    Perm.ACCOUNT_DELETE:        (O,       N,      N,    N,       N),
    Perm.DATA_EXPORT:           (O,       N,      N,    N,       N),
    Perm.SITES_READ:            (O,       N,      N,    N,       N),
    Perm.SITES_WRITE:           (O,       N,      N,    N,       N),
    Perm.QUOTES_READ:           (O,       N,      A,    N,       N),
    Perm.QUOTES_CREATE:         (O,       N,      N,    N,       N),
    Perm.ORDERS_READ:           (O,       N,      N,    N,       N),
    Perm.ORDERS_CREATE:         (O,       N,      N,    N,       N),
    Perm.ORDERS_CANCEL:         (O,       N,      N,    N,       N),
    Perm.PAYMENTS_CREATE:       (O,       N,      N,    N,       N),
    Perm.DOCUMENTS_READ:        (O,       N,      N,    N,       N),
    Perm.DOCUMENTS_CREATE:      (O,       N,      N,    N,       N),
    Perm.CUSTOMERS_READ:        (N,       L,      N,    G,       L),
    Perm.CUSTOMERS_REVEAL:      (N,       L,      N,    G,       L),
    Perm.CUSTOMERS_MANAGE:      (N,       L,      N,    N,       L),
    Perm.LEAD_QUOTES_CREATE:    (N,       N,      A,    N,       N),
    Perm.STAFF_ORDERS_READ:     (N,       L,      A,    G,       L),
    Perm.ORDERS_MANAGE:         (N,       L,      N,    N,       N),
    Perm.ORDERS_TRANSITION:     (N,       L,      N,    N,       L),
    Perm.STAFF_DOCUMENTS_READ:  (N,       L,      N,    G,       L),
    Perm.ORDER_STEP_SCHEDULE:   (N,       L,      N,    N,       N),
    Perm.ORDER_STEP_PROGRESS:   (N,       L,      N,    N,       N),
    Perm.ORDER_STEP_ACTIVATE:   (N,       L,      N,    N,       N),
    Perm.ORDER_STEP_CANCEL:     (N,       L,      N,    N,       L),
    Perm.LEADS_READ:            (N,       N,      A,    N,       N),
    Perm.LEADS_WRITE:           (N,       N,      A,    N,       N),
    Perm.LEADS_CONVERT:         (N,       N,      A,    N,       N),
    Perm.REPORTS_READ:          (N,       N,      L,    N,       L),
    Perm.GRANTS_REQUEST:        (N,       N,      N,    O,       N),
    Perm.GRANTS_READ:           (N,       N,      N,    O,       L),
    Perm.GRANTS_DECIDE:         (N,       N,      N,    N,       L),
    Perm.GRANTS_REVOKE:         (N,       N,      N,    N,       L),
    Perm.OPS_READ:              (N,       N,      N,    L,       L),
    Perm.STAFF_READ:            (N,       N,      N,    N,       L),
    Perm.STAFF_MANAGE:          (N,       N,      N,    N,       L),
    Perm.ACCESS_REVIEW:         (N,       N,      N,    N,       L),
    Perm.AUDIT_READ:            (N,       N,      N,    N,       L),
    Perm.ALERTS_MANAGE:         (N,       N,      N,    N,       L),
    Perm.SELF_AUDIT_READ:       (N,       N,      N,    N,       L),
}
# fmt: on

ROLE_ORDER: tuple[Role, ...] = (C, SU, SA, EN, AD)

# Permissions that need an MFA step-up within the last few minutes.
STEP_UP: frozenset[Perm] = frozenset(
    {Perm.ACCOUNT_DELETE, Perm.GRANTS_DECIDE, Perm.STAFF_MANAGE, Perm.ALERTS_MANAGE}
)

# Routes anyone may call without a session: (method, path template).
PUBLIC_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/api/v1/auth/jwks"),
        ("GET", "/api/v1/app/config"),
        ("GET", "/api/v1/auth/challenge"),
        ("POST", "/api/v1/auth/register"),
        ("POST", "/api/v1/auth/verify-email"),
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/auth/login/mfa"),
        ("POST", "/api/v1/auth/token"),
        ("POST", "/api/v1/auth/password/forgot"),
        ("POST", "/api/v1/auth/password/reset"),
        ("POST", "/api/v1/auth/webauthn/login/options"),
        ("POST", "/api/v1/auth/webauthn/login/verify"),
        ("POST", "/api/v1/auth/webauthn/passkey/options"),
        ("POST", "/api/v1/auth/webauthn/passkey/verify"),
        ("POST", "/api/v1/auth/invitations/accept"),
        ("POST", "/api/v1/leads"),  # proof of work and per-address limits instead
        ("POST", "/api/v1/webhooks/payments"),  # authenticated by its HMAC signature
    }
)


def reach(perm: Perm, role: Role) -> Reach:
    """Return the reach a role has for a permission (NONE when not listed)."""
    row = MATRIX.get(perm)
    return Reach.NONE if row is None else row[ROLE_ORDER.index(role)]
