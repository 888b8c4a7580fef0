"""The tamper-evident audit trail: `audit.record(session, ctx, AuditAction.X, target=…)`."""

from helio.audit.actions import AuditAction, Outcome
from helio.audit.trail import Target, record, record_separately, recorded

__all__ = ["AuditAction", "Outcome", "Target", "record", "record_separately", "recorded"]
