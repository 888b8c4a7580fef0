"""Liveness, readiness and the Prometheus metrics (ops token only)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from helio.deps import ServicesDep
from helio.errors import Unauthenticated
from helio.metrics import REGISTRY
from helio.ops.service import ops_token_matches, refresh_gauges

router = APIRouter(tags=["ops"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Answer while the process serves requests."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(services: ServicesDep) -> JSONResponse:
    """Answer 200 when the database and the shared state answer, else 503."""
    checks = {
        "database": "ok" if await services.db.ping() else "down",
        "state": "ok" if await services.state.ping() else "down",
    }
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503
    )


# Not in the OpenAPI schema and not a user route: Prometheus authenticates
# with the ops token (Authorization: Bearer …), checked here in constant time.
@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, services: ServicesDep) -> Response:
    """Serve the Prometheus metrics to a caller holding the ops token.

    Raises:
        Unauthenticated: no token configured, or a missing or wrong bearer token.
    """
    ops_token = request.app.state.settings.ops_token
    if not ops_token_matches(request.headers.get("authorization"), ops_token):
        raise Unauthenticated(headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    await refresh_gauges(services)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
