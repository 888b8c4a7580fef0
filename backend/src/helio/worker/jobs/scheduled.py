"""Scheduled housekeeping: crypto-shredding, audit checkpoints, quote expiry, access reviews,
the daily self-audit.

Each runs on a cron schedule (UTC) in one worker at a time (SAQ's schedule lock)
and is safe to run twice: every step works on what is due at that moment.
"""

from __future__ import annotations

from helio.audit.checkpoints import create_checkpoint, load_signing_keys
from helio.customers.deletion import shred_due
from helio.kit.clock import utcnow
from helio.logging import get_logger
from helio.platform.context import Ctx
from helio.quotes.service import OFFERED
from helio.selfaudit.job import daily_self_audit
from helio.staff.admin.reminders import remind_if_due
from helio.worker import repository
from helio.worker.context import WorkerContext
from helio.worker.registry import Family, ScheduledJob

EXPIRED = "expired"
log = get_logger("worker.scheduled")


async def shred_due_accounts(worker: WorkerContext) -> int:
    """Crypto-shred the deleted accounts whose grace period has ended (`helio keys shred-due`)."""
    count = await shred_due(Ctx.system(worker.app), batch_size=100)
    log.info("accounts_shredded", count=count)
    return count


async def audit_checkpoint(worker: WorkerContext) -> int:
    """Sign the audit chain head (`helio audit checkpoint`); return its sequence number."""
    stored = await create_checkpoint(worker.app.db, load_signing_keys(worker.app.settings))
    return stored.seq


async def expire_quotes(worker: WorkerContext) -> int:
    """Mark offered quotes past their validity as expired; return how many."""
    async with worker.app.db.transaction() as session:
        count = await repository.expire_quotes(
            session, offered=OFFERED, expired=EXPIRED, now=utcnow()
        )
    log.info("quotes_expired", count=count)
    return count


async def access_review_reminder(worker: WorkerContext) -> bool:
    """Mail the admins when the access review is due (once per review period); True if due."""
    reminder = await remind_if_due(worker.app)
    if reminder.due:
        log.warning("access_review_due", period=reminder.period, admins_mailed=reminder.mailed)
    return reminder.due


async def self_audit(worker: WorkerContext) -> str:
    """Run the OWASP Top 10 self-audit, store it and alert on regressions; return its id."""
    stored = await daily_self_audit(worker.app)
    return stored.id


FAMILY = Family(
    name="scheduled",
    schedules=(
        ScheduledJob("shred_due_accounts", "15 3 * * *", shred_due_accounts),
        ScheduledJob("audit_checkpoint", "5 * * * *", audit_checkpoint),
        ScheduledJob("expire_quotes", "*/15 * * * *", expire_quotes),
        ScheduledJob("access_review_reminder", "0 8 * * 1", access_review_reminder),
        ScheduledJob("self_audit", "30 4 * * *", self_audit),
    ),
)
