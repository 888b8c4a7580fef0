"""Routes: /admin/staff, /admin/access-review, and the public invitation acceptance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, status

from helio.authz.access import Access
from helio.authz.guards import require
from helio.authz.matrix import Perm
from helio.deps import DbSession, ServicesDep
from helio.staff.admin import invitations, review, service
from helio.staff.admin.schemas import (
    AccessReview,
    Attestation,
    AttestRequest,
    InvitationAccept,
    StaffInvite,
    StaffPage,
    StaffQueryDep,
    StaffRead,
    StaffUpdate,
)

router = APIRouter(prefix="/admin", tags=["admin"])
invitations_router = APIRouter(prefix="/auth/invitations", tags=["auth"])

StaffReadAccess = Annotated[Access, require(Perm.STAFF_READ)]
StaffManage = Annotated[Access, require(Perm.STAFF_MANAGE)]
AccessReviewAccess = Annotated[Access, require(Perm.ACCESS_REVIEW)]
StaffId = Annotated[str, Path(max_length=64)]


@router.get("/staff")
async def list_staff(
    access: StaffReadAccess, session: DbSession, services: ServicesDep, query: StaffQueryDep
) -> StaffPage:
    """List staff accounts with roles, status and MFA methods."""
    return await service.list_staff(session, services, access, query)


@router.post("/staff", status_code=status.HTTP_201_CREATED)
async def invite_staff(
    access: StaffManage,
    session: DbSession,
    services: ServicesDep,
    body: StaffInvite,
    request: Request,
) -> StaffRead:
    """Invite a staff member by mail (single-use link; step-up required)."""
    user = await service.invite(session, services, access, body, request)
    return await service.read(session, services, user)


@router.patch("/staff/{staff_id}")
async def update_staff(
    access: StaffManage,
    session: DbSession,
    services: ServicesDep,
    staff_id: StaffId,
    body: StaffUpdate,
    request: Request,
) -> StaffRead:
    """Change roles or deactivate (step-up; ends the account's sessions)."""
    user = await service.update(session, services, access, staff_id, body, request)
    return await service.read(session, services, user)


@router.get("/access-review")
async def access_review(
    access: AccessReviewAccess, session: DbSession, services: ServicesDep
) -> AccessReview:
    """Report every staff account: roles, MFA, last use, open grants, flags."""
    return await review.report(session, services, access)


@router.post("/access-review/attest", status_code=status.HTTP_201_CREATED)
async def attest_access_review(
    access: AccessReviewAccess,
    session: DbSession,
    services: ServicesDep,
    body: AttestRequest,
    request: Request,
) -> Attestation:
    """Record that the caller reviewed the current access (who, when, snapshot)."""
    return await review.attest(session, services, access, note=body.note, request=request)


@invitations_router.post("/accept", status_code=status.HTTP_204_NO_CONTENT)
async def accept_invitation(
    session: DbSession, services: ServicesDep, body: InvitationAccept, request: Request
) -> None:
    """Set the first password of an invited staff account (then MFA enrolment)."""
    await invitations.accept(session, services, request, token=body.token, password=body.password)
