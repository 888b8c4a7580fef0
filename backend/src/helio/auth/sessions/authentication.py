"""Who is calling: resolve a bearer token or a session cookie into the principal.

A request with an `Authorization` header is judged by it alone (bearer
requests cannot be forged cross-site, so they need no CSRF token); otherwise
the session cookie is used, and unsafe methods must pass the CSRF check. The
route guard (`helio.auth.deps`) reads the headers and cookies and calls these.
"""

from __future__ import annotations

from dataclasses import dataclass

from helio import audit
from helio.audit import AuditAction, Outcome
from helio.auth.accounts.profiles import account_target
from helio.auth.sessions import csrf
from helio.auth.sessions.exceptions import SessionInvalid
from helio.auth.sessions.lifecycle import (
    SessionState,
    resolve_cookie_session,
    resolve_token_session,
    secret_hash,
)
from helio.auth.tokens.issuing import verify_access_token
from helio.authz.principal import Principal
from helio.errors import Forbidden, Unauthenticated
from helio.kit.meta import RequestMeta
from helio.platform.context import Ctx
from helio.security.jwt_keys import InvalidToken

MAX_SECRET_CHARS = 128
BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


@dataclass(frozen=True)
class CookieRequest:
    """What a cookie-authenticated request carries for the session and CSRF checks."""

    method: str
    secret: str | None
    csrf_cookie: str | None
    csrf_header: str | None


@dataclass(frozen=True)
class _Refused:
    """The audit context of a refused request: the session's principal, not yet an access."""

    principal: Principal
    meta: RequestMeta


async def from_bearer(ctx: Ctx, *, authorization: str) -> Principal:
    """Return the principal of a bearer access token whose session is live.

    Raises:
        InvalidToken: not a bearer token, or one that fails verification or whose session ended.
    """
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken(headers=BEARER_CHALLENGE)
    try:
        claims = await verify_access_token(ctx.app, token.strip())
    except InvalidToken as exc:
        raise InvalidToken(headers=BEARER_CHALLENGE) from exc
    state = await resolve_token_session(ctx.app, str(claims["sid"]))
    if state is None or state.user_id != claims["sub"]:
        raise InvalidToken(headers=BEARER_CHALLENGE)
    return state.principal()


async def from_cookie(ctx: Ctx, *, sent: CookieRequest) -> Principal:
    """Return the principal of a live cookie session; unsafe methods must pass the CSRF check.

    Raises:
        Unauthenticated: no session cookie.
        SessionInvalid: an unknown, revoked or expired session cookie.
        ForeignOrigin, CsrfRefused: an unsafe request failing the CSRF check (audited).
    """
    if sent.secret is None:
        raise Unauthenticated()
    if len(sent.secret) > MAX_SECRET_CHARS:
        raise SessionInvalid()
    state = await resolve_cookie_session(ctx.app, sent.secret)
    if state is None:
        raise SessionInvalid()
    await _check_csrf(ctx, state, sent)
    return state.principal()


async def _check_csrf(ctx: Ctx, state: SessionState, sent: CookieRequest) -> None:
    assert sent.secret is not None
    try:
        csrf.enforce(
            sent.method,
            ctx.meta.origin,
            sent.csrf_header,
            key=ctx.app.server_keys.hmac("csrf"),
            session_hash=secret_hash(sent.secret),
            cookie=sent.csrf_cookie,
            allowed=ctx.app.settings.allowed_origins,
        )
    except Forbidden as refused:
        principal = state.principal()
        await audit.record_separately(
            ctx.app.db,
            _Refused(principal, ctx.meta),
            AuditAction.AUTH_CSRF_REFUSED,
            outcome=Outcome.DENIED,
            target=account_target(principal.user_id),
            reason=refused.code,
        )
        raise


async def refuse_foreign_origin(ctx: Ctx, *, method: str, bearer: bool, origin: str | None) -> None:
    """Refuse a public unsafe request sent from a foreign web origin (login CSRF).

    Mobile and API clients send no Origin and pass; a browser always sends one
    on cross-origin POSTs (`origin`: the Origin header), and it must then be allowed.

    Raises:
        ForeignOrigin: an Origin (or Referer) that is not allowed.
    """
    if method in csrf.SAFE_METHODS or bearer or origin is None:
        return
    try:
        csrf.check_origin(origin.rstrip("/"), ctx.app.settings.allowed_origins, required=False)
    except Forbidden as refused:
        await audit.record_separately(
            ctx.app.db,
            ctx,
            AuditAction.AUTH_CSRF_REFUSED,
            outcome=Outcome.DENIED,
            reason=refused.code,
        )
        raise
