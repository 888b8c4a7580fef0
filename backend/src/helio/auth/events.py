"""Security events of authentication, written through the audit trail.

Every outcome (success, failure, lockout, MFA, token reuse, reset, logout)
goes through `record_auth` inside the request's transaction, or through
`record_auth_separately` when the request is about to fail and roll back.
Details carry ids, the method and factors used, never emails or secrets.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from helio.audit.service import record, record_separately
from helio.authz.principal import Principal
from helio.services import Services

REGISTER = "auth.register"
EMAIL_VERIFIED = "auth.email_verified"
LOGIN = "auth.login"
LOCKOUT = "auth.lockout"
MFA = "auth.mfa"
TOKEN_ISSUED = "auth.token_issued"  # noqa: S105 - an event name
TOKEN_REFRESHED = "auth.token_refreshed"  # noqa: S105 - an event name
REFRESH_REUSE = "auth.refresh_token_reuse"
LOGOUT = "auth.logout"
SESSION_REVOKED = "auth.session_revoked"
RESET_REQUESTED = "auth.password_reset_requested"
PASSWORD_RESET = "auth.password_reset"  # noqa: S105 - an event name
PASSWORD_CHANGED = "auth.password_changed"  # noqa: S105 - an event name
MFA_ENROLLED = "auth.mfa_enrolled"
MFA_REMOVED = "auth.mfa_removed"
STEP_UP = "auth.step_up"
POW_REFUSED = "auth.pow_refused"
CSRF_REFUSED = "auth.csrf_refused"

SUCCESS, FAILURE, DENIED = "success", "failure", "denied"


def _fields(
    action: str,
    outcome: str,
    request: Request | None,
    user_id: str | None,
    actor: Principal | None,
    reason: str | None,
    details: dict[str, Any] | None,
) -> dict[str, Any]:
    subject = actor.user_id if actor else user_id
    return {
        "action": action,
        "outcome": outcome,
        "actor": actor,
        "actor_id": None if actor else user_id,
        "resource_type": "account" if subject else None,
        "resource_id": subject,
        "reason": reason,
        "request": request,
        "details": details,
    }


async def record_auth(
    session: AsyncSession,
    request: Request | None,
    action: str,
    *,
    outcome: str = SUCCESS,
    user_id: str | None = None,
    actor: Principal | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record an authentication event in the caller's transaction."""
    fields = _fields(action, outcome, request, user_id, actor, reason, details)
    await record(session, **fields)


async def record_auth_separately(
    services: Services,
    request: Request | None,
    action: str,
    *,
    outcome: str = FAILURE,
    user_id: str | None = None,
    actor: Principal | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record an authentication event in its own transaction (the request will roll back)."""
    fields = _fields(action, outcome, request, user_id, actor, reason, details)
    await record_separately(services.db, **fields)
