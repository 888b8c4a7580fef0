"""Routes: /admin/staff, /admin/access-review, and the public invitation acceptance."""

from __future__ import annotations

from fastapi import APIRouter, status

from helio.http.deps import DbSession, RequestCtx
from helio.http.openapi import errors
from helio.staff.admin import invitations, review, schemas, service
from helio.staff.admin.deps import AccessReview, StaffId, StaffManage, StaffParams, StaffRead

router = APIRouter(prefix="/admin", tags=["admin"])
invitations_router = APIRouter(prefix="/auth/invitations", tags=["auth"])


@router.get("/staff")
async def list_staff(
    query: StaffParams, access: StaffRead, ctx: RequestCtx, session: DbSession
) -> schemas.StaffPage:
    """List staff accounts with roles, status and MFA methods."""
    return await service.list_staff(session, ctx.with_access(access), query=query)


@router.post("/staff", status_code=status.HTTP_201_CREATED, responses=errors(409))
async def invite_staff(
    body: schemas.StaffCreate, access: StaffManage, ctx: RequestCtx, session: DbSession
) -> schemas.StaffRead:
    """Invite a staff member by mail (single-use link; step-up required)."""
    return await service.invite(session, ctx.with_access(access), data=body)


@router.patch("/staff/{staff_id}", responses=errors(409))
async def update_staff(
    staff_id: StaffId,
    body: schemas.StaffUpdate,
    access: StaffManage,
    ctx: RequestCtx,
    session: DbSession,
) -> schemas.StaffRead:
    """Change roles or deactivate (step-up; ends the account's sessions)."""
    return await service.update(session, ctx.with_access(access), staff_id=staff_id, data=body)


@router.get("/access-review")
async def access_review(
    access: AccessReview, ctx: RequestCtx, session: DbSession
) -> schemas.AccessReviewRead:
    """Report every staff account: roles, MFA, last use, open grants, flags."""
    return await review.report(session, ctx.with_access(access))


@router.post("/access-review/attest", status_code=status.HTTP_201_CREATED)
async def attest_access_review(
    body: schemas.AttestationCreate, access: AccessReview, ctx: RequestCtx, session: DbSession
) -> schemas.AttestationRead:
    """Record that the caller reviewed the current access (who, when, snapshot)."""
    return await review.attest(session, ctx.with_access(access), note=body.note)


@invitations_router.post("/accept", status_code=status.HTTP_204_NO_CONTENT)
async def accept_invitation(
    body: schemas.InvitationAcceptCreate, ctx: RequestCtx, session: DbSession
) -> None:
    """Set the first password of an invited staff account (then MFA enrolment)."""
    await invitations.accept(session, ctx, token=body.token, password=body.password)
