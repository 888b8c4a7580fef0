"""Who is calling: resolve the cookie session or bearer token once per request.

A request with an `Authorization` header is judged by it alone (bearer
requests cannot be forged cross-site, so they need no CSRF token); otherwise
the session cookie is used, and unsafe methods must pass the CSRF check.
"""

from __future__ import annotations

from fastapi import Request

from helio.auth import csrf, events
from helio.auth.cookies import read_csrf_cookie, read_session_cookie
from helio.auth.jwt_keys import InvalidToken
from helio.auth.server_keys import hmac_key
from helio.auth.sessions import (
    SessionState,
    resolve_cookie_session,
    resolve_token_session,
    secret_hash,
)
from helio.auth.tokens import verify_access_token
from helio.authz.principal import Principal
from helio.deps import get_services
from helio.errors import Forbidden, Unauthenticated
from helio.services import Services

MAX_SECRET_CHARS = 128
_BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class SessionInvalid(Unauthenticated):
    code, message = "session_invalid", "Your session has ended; sign in again."


async def authenticate(request: Request) -> Principal:
    """Return the principal of this request, resolved once and cached on the request.

    Args:
        request: the incoming request.

    Returns:
        The authenticated principal.

    Raises:
        Unauthenticated: no credentials.
        SessionInvalid: an unknown, revoked or expired session cookie.
        InvalidToken: a bearer token that fails verification or whose session has ended.
        ForeignOrigin, CsrfRefused: an unsafe cookie request failing the CSRF check.
    """
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    services = get_services(request)
    authorization = request.headers.get("authorization")
    if authorization is not None:
        state = await _bearer(services, authorization)
    else:
        state = await _cookie(request, services)
    principal = state.principal()
    request.state.principal = principal
    request.state.actor_id = principal.user_id  # for the access log
    return principal


async def _bearer(services: Services, authorization: str) -> SessionState:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken(headers=_BEARER_CHALLENGE)
    try:
        claims = await verify_access_token(services, token.strip())
    except InvalidToken as exc:
        raise InvalidToken(headers=_BEARER_CHALLENGE) from exc
    state = await resolve_token_session(services, str(claims["sid"]))
    if state is None or state.user_id != claims["sub"]:
        raise InvalidToken(headers=_BEARER_CHALLENGE)
    return state


async def _cookie(request: Request, services: Services) -> SessionState:
    secret = read_session_cookie(request, services.settings)
    if secret is None:
        raise Unauthenticated()
    if len(secret) > MAX_SECRET_CHARS:
        raise SessionInvalid()
    state = await resolve_cookie_session(services, secret)
    if state is None:
        raise SessionInvalid()
    try:
        csrf.enforce(
            request,
            key=hmac_key(services, "csrf"),
            session_hash=secret_hash(secret),
            cookie=read_csrf_cookie(request, services.settings),
            allowed=services.settings.allowed_origins,
        )
    except Forbidden as refused:
        await events.record_auth_separately(
            services,
            request,
            events.CSRF_REFUSED,
            outcome=events.DENIED,
            actor=state.principal(),
            reason=refused.code,
        )
        raise
    return state
