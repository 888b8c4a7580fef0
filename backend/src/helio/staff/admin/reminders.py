"""The access-review reminder: once per review period, a mail to every active admin.

The review falls due `REVIEW_EVERY_DAYS` after the last attestation; the period is
named by that day ("never" before the first attestation). The mails and the
`access_review.reminded` event about the period are written in one transaction,
so however often the scheduled job runs, a period is mailed once; a new
attestation starts a new period. The mail carries a link to the console and the
date of the last attestation, nothing about any account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from helio import audit
from helio.audit import AuditAction, Target
from helio.auth.accounts.profiles import read_profile
from helio.kit.clock import utcnow
from helio.mail.messages import compose
from helio.mail.outbox import send_after_commit
from helio.platform.app import App
from helio.platform.context import Ctx
from helio.staff.admin import repository

REVIEW_EVERY_DAYS = 90
CONSOLE_PAGE = "/console/access-review"


@dataclass(frozen=True, slots=True)
class Reminder:
    """What one run found: whether the review is due, its period, how many admins were mailed."""

    due: bool
    period: str | None = None
    mailed: int = 0


def period_of(last_attested_at: datetime | None) -> str:
    """Name the review period: the day the review fell due, or "never" before any attestation."""
    if last_attested_at is None:
        return "never"
    return (last_attested_at + timedelta(days=REVIEW_EVERY_DAYS)).date().isoformat()


async def remind_if_due(app: App) -> Reminder:
    """Mail every active admin about a due review, once per review period."""
    ctx = Ctx.system(app)
    async with app.db.transaction() as session:
        last = await repository.last_attestation(session)
        attested_at = None if last is None else last.created_at
        if attested_at is not None and utcnow() - attested_at <= timedelta(days=REVIEW_EVERY_DAYS):
            return Reminder(due=False)
        period = period_of(attested_at)
        target = Target("access_review", period)
        if await audit.recorded(session, AuditAction.ACCESS_REVIEW_REMINDED, target):
            return Reminder(due=True, period=period)
        admins = await repository.active_admins(session)
        since = "never attested" if attested_at is None else f"last attested {attested_at:%Y-%m-%d}"
        link = (app.settings.staff_url or app.settings.public_url).rstrip("/") + CONSOLE_PAGE
        for admin in admins:
            profile = await read_profile(session, app, admin)
            message = compose(
                app.settings, to=profile.email, template="access_review_due", since=since, link=link
            )
            send_after_commit(session, app.outbox, message)
        await audit.record(
            session, ctx, AuditAction.ACCESS_REVIEW_REMINDED, target=target,
            details={"admins": len(admins)},
        )  # fmt: skip
    return Reminder(due=True, period=period, mailed=len(admins))
