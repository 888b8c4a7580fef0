"""The customer's own account: GET/PATCH /me, GET /me/export, DELETE /me."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response

from helio.authz.access import Access
from helio.authz.guards import require
from helio.authz.matrix import Perm
from helio.customers import deletion, service
from helio.customers.schemas import AccountExport, DeletionRead, ProfileRead, ProfileUpdate
from helio.deps import DbSession, ServicesDep

router = APIRouter(prefix="/me", tags=["customers"])

ProfileReader = Annotated[Access, require(Perm.PROFILE_READ)]
ProfileEditor = Annotated[Access, require(Perm.PROFILE_UPDATE)]
DataExporter = Annotated[Access, require(Perm.DATA_EXPORT)]
AccountDeleter = Annotated[Access, require(Perm.ACCOUNT_DELETE)]

# Browsers drop everything they kept for this origin once the account is gone.
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


@router.get("", response_model=ProfileRead)
async def get_me(
    access: ProfileReader, session: DbSession, services: ServicesDep, request: Request
) -> ProfileRead:
    """Return the caller's own profile."""
    return await service.read_me(session, services, access, request=request)


@router.patch("", response_model=ProfileRead)
async def patch_me(
    body: ProfileUpdate,
    access: ProfileEditor,
    session: DbSession,
    services: ServicesDep,
    request: Request,
) -> ProfileRead:
    """Change name, phone, address or marketing consent; any other field is a 422."""
    return await service.update_me(session, services, access, body, request=request)


@router.get("/export", response_model=AccountExport)
async def export_me(
    access: DataExporter, session: DbSession, services: ServicesDep, request: Request
) -> AccountExport:
    """Return every record of the caller as JSON."""
    return await service.export_me(session, services, access, request=request)


@router.delete("", response_model=DeletionRead, status_code=202)
async def delete_me(
    access: AccountDeleter,
    session: DbSession,
    services: ServicesDep,
    request: Request,
    response: Response,
) -> DeletionRead:
    """Delete the caller's account (MFA step-up); its data is crypto-shredded after the grace."""
    done = await deletion.delete_me(session, services, access, request=request)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return DeletionRead(
        status=deletion.ERASED if done.shredded else deletion.DELETED,
        deleted_at=done.deleted_at,
        shred_after=done.shred_after,
        shredded=done.shredded,
    )
