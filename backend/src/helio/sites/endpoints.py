"""/sites: the caller's properties and their energy use."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from helio.deps import DbSession, ServicesDep
from helio.sites import service
from helio.sites.deps import SitesReader, SitesWriter
from helio.sites.schemas import ID_PATTERN, SiteCreate, SitePage, SiteRead, SiteUpdate, UsageRead
from helio.sites.upload import OPENAPI_BODY, read_usage_body

router = APIRouter(prefix="/sites", tags=["sites"])

SiteId = Annotated[str, Path(pattern=ID_PATTERN, description="opaque site id")]
Limit = Annotated[int, Query(ge=1, le=50)]
Cursor = Annotated[str | None, Query(pattern=ID_PATTERN, description="next_cursor of a page")]


@router.get("", response_model=SitePage)
async def list_sites(
    access: SitesReader,
    session: DbSession,
    services: ServicesDep,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> SitePage:
    """List the caller's sites, newest first."""
    return await service.list_sites(
        session, access, vault=services.vault, limit=limit, cursor=cursor
    )


@router.post("", response_model=SiteRead, status_code=201)
async def create_site(
    body: SiteCreate,
    access: SitesWriter,
    session: DbSession,
    services: ServicesDep,
    request: Request,
) -> SiteRead:
    """Create a site (at most five per customer)."""
    return await service.create_site(session, access, body, vault=services.vault, request=request)


@router.get("/{site_id}", response_model=SiteRead)
async def get_site(
    site_id: SiteId, access: SitesReader, session: DbSession, services: ServicesDep
) -> SiteRead:
    """Return one of the caller's sites with its energy use."""
    return await service.get_site(session, access, site_id, vault=services.vault)


@router.patch("/{site_id}", response_model=SiteRead)
async def update_site(
    site_id: SiteId,
    body: SiteUpdate,
    access: SitesWriter,
    session: DbSession,
    services: ServicesDep,
    request: Request,
) -> SiteRead:
    """Change some fields of a site."""
    return await service.update_site(
        session, access, site_id, body, vault=services.vault, request=request
    )


@router.delete("/{site_id}", status_code=204, response_class=Response)
async def delete_site(
    site_id: SiteId, access: SitesWriter, session: DbSession, request: Request
) -> Response:
    """Delete a site and its energy use; its quotes stay."""
    await service.delete_site(session, access, site_id, request=request)
    return Response(status_code=204)


@router.put("/{site_id}/usage", response_model=UsageRead, openapi_extra=OPENAPI_BODY)
async def put_usage(
    site_id: SiteId,
    access: SitesWriter,
    session: DbSession,
    services: ServicesDep,
    request: Request,
) -> UsageRead:
    """Set the energy use: twelve monthly kWh as JSON, or a Green Button XML file (≤ 5 MB)."""
    await service.require_site(session, access, site_id)  # 404 before the body is read
    body = await read_usage_body(request)
    if isinstance(body, bytes):
        return await service.set_green_button_usage(
            session, access, site_id, body, services=services, request=request
        )
    return await service.set_monthly_usage(session, access, site_id, body, request=request)
