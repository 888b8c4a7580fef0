"""The caller's own sessions: sign out, list the devices, end other sessions."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction
from helio.auth.accounts.profiles import account_target
from helio.auth.sessions import lifecycle, repository
from helio.auth.sessions.schemas import SessionPage, SessionRead
from helio.auth.sessions.stepup import require_recent_auth
from helio.errors import NotFound
from helio.kit.clock import utcnow
from helio.models import AuthSession
from helio.platform.context import Ctx


async def logout(session: AsyncSession, ctx: Ctx) -> None:
    """End the current session now; its cookie, access tokens and refresh tokens stop working."""
    principal = ctx.caller.principal
    await lifecycle.revoke(
        session, ctx.app, principal.user_id, reason="logout", only=[principal.session_id]
    )
    await audit.record(
        session, ctx, AuditAction.AUTH_SIGNED_OUT, target=account_target(principal.user_id)
    )


async def list_sessions(session: AsyncSession, ctx: Ctx, *, limit: int) -> SessionPage:
    """Return the caller's live sessions (at most `limit`, newest first)."""
    principal = ctx.caller.principal
    rows = (await repository.live_sessions(session, principal.user_id, utcnow()))[:limit]
    items = [
        SessionRead(
            id=row.id,
            kind=row.kind,
            device=row.device,
            network=row.ip_prefix,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            expires_at=min(row.idle_expires_at, row.absolute_expires_at),
            current=row.id == principal.session_id,
        )
        for row in rows
    ]
    return SessionPage(items=items, next_cursor=None)


async def current_row(session: AsyncSession, ctx: Ctx) -> AuthSession:
    """Return the caller's session row."""
    row = await repository.get_session(session, ctx.caller.principal.session_id)
    assert row is not None
    return row


async def revoke_sessions(session: AsyncSession, ctx: Ctx, *, session_id: str | None) -> bool:
    """End one of the caller's sessions (or all others when `session_id` is None).

    Ending the current session is a logout; ending others needs recent
    authentication. Returns True when the current session was ended.

    Raises:
        StepUpRequired: ending other sessions without a recent step-up.
        NotFound: no such live session of the caller.
    """
    principal = ctx.caller.principal
    if session_id == principal.session_id:
        await logout(session, ctx)
        return True
    require_recent_auth(ctx.app.auth_policy, principal, await current_row(session, ctx))
    only = None if session_id is None else [session_id]
    ended = await lifecycle.revoke(
        session,
        ctx.app,
        principal.user_id,
        reason="revoked_by_user",
        keep=principal.session_id,
        only=only,
    )
    if session_id is not None and not ended:
        raise NotFound()
    await audit.record(
        session,
        ctx,
        AuditAction.AUTH_SESSION_REVOKED,
        target=account_target(principal.user_id),
        details={"sessions": ended},
    )
    return False


async def end_sessions(session: AsyncSession, ctx: Ctx, *, user_id: str, reason: str) -> list[str]:
    """End every session of an account now (a role change, a deletion); return their ids."""
    return await lifecycle.revoke(session, ctx.app, user_id, reason=reason)
