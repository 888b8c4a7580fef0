"""/sites: the caller's properties and their energy use."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from helio.http.deps import DbSession, RequestCtx
from helio.http.openapi import errors
from helio.http.uploads import openapi_body, read_json_or_xml
from helio.kit.pagination import CURSOR_PATTERN
from helio.security.xml import DEFAULT_MAX_BYTES
from helio.sites import service
from helio.sites.deps import SiteId, SitesRead, SitesWrite
from helio.sites.schemas import SiteCreate, SitePage, SiteRead, SiteUpdate, UsageRead, UsageUpdate

router = APIRouter(prefix="/sites", tags=["sites"])

Limit = Annotated[int, Query(ge=1, le=50)]
Cursor = Annotated[str | None, Query(pattern=CURSOR_PATTERN, description="next_cursor of a page")]
# Green Button uploads (ASVS V5.1.1): one XML document of at most 5 MB.
MAX_GREEN_BUTTON_BYTES = DEFAULT_MAX_BYTES


@router.get("", response_model=SitePage)
async def list_sites(
    access: SitesRead, ctx: RequestCtx, session: DbSession, limit: Limit = 20, cursor: Cursor = None
) -> SitePage:
    """List the caller's sites, newest first."""
    return await service.list_sites(session, ctx.with_access(access), limit=limit, cursor=cursor)


@router.post("", response_model=SiteRead, status_code=201, responses=errors(409))
async def create_site(
    body: SiteCreate, access: SitesWrite, ctx: RequestCtx, session: DbSession
) -> SiteRead:
    """Create a site (at most five per customer)."""
    return await service.create_site(session, ctx.with_access(access), data=body)


@router.get("/{site_id}", response_model=SiteRead)
async def get_site(
    site_id: SiteId, access: SitesRead, ctx: RequestCtx, session: DbSession
) -> SiteRead:
    """Return one of the caller's sites with its energy use."""
    return await service.get_site(session, ctx.with_access(access), site_id=site_id)


@router.patch("/{site_id}", response_model=SiteRead)
async def update_site(
    site_id: SiteId, body: SiteUpdate, access: SitesWrite, ctx: RequestCtx, session: DbSession
) -> SiteRead:
    """Change some fields of a site."""
    return await service.update_site(session, ctx.with_access(access), site_id=site_id, data=body)


@router.delete("/{site_id}", status_code=204, response_class=Response)
async def delete_site(
    site_id: SiteId, access: SitesWrite, ctx: RequestCtx, session: DbSession
) -> Response:
    """Delete a site and its energy use; its quotes stay."""
    await service.delete_site(session, ctx.with_access(access), site_id=site_id)
    return Response(status_code=204)


@router.put(
    "/{site_id}/usage",
    response_model=UsageRead,
    openapi_extra=openapi_body(UsageUpdate),
    responses=errors(429),
)
async def put_usage(
    site_id: SiteId, request: Request, access: SitesWrite, ctx: RequestCtx, session: DbSession
) -> UsageRead:
    """Set the energy use: twelve monthly kWh as JSON, or a Green Button XML file (≤ 5 MB)."""
    ctx = ctx.with_access(access)
    await service.require_site(session, ctx, site_id=site_id)  # 404 before the body is read
    body = await read_json_or_xml(
        request, UsageUpdate, max_bytes=MAX_GREEN_BUTTON_BYTES, label="Green Button file"
    )
    return await service.set_usage(session, ctx, site_id=site_id, body=body)
