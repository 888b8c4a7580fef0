"""Turn sign-in results into HTTP answers: cookies for browsers, tokens for API clients."""

from __future__ import annotations

from datetime import timedelta

from fastapi import Response

from helio.auth.cookies import set_session_cookies
from helio.auth.login_service import SignedIn
from helio.auth.policy import policy_of
from helio.auth.schemas import ElevatedOut, LoginOut, TokenOut
from helio.kit.clock import utcnow
from helio.services import Services


def token_out(signed: SignedIn) -> TokenOut:
    """Return the token pair of a token sign-in."""
    assert signed.tokens is not None
    pair = signed.tokens
    return TokenOut(
        access_token=pair.access_token, expires_in=pair.expires_in, refresh_token=pair.refresh_token
    )


def set_cookies(response: Response, services: Services, signed: SignedIn) -> None:
    """Set the session and CSRF cookies of a cookie sign-in."""
    assert signed.cookie_secret is not None
    assert signed.csrf_token is not None
    set_session_cookies(
        response,
        services.settings,
        secret=signed.cookie_secret,
        csrf=signed.csrf_token,
        expires_at=signed.row.absolute_expires_at,
    )


def cookie_login(response: Response, services: Services, signed: SignedIn) -> LoginOut:
    """Answer a finished browser sign-in: cookies set, no secret in the body."""
    set_cookies(response, services, signed)
    return LoginOut(mfa_required=False, mfa_enrolment=signed.enrolment)


def elevated(
    response: Response, services: Services, signed: SignedIn, codes: list[str] | None = None
) -> ElevatedOut:
    """Answer a session replacement: new cookies, or new tokens in the body."""
    if signed.cookie_secret is not None:
        set_cookies(response, services, signed)
    step_up_at = signed.row.step_up_at or utcnow()
    window = timedelta(seconds=policy_of(services).step_up_seconds)
    return ElevatedOut(
        step_up_expires_at=step_up_at + window,
        recovery_codes=codes,
        tokens=token_out(signed) if signed.tokens is not None else None,
    )
