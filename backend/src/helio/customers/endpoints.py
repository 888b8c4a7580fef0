"""The customer's own account: GET/PATCH /me, GET /me/export, DELETE /me."""

from __future__ import annotations

from fastapi import APIRouter, Response

from helio.customers import deletion, schemas, service
from helio.customers.deps import AccountDelete, DataExport, ProfileRead, ProfileUpdate
from helio.http.deps import DbSession, RequestCtx

router = APIRouter(prefix="/me", tags=["customers"])

# Browsers drop everything they kept for this origin once the account is gone.
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


@router.get("", response_model=schemas.ProfileRead)
async def get_me(access: ProfileRead, ctx: RequestCtx, session: DbSession) -> schemas.ProfileRead:
    """Return the caller's own profile."""
    return await service.read_me(session, ctx.with_access(access))


@router.patch("", response_model=schemas.ProfileRead)
async def patch_me(
    body: schemas.ProfileUpdate, access: ProfileUpdate, ctx: RequestCtx, session: DbSession
) -> schemas.ProfileRead:
    """Change name, phone, address or marketing consent; any other field is a 422."""
    return await service.update_me(session, ctx.with_access(access), data=body)


@router.get("/export", response_model=schemas.AccountExportRead)
async def export_me(
    access: DataExport, ctx: RequestCtx, session: DbSession
) -> schemas.AccountExportRead:
    """Return every record of the caller as JSON."""
    return await service.export_me(session, ctx.with_access(access))


@router.delete("", response_model=schemas.DeletionRead, status_code=202)
async def delete_me(
    access: AccountDelete, response: Response, ctx: RequestCtx, session: DbSession
) -> schemas.DeletionRead:
    """Delete the caller's account (MFA step-up); its data is crypto-shredded after the grace."""
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return await deletion.delete_me(session, ctx.with_access(access))
