"""`Ctx`: what a service knows about the call it serves: the app, the caller, the request.

Routes build it from what the middleware and the guard already resolved
(`helio.http.deps.RequestCtx`, then `ctx.with_access(access)`); commands and
background work use `Ctx.system(app)`. It is a small frozen object: building
one costs no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from helio.authz.access import Access
from helio.authz.principal import Principal
from helio.errors import Unauthenticated
from helio.kit.meta import NO_REQUEST, RequestMeta
from helio.platform.app import App


@dataclass(frozen=True, slots=True)
class Ctx:
    """The app, the caller's access (None on public routes) and the request's metadata."""

    app: App
    access: Access | None = None
    meta: RequestMeta = NO_REQUEST

    @classmethod
    def system(cls, app: App) -> Ctx:
        """Return the context of work no request asked for (commands, scheduled jobs)."""
        return cls(app)

    def with_access(self, access: Access) -> Ctx:
        """Return this context with the access a route's guard established."""
        return Ctx(self.app, access, self.meta)

    @property
    def principal(self) -> Principal | None:
        """The signed-in caller, if a guard ran."""
        return None if self.access is None else self.access.principal

    @property
    def client_ip(self) -> str:
        """The client address the middleware resolved ("unknown" outside a request)."""
        return self.meta.client_ip or "unknown"

    @property
    def caller(self) -> Access:
        """The guard's access; a service that needs one fails closed without it.

        Raises:
            Unauthenticated: the context carries no access (a route without a guard).
        """
        if self.access is None:
            raise Unauthenticated
        return self.access
