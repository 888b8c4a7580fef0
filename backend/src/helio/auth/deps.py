"""The guard every route declares (`require`), and the named dependencies of the auth routes.

`require(Perm.X)` first resolves who is calling, once per request (a bearer
token, else the session cookie with its CSRF check), then lets the matrix
decide (`helio.authz.access.check`). Each domain names its guards in its own
`deps.py`: `SitesRead = Annotated[Access, require(Perm.SITES_READ)]`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from helio.auth.sessions import authentication
from helio.auth.sessions.authentication import CookieRequest
from helio.authz.access import GUARD_MARK, Access, check
from helio.authz.matrix import Perm
from helio.authz.principal import Principal
from helio.errors import Forbidden
from helio.http.cookies import read_csrf_cookie, read_session_cookie
from helio.http.deps import get_ctx
from helio.logging import get_logger
from helio.security import pow as proof_of_work

log = get_logger("authz")


async def authenticate(request: Request) -> Principal:
    """Return the principal of this request, resolved once and cached on the request.

    Raises:
        Unauthenticated: no credentials.
        SessionInvalid: an unknown, revoked or expired session cookie.
        InvalidToken: a bearer token that fails verification or whose session has ended.
        ForeignOrigin, CsrfRefused: an unsafe cookie request failing the CSRF check.
    """
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    ctx = get_ctx(request)
    authorization = request.headers.get("authorization")
    if authorization is not None:
        principal = await authentication.from_bearer(ctx, authorization=authorization)
    else:
        settings = ctx.app.settings
        sent = CookieRequest(
            method=request.method,
            secret=read_session_cookie(request, settings),
            csrf_cookie=read_csrf_cookie(request, settings),
            csrf_header=request.headers.get("x-csrf-token"),
        )
        principal = await authentication.from_cookie(ctx, sent=sent)
    request.state.principal = principal
    request.state.actor_id = principal.user_id  # for the access log
    return principal


def require(perm: Perm) -> Any:
    """Return the dependency that guards a route with `perm` (for `Annotated[Access, ...]`)."""

    async def guard(request: Request, principal: Principal = Depends(authenticate)) -> Access:
        try:
            return check(principal, perm)
        except Forbidden as denied:
            _log_denied(request, principal, perm, denied.code)
            raise

    setattr(guard, GUARD_MARK, perm)
    return Depends(guard)


def _log_denied(request: Request, principal: Principal, perm: Perm, code: str) -> None:
    # Paths hold only opaque ids, so the concrete path names the resource safely.
    log.warning(
        "authz_denied",
        user_id=principal.user_id,
        session_id=principal.session_id,
        perm=perm.value,
        code=code,
        method=request.method,
        path=request.url.path,
    )


SessionSelf = Annotated[Access, require(Perm.SESSION_SELF)]


async def refuse_foreign_origin(request: Request) -> None:
    """Refuse public unsafe requests sent from a foreign web origin (login CSRF).

    Raises:
        ForeignOrigin: an Origin that is not allowed.
    """
    await authentication.refuse_foreign_origin(
        get_ctx(request),
        method=request.method,
        bearer=request.headers.get("authorization") is not None,
        origin=request.headers.get("origin"),
    )


SameOriginOrNone = Depends(refuse_foreign_origin)


async def pow_solution(request: Request) -> str | None:
    """Return the proof-of-work solution a client sent along (`X-PoW-Solution`), if any."""
    return request.headers.get(proof_of_work.HEADER)


PowSolution = Annotated[str | None, Depends(pow_solution)]
