"""Security notices and account mails: verification, reset, new device, changes, lockout.

Links carry their token in the URL fragment (`#token=`), which browsers never
send to a server, so tokens stay out of access logs and Referer headers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from helio.auth.accounts import repository as accounts
from helio.auth.accounts.profiles import read_profile
from helio.kit.clock import utcnow
from helio.mail.messages import compose
from helio.mail.outbox import send_after_commit, send_now
from helio.models import AuthSession, User
from helio.platform.app import App


def _base(app: App, user: User) -> str:
    settings = app.settings
    if user.kind == "staff" and settings.staff_url:
        return settings.staff_url.rstrip("/")
    return settings.public_url.rstrip("/")


def _when(moment: datetime | None = None) -> str:
    return f"{(moment or utcnow()):%Y-%m-%d %H:%M} UTC"


async def _queue(session: AsyncSession, app: App, user: User, template: str, **values: str) -> None:
    profile = await read_profile(session, app, user)
    name = profile.full_name or "there"
    message = compose(app.settings, to=profile.email, template=template, name=name, **values)
    send_after_commit(session, app.outbox, message)


async def verification(session: AsyncSession, app: App, user: User, token: str) -> None:
    """Send the email-verification link."""
    hours = str(app.auth_policy.email_verification_seconds // 3600)
    link = f"{_base(app, user)}/verify-email#token={token}"
    await _queue(session, app, user, "verification", link=link, hours=hours)


async def already_registered(session: AsyncSession, app: App, user: User) -> None:
    """Tell an account holder that someone tried to sign up with their email."""
    link = f"{_base(app, user)}/forgot-password"
    await _queue(session, app, user, "already_registered", link=link)


async def reset(session: AsyncSession, app: App, user: User, token: str) -> None:
    """Send the password-reset link (it never contains a password)."""
    minutes = str(app.auth_policy.password_reset_seconds // 60)
    link = f"{_base(app, user)}/reset-password#token={token}"
    await _queue(session, app, user, "reset", link=link, minutes=minutes)


async def new_device(session: AsyncSession, app: App, user: User, row: AuthSession) -> None:
    """Tell the user about a sign-in from a device and network not seen before."""
    await _queue(
        session,
        app,
        user,
        "new_device",
        when=_when(row.created_at),
        device=row.device or "unknown device",
        network=row.ip_prefix or "unknown network",
    )


async def password_changed(
    session: AsyncSession, app: App, user: User, *, how: str, ended: str
) -> None:
    """Confirm a password change or reset and what happened to the sessions."""
    link = f"{_base(app, user)}/forgot-password"
    await _queue(
        session,
        app,
        user,
        "password_changed",
        when=_when(),
        how=how,
        sessions=ended,
        link=link,
    )


async def mfa_changed(session: AsyncSession, app: App, user: User, change: str) -> None:
    """Tell the user that a second factor was added, removed or used for recovery."""
    link = f"{_base(app, user)}/forgot-password"
    await _queue(session, app, user, "mfa_changed", when=_when(), change=change, link=link)


async def account_locked(app: App, user_id: str) -> None:
    """Tell the user that sign-in is paused after repeated failures (own transaction)."""
    minutes = str(app.auth_policy.lockout_seconds // 60)
    async with app.db.transaction() as session:
        user = await accounts.get(session, user_id)
        if user is None:
            return
        profile = await read_profile(session, app, user)
        link = f"{_base(app, user)}/forgot-password"
        message = compose(
            app.settings,
            to=profile.email,
            template="account_locked",
            name=profile.full_name or "there",
            minutes=minutes,
            when=_when(),
            link=link,
        )
    await send_now(app.outbox, message)


def staff_invitation(
    session: AsyncSession,
    app: App,
    *,
    to: str,
    name: str,
    inviter: str,
    token: str,
    hours: int,
) -> None:
    """Queue a staff invitation link, sent when the inviting transaction commits."""
    base = (app.settings.staff_url or app.settings.public_url).rstrip("/")
    message = compose(
        app.settings,
        to=to,
        template="staff_invitation",
        name=name,
        inviter=inviter,
        link=f"{base}/accept-invitation#token={token}",
        hours=str(hours),
    )
    send_after_commit(session, app.outbox, message)
