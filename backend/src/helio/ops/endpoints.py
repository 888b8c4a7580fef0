"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from helio.deps import ServicesDep

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
