"""Recent authentication: what sensitive self-service changes require."""

from __future__ import annotations

from datetime import timedelta

from helio.authz.principal import Principal
from helio.errors import StepUpRequired
from helio.kit.clock import utcnow
from helio.models import AuthSession
from helio.platform.policy import AuthPolicy


def recently_authenticated(policy: AuthPolicy, principal: Principal, row: AuthSession) -> bool:
    """True after a step-up within the window, or a fresh sign-in by an account without MFA.

    An account without a second factor cannot step up with one, so the sign-in
    itself (its password check) counts while it is recent.
    """
    window = timedelta(seconds=policy.step_up_seconds)
    now = utcnow()
    if principal.step_up_at is not None and now - principal.step_up_at <= window:
        return True
    return not principal.has_mfa and now - row.created_at <= window


def require_recent_auth(policy: AuthPolicy, principal: Principal, row: AuthSession) -> None:
    """Refuse a sensitive change without recent authentication.

    Raises:
        StepUpRequired: 403 `step_up_required`; POST /auth/mfa/step-up first.
    """
    if not recently_authenticated(policy, principal, row):
        raise StepUpRequired()
