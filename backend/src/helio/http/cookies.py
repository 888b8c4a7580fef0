"""The session and CSRF cookies: names, attributes, setting and clearing.

With Secure cookies (everywhere but plain-http development) both carry the
`__Host-` prefix, so the browser only accepts them from this exact origin,
over HTTPS, with Path=/ and no Domain. The session cookie is HttpOnly; the
CSRF cookie is readable by the web app, which echoes it in `X-CSRF-Token`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol

from starlette.requests import Request
from starlette.responses import Response

from helio.config import Settings
from helio.kit.clock import utcnow

SESSION_NAME = "helio_session"
CSRF_NAME = "helio_csrf"
HOST_PREFIX = "__Host-"
SAMESITE: Literal["strict"] = "strict"


class CookieSignIn(Protocol):
    """A finished cookie sign-in: the session secret, its CSRF token and when it ends."""

    @property
    def cookie_secret(self) -> str | None: ...

    @property
    def csrf_token(self) -> str | None: ...

    @property
    def expires_at(self) -> datetime: ...


def session_cookie_name(settings: Settings) -> str:
    """Return the session cookie's name (`__Host-` prefixed when Secure)."""
    return HOST_PREFIX + SESSION_NAME if settings.secure_cookies else SESSION_NAME


def csrf_cookie_name(settings: Settings) -> str:
    """Return the CSRF cookie's name (`__Host-` prefixed when Secure)."""
    return HOST_PREFIX + CSRF_NAME if settings.secure_cookies else CSRF_NAME


def read_session_cookie(request: Request, settings: Settings) -> str | None:
    """Return the session secret sent by the browser, if any."""
    return request.cookies.get(session_cookie_name(settings)) or None


def read_csrf_cookie(request: Request, settings: Settings) -> str | None:
    """Return the CSRF cookie sent by the browser, if any."""
    return request.cookies.get(csrf_cookie_name(settings)) or None


def set_session_cookies(
    response: Response, settings: Settings, *, secret: str, csrf: str, expires_at: datetime
) -> None:
    """Set the session cookie (HttpOnly) and the CSRF cookie, both until `expires_at`."""
    max_age = max(1, int((expires_at - utcnow()).total_seconds()))
    secure = settings.secure_cookies
    response.set_cookie(
        session_cookie_name(settings),
        secret,
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=True,
        samesite=SAMESITE,
    )
    response.set_cookie(
        csrf_cookie_name(settings),
        csrf,
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=False,
        samesite=SAMESITE,
    )


def clear_session_cookies(response: Response, settings: Settings) -> None:
    """Expire both cookies in the browser."""
    secure = settings.secure_cookies
    response.delete_cookie(
        session_cookie_name(settings), path="/", secure=secure, httponly=True, samesite=SAMESITE
    )
    response.delete_cookie(
        csrf_cookie_name(settings), path="/", secure=secure, httponly=False, samesite=SAMESITE
    )


def set_sign_in_cookies(response: Response, settings: Settings, signed: CookieSignIn) -> None:
    """Set the cookies of a cookie sign-in (a token sign-in sets none)."""
    if signed.cookie_secret is None or signed.csrf_token is None:
        return
    set_session_cookies(
        response,
        settings,
        secret=signed.cookie_secret,
        csrf=signed.csrf_token,
        expires_at=signed.expires_at,
    )
