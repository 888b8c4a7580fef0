"""Email verification links: at most a few an hour, each replacing the ones before."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from helio.auth import notices
from helio.auth.accounts import repository as accounts
from helio.auth.tokens import issuing
from helio.auth.tokens import repository as token_rows
from helio.kit.clock import utcnow
from helio.models import User
from helio.platform.app import App

MAILS_PER_HOUR = 3


async def under_mail_limit(session: AsyncSession, user_id: str, purpose: str, limit: int) -> bool:
    """True while fewer than `limit` tokens of a purpose went to the account this hour."""
    since = utcnow() - timedelta(hours=1)
    return await token_rows.recent_one_time_count(session, user_id, purpose, since) < limit


async def send_verification(session: AsyncSession, app: App, user: User) -> None:
    """Send a fresh verification link (at most three an hour); older links stop working."""
    if user.email_verified_at is not None:
        return
    if not await under_mail_limit(session, user.id, issuing.EMAIL_VERIFY, MAILS_PER_HOUR):
        return
    await token_rows.retire_one_time(session, user.id, [issuing.EMAIL_VERIFY], utcnow())
    seconds = app.auth_policy.email_verification_seconds
    value, _ = await issuing.issue_one_time(session, user.id, issuing.EMAIL_VERIFY, seconds=seconds)
    await notices.verification(session, app, user, value)


async def resend_verification(app: App, user_id: str) -> None:
    """Send a fresh link in a transaction of its own (the request is about to fail)."""
    async with app.db.transaction() as session:
        user = await accounts.get(session, user_id)
        if user is not None:
            await send_verification(session, app, user)
