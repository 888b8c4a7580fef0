"""Liveness, readiness, the Prometheus metrics (ops token only), and the staff ops views."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from helio.http.deps import RequestCtx
from helio.kit.schemas import QueryFlag
from helio.ops import service
from helio.ops.deps import OpsRead
from helio.ops.schemas import AppConfigRead, AuditChainRead, ConfigRead, HealthRead, WorkerRead

router = APIRouter(tags=["ops"])
staff_router = APIRouter(prefix="/staff/ops", tags=["ops"])
app_router = APIRouter(prefix="/app", tags=["ops"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Answer while the process serves requests."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(ctx: RequestCtx) -> JSONResponse:
    """Answer 200 when the database and the shared state answer, else 503."""
    ready, checks = await service.readiness(ctx)
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503
    )


@app_router.get("/config")
async def app_config(ctx: RequestCtx, response: Response) -> AppConfigRead:
    """Public settings for client apps: the minimum mobile app version the API serves."""
    response.headers["Cache-Control"] = "public, max-age=300"
    return service.app_config(ctx)


# Not in the OpenAPI schema and not a user route: Prometheus authenticates
# with the ops token (Authorization: Bearer …), checked in constant time.
@router.get("/metrics", include_in_schema=False)
async def metrics(
    ctx: RequestCtx, authorization: Annotated[str | None, Header()] = None
) -> Response:
    """Serve the Prometheus metrics to a caller holding the ops token."""
    body = await service.metrics(ctx, authorization=authorization)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


@staff_router.get("/health")
async def ops_health(access: OpsRead, ctx: RequestCtx) -> HealthRead:
    """Report the database, the shared state and the alert backlog."""
    return await service.health(ctx.with_access(access))


@staff_router.get("/config")
async def ops_config(access: OpsRead, ctx: RequestCtx) -> ConfigRead:
    """Summarise the effective configuration without secrets."""
    return service.config_summary(ctx.with_access(access))


@staff_router.get("/audit-chain")
async def ops_audit_chain(
    access: OpsRead,
    ctx: RequestCtx,
    verify: Annotated[QueryFlag, Query(description="walk the chain now (bounded to 20 s)")] = False,
) -> AuditChainRead:
    """Show the chain length, head, last checkpoint and last verification."""
    return await service.audit_chain(ctx.with_access(access), verify=verify)


@staff_router.get("/worker")
async def ops_worker(access: OpsRead, ctx: RequestCtx) -> WorkerRead:
    """Show the job queue's depth and the dead letters (jobs that failed every attempt)."""
    return await service.worker(ctx.with_access(access))
