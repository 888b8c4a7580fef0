"""/auth: sign out, the caller's sessions and devices."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from helio.auth.deps import SessionSelf
from helio.auth.sessions import service
from helio.auth.sessions.schemas import SessionPage
from helio.http.cookies import clear_session_cookies
from helio.http.deps import DbSession, RequestCtx

router = APIRouter()


@router.post("/logout", status_code=204)
async def logout(
    access: SessionSelf, response: Response, ctx: RequestCtx, session: DbSession
) -> None:
    """End the current session at once (cookie, access and refresh tokens)."""
    await service.logout(session, ctx.with_access(access))
    clear_session_cookies(response, ctx.app.settings)


@router.get("/sessions")
async def list_sessions(
    access: SessionSelf,
    ctx: RequestCtx,
    session: DbSession,
    limit: int = Query(50, ge=1, le=100),
) -> SessionPage:
    """List the caller's signed-in sessions and devices."""
    return await service.list_sessions(session, ctx.with_access(access), limit=limit)


@router.delete("/sessions", status_code=204)
async def revoke_other_sessions(access: SessionSelf, ctx: RequestCtx, session: DbSession) -> None:
    """End every other session of the caller (recent step-up required)."""
    await service.revoke_sessions(session, ctx.with_access(access), session_id=None)


@router.delete("/sessions/{session_id}", status_code=204)
async def revoke_session(
    session_id: str, access: SessionSelf, response: Response, ctx: RequestCtx, session: DbSession
) -> None:
    """End one session of the caller (another one needs a recent step-up)."""
    ended_current = await service.revoke_sessions(
        session, ctx.with_access(access), session_id=session_id
    )
    if ended_current:
        clear_session_cookies(response, ctx.app.settings)
