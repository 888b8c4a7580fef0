"""Route guards: every route declares one permission, read from the matrix."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Depends, Request

from helio.authz.access import GUARD_MARK, Access, check
from helio.authz.matrix import Perm
from helio.authz.principal import Principal
from helio.errors import Forbidden
from helio.logging import get_logger

log = get_logger("authz")

Authenticator = Callable[[Request], Awaitable[Principal]]


def require(perm: Perm) -> Any:
    """Return the FastAPI dependency that guards a route with `perm`."""
    from helio.auth.current import authenticate

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
