"""/auth: sign-up, email verification, forgotten and changed passwords."""

from __future__ import annotations

from fastapi import APIRouter

from helio.auth.accounts import service
from helio.auth.accounts.schemas import (
    AcceptedRead,
    EmailVerificationCreate,
    PasswordChangeCreate,
    PasswordForgotCreate,
    PasswordResetCreate,
    RegistrationCreate,
)
from helio.auth.deps import PowSolution, SessionSelf
from helio.http.deps import DbSession, RequestCtx
from helio.http.openapi import errors

router = APIRouter()


@router.post("/register", status_code=202)
async def register(
    body: RegistrationCreate, ctx: RequestCtx, session: DbSession, pow_solution: PowSolution
) -> AcceptedRead:
    """Create a customer account; the answer is the same whether the email is taken or not."""
    await service.register(
        session,
        ctx,
        email=str(body.email),
        password=body.password,
        full_name=body.full_name,
        pow_solution=pow_solution,
    )
    return AcceptedRead()


@router.post("/verify-email", status_code=204)
async def verify_email(body: EmailVerificationCreate, ctx: RequestCtx, session: DbSession) -> None:
    """Confirm an email address with the emailed token."""
    await service.verify_email(session, ctx, token=body.token)


@router.post("/password/forgot", status_code=202)
async def forgot_password(
    body: PasswordForgotCreate, ctx: RequestCtx, session: DbSession, pow_solution: PowSolution
) -> AcceptedRead:
    """Send a reset link if the account exists; the answer is always the same."""
    await service.forgot_password(session, ctx, email=body.email, pow_solution=pow_solution)
    return AcceptedRead()


@router.post("/password/reset", status_code=204)
async def reset_password(body: PasswordResetCreate, ctx: RequestCtx, session: DbSession) -> None:
    """Set a new password with the emailed token; every session of the account ends."""
    await service.reset_password(session, ctx, token=body.token, new_password=body.new_password)


@router.post("/password/change", status_code=204, responses=errors(429))
async def change_password(
    body: PasswordChangeCreate, access: SessionSelf, ctx: RequestCtx, session: DbSession
) -> None:
    """Change the password (current one required); other sessions end."""
    await service.change_password(
        session,
        ctx.with_access(access),
        current_password=body.current_password,
        new_password=body.new_password,
    )
