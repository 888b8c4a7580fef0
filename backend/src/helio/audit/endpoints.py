"""Admin routes: audit search and JSON-lines export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from helio.audit import search
from helio.audit.schemas import AuditPage, AuditQuery, ExportQuery
from helio.authz.access import Access
from helio.authz.guards import require
from helio.authz.matrix import Perm
from helio.deps import DbSession, ServicesDep

router = APIRouter(prefix="/admin/audit", tags=["audit"])

AuditRead = Annotated[Access, require(Perm.AUDIT_READ)]


@router.get("")
async def search_audit(
    access: AuditRead,
    session: DbSession,
    request: Request,
    query: Annotated[AuditQuery, Query()],
) -> AuditPage:
    """Search the audit trail, newest first, with cursor pagination."""
    return await search.search_events(session, access, query, request)


@router.get("/export", response_class=StreamingResponse)
async def export_audit(
    access: AuditRead,
    session: DbSession,
    services: ServicesDep,
    request: Request,
    query: Annotated[ExportQuery, Query()],
) -> StreamingResponse:
    """Stream matching events as JSON lines, oldest first; the export is audited."""
    upto = await search.start_export(session, services.limiter, access, query, request)
    return StreamingResponse(
        search.export_lines(services.db, query, upto_seq=upto),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="audit-export.jsonl"'},
    )
