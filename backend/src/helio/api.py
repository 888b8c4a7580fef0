"""Every domain router, mounted under /api/v1; each route declares its guard."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from helio.authz.guards import route_permission
from helio.authz.matrix import PUBLIC_ROUTES
from helio.kit.routes import api_routes
from helio.ops.endpoints import router as ops_router

api_router = APIRouter(prefix="/api/v1")


def include_routers(app: FastAPI) -> None:
    """Mount the routers of every domain."""
    app.include_router(ops_router)
    app.include_router(api_router)


class UnguardedRouteError(RuntimeError):
    """A route declares no permission and is not listed as public."""


def assert_every_route_guarded(app: FastAPI) -> None:
    """Refuse to start when a route has neither a guard nor a place in PUBLIC_ROUTES.

    Raises:
        UnguardedRouteError: naming every offending route.
    """
    offenders = []
    for route in api_routes(app):
        if not route.in_schema:
            continue
        public = (route.method, route.path) in PUBLIC_ROUTES
        guarded = route_permission(route.dependant) is not None
        if public == guarded:
            why = "is both public and guarded" if public else "has no guard"
            offenders.append(f"{route.method} {route.path} {why}")
    if offenders:
        raise UnguardedRouteError("; ".join(offenders))
