"""Named dependencies of the auth routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from helio.auth import events
from helio.auth.csrf import ForeignOrigin, check_origin
from helio.authz.access import Access
from helio.authz.guards import require
from helio.authz.matrix import Perm
from helio.deps import get_services

SessionSelf = Annotated[Access, require(Perm.SESSION_SELF)]


async def refuse_foreign_origin(request: Request) -> None:
    """Refuse public unsafe requests sent from a foreign web origin (login CSRF).

    Mobile and API clients send no Origin and pass; a browser always sends one
    on cross-origin POSTs, and it must then be an allowed origin.

    Raises:
        ForeignOrigin: an Origin (or Referer) that is not allowed.
    """
    if request.method in {"GET", "HEAD", "OPTIONS"} or request.headers.get("authorization"):
        return
    services = get_services(request)
    if request.headers.get("origin") is None:
        return
    try:
        check_origin(request, services.settings.allowed_origins, required=False)
    except ForeignOrigin as refused:
        await events.record_auth_separately(
            services, request, events.CSRF_REFUSED, outcome=events.DENIED, reason=refused.code
        )
        raise


SameOriginOrNone = Depends(refuse_foreign_origin)
