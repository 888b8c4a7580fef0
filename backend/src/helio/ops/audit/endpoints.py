"""Admin routes: audit search and JSON-lines export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from helio.http.deps import DbSession, RequestCtx
from helio.http.openapi import errors
from helio.ops.audit import service
from helio.ops.audit.schemas import AuditPage, AuditQuery, ExportQuery
from helio.ops.deps import AuditRead

router = APIRouter(prefix="/admin/audit", tags=["audit"])


@router.get("")
async def search_audit(
    access: AuditRead,
    ctx: RequestCtx,
    session: DbSession,
    query: Annotated[AuditQuery, Query()],
) -> AuditPage:
    """Search the audit trail, newest first, with cursor pagination."""
    return await service.search_events(session, ctx.with_access(access), query=query)


@router.get("/export", response_class=StreamingResponse, responses=errors(429))
async def export_audit(
    access: AuditRead,
    ctx: RequestCtx,
    session: DbSession,
    query: Annotated[ExportQuery, Query()],
) -> StreamingResponse:
    """Stream matching events as JSON lines, oldest first; the export is audited."""
    upto = await service.start_export(session, ctx.with_access(access), query=query)
    return StreamingResponse(
        service.export_lines(ctx, query=query, upto_seq=upto),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="audit-export.jsonl"'},
    )
