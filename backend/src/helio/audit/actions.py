"""The audit vocabulary: every action name the trail records, and the outcomes.

One style: `<domain>.<what happened, past tense>`, snake_case, the domain
singular (`site.created`, `grant.approved`, `auth.signed_in`). The values are
stored in the hash-chained trail, so a value never changes once released:
events recorded before this vocabulary keep their old names, listed in
`LEGACY_NAMES`, and a search for an action also finds its older name.
Alert rules (`helio.alerts.rules`) and metrics read these names.
"""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"
    MFA_PENDING = "mfa_pending"  # the password was right; a second factor must follow


class AuditAction(StrEnum):
    # Authentication (resource: the account). A successful sign-in's details carry
    # "new_device": bool and "account": "staff" | "customer" (the staff_new_device rule).
    AUTH_REGISTERED = "auth.registered"
    AUTH_EMAIL_VERIFIED = "auth.email_verified"
    AUTH_SIGNED_IN = "auth.signed_in"
    AUTH_ACCOUNT_LOCKED = "auth.account_locked"  # after repeated failures
    AUTH_MFA_CHECKED = "auth.mfa_checked"  # the second factor of a sign-in
    AUTH_TOKEN_ISSUED = "auth.token_issued"  # noqa: S105 - an action name
    AUTH_TOKEN_REFRESHED = "auth.token_refreshed"  # noqa: S105 - an action name
    AUTH_REFRESH_TOKEN_REUSED = "auth.refresh_token_reused"  # noqa: S105 - a stolen token
    AUTH_SIGNED_OUT = "auth.signed_out"
    AUTH_SESSION_REVOKED = "auth.session_revoked"
    AUTH_PASSWORD_RESET_REQUESTED = "auth.password_reset_requested"  # noqa: S105
    AUTH_PASSWORD_RESET = "auth.password_reset"  # noqa: S105 - an action name
    AUTH_PASSWORD_CHANGED = "auth.password_changed"  # noqa: S105 - an action name
    AUTH_MFA_ENROLLED = "auth.mfa_enrolled"
    AUTH_MFA_REMOVED = "auth.mfa_removed"
    AUTH_STEPPED_UP = "auth.stepped_up"
    AUTH_POW_REFUSED = "auth.pow_refused"
    AUTH_CSRF_REFUSED = "auth.csrf_refused"
    # The customer's own account
    PROFILE_UPDATED = "profile.updated"  # details: the changed field names
    ACCOUNT_EXPORTED = "account.exported"
    ACCOUNT_DELETED = "account.deleted"
    ACCOUNT_SHREDDED = "account.shredded"
    DATA_INTEGRITY_FAILED = "data.integrity_failed"  # a ciphertext did not verify
    # Sites and quotes
    SITE_CREATED = "site.created"
    SITE_UPDATED = "site.updated"
    SITE_DELETED = "site.deleted"
    SITE_USAGE_UPDATED = "site.usage_updated"
    QUOTE_CREATED = "quote.created"
    # Orders (resource: the order). Details: ids, steps, changed field names; a correction's
    # before/after values are masked.
    ORDER_PLACED = "order.placed"
    ORDER_TRANSITIONED = "order.transitioned"  # details: {"from", "to", "version"}
    ORDER_CANCELLED = "order.cancelled"  # details: {"from", "by": "customer" | "staff"}
    ORDER_UPDATED = "order.updated"  # a reschedule or contact correction; reason as stated
    ORDER_VIEWED = "order.viewed"  # a staff read of one order
    DOCUMENT_UPLOADED = "document.uploaded"  # details: {"kind", "media_type", "size"}
    DOCUMENT_REFUSED = "document.refused"  # details: {"code"}; a flagged or bad upload
    DOCUMENT_DOWNLOADED = "document.downloaded"  # a staff download of a customer's file
    # Payments (resource: the payment request)
    PAYMENT_REQUESTED = "payment.requested"
    PAYMENT_EVENT_APPLIED = "payment.event_applied"  # details: {"event_id", "type", "effect"}
    PAYMENT_WEBHOOK_REFUSED = "payment.webhook_refused"  # reason: the refusal code
    # Leads (resource: the lead)
    LEAD_RECEIVED = "lead.received"  # the public form
    LEAD_CREATED = "lead.created"  # entered by sales
    LEAD_UPDATED = "lead.updated"  # details: the changed field names
    LEAD_VIEWED = "lead.viewed"  # a salesperson read the lead's details in plaintext
    LEAD_CONVERTED = "lead.converted"  # details: {"customer_id", "invited": bool}
    # Staff access to customers (resource: the customer)
    CUSTOMER_VIEWED = "customer.viewed"  # details: {"via": "search" | "view"}
    CUSTOMER_REVEALED = "customer.revealed"  # details: {"fields": [...]}; reason: as stated
    CUSTOMER_UNLOCKED = "customer.unlocked"
    CUSTOMER_PASSWORD_RESET_FORCED = "customer.password_reset_forced"  # noqa: S105
    CUSTOMER_VERIFICATION_RESENT = "customer.verification_resent"
    # details: {"changes": {field: {"before": masked, "after": masked}}}; reason: as stated
    CUSTOMER_CONTACT_CORRECTED = "customer.contact_corrected"
    # Just-in-time grants (resource: the grant)
    GRANT_REQUESTED = "grant.requested"
    GRANT_APPROVED = "grant.approved"
    GRANT_DENIED = "grant.denied"
    GRANT_REVOKED = "grant.revoked"
    GRANT_USED = "grant.used"  # break-glass use; details: {"customer_id", "use"}
    # Staff administration (resource: the staff account)
    STAFF_INVITED = "staff.invited"
    STAFF_INVITATION_ACCEPTED = "staff.invitation_accepted"
    STAFF_ROLES_CHANGED = "staff.roles_changed"  # details: {"added": [...], "removed": [...]}
    STAFF_DEACTIVATED = "staff.deactivated"  # details: {"sessions_ended": n}
    STAFF_REACTIVATED = "staff.reactivated"  # details: {"invitation_resent": bool}
    ACCESS_REVIEW_ATTESTED = "access_review.attested"
    ACCESS_REVIEW_REMINDED = "access_review.reminded"  # resource: the review period
    # The audit trail and its alerts
    AUDIT_SEARCHED = "audit.searched"
    AUDIT_EXPORTED = "audit.exported"
    AUDIT_VERIFIED = "audit.verified"  # outcome failure when the chain does not verify
    ALERT_SINKS_UPDATED = "alert.sinks_updated"
    # The daily self-audit (resource: the stored report, or the regressed check)
    SELF_AUDIT_STORED = "self_audit.stored"  # details: verdict counts, worst severity
    SELF_AUDIT_CHECK_REGRESSED = "self_audit.check_regressed"  # details: check, category, severity


SIGN_IN_ACTIONS = frozenset(
    {AuditAction.AUTH_SIGNED_IN, AuditAction.AUTH_MFA_CHECKED, AuditAction.AUTH_TOKEN_ISSUED}
)

# Names stored before the vocabulary was unified; the trail keeps them as recorded.
LEGACY_NAMES: dict[AuditAction, tuple[str, ...]] = {
    AuditAction.AUTH_REGISTERED: ("auth.register",),
    AuditAction.AUTH_SIGNED_IN: ("auth.login",),
    AuditAction.AUTH_ACCOUNT_LOCKED: ("auth.lockout",),
    AuditAction.AUTH_MFA_CHECKED: ("auth.mfa",),
    AuditAction.AUTH_REFRESH_TOKEN_REUSED: ("auth.refresh_token_reuse",),
    AuditAction.AUTH_SIGNED_OUT: ("auth.logout",),
    AuditAction.AUTH_STEPPED_UP: ("auth.step_up",),
    AuditAction.SITE_CREATED: ("sites.create",),
    AuditAction.SITE_UPDATED: ("sites.update",),
    AuditAction.SITE_DELETED: ("sites.delete",),
    AuditAction.SITE_USAGE_UPDATED: ("sites.usage.update",),
    AuditAction.QUOTE_CREATED: ("quotes.create",),
    AuditAction.GRANT_APPROVED: ("grants.approve",),
    AuditAction.GRANT_USED: ("grants.use",),
    AuditAction.STAFF_ROLES_CHANGED: ("staff.roles.change",),
    AuditAction.AUDIT_SEARCHED: ("audit.search",),
    AuditAction.AUDIT_EXPORTED: ("audit.export",),
    AuditAction.AUDIT_VERIFIED: ("audit.verify",),
    AuditAction.ALERT_SINKS_UPDATED: ("alerts.sinks.update",),
}

# Domain prefixes renamed with the vocabulary ("sites.*" became "site.*").
LEGACY_PREFIXES: dict[str, tuple[str, ...]] = {
    "site.": ("sites.",),
    "quote.": ("quotes.",),
    "grant.": ("grants.",),
    "alert.": ("alerts.",),
}


def names_of(action: str) -> tuple[str, ...]:
    """Return an action name and the older names of the same action (for searches)."""
    try:
        known = AuditAction(action)
    except ValueError:
        return (action,)
    return (known.value, *LEGACY_NAMES.get(known, ()))


def prefixes_of(prefix: str) -> tuple[str, ...]:
    """Return an action prefix and the older prefixes of the same domain (for searches)."""
    return (prefix, *LEGACY_PREFIXES.get(prefix, ()))
