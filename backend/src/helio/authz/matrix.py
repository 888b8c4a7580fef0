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
    # Staff console
    CUSTOMERS_READ = "customers:read"  # search and masked view
    CUSTOMERS_REVEAL = "customers:reveal"
    CUSTOMERS_MANAGE = "customers:manage"  # unlock, force reset, resend verification
    LEAD_QUOTES_CREATE = "lead_quotes:create"
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
    Perm.CUSTOMERS_READ:        (N,       L,      N,    G,       L),
    Perm.CUSTOMERS_REVEAL:      (N,       L,      N,    G,       L),
    Perm.CUSTOMERS_MANAGE:      (N,       L,      N,    N,       L),
    Perm.LEAD_QUOTES_CREATE:    (N,       N,      A,    N,       N),
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
        ("POST", "/api/v1/auth/invitations/accept"),
    }
)


def reach(perm: Perm, role: Role) -> Reach:
    """Return the reach a role has for a permission (NONE when not listed)."""
    row = MATRIX.get(perm)
    return Reach.NONE if row is None else row[ROLE_ORDER.index(role)]
