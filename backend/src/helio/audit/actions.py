"""Audit action names that the alert rules and the audit trail itself rely on.

Other domains record their own actions (`orders.transition`, `customers.reveal`…);
the ones below are read by `helio.alerts.rules`, so their producers use these names.
Outcomes are "success", "failure" or "denied".
"""

from __future__ import annotations

SUCCESS = "success"
FAILURE = "failure"
DENIED = "denied"

# Authentication (the names of helio.auth.events)
# A successful sign-in's details carry "new_device": bool and "account": "staff" | "customer"
# (the staff_new_device rule reads them).
LOGIN = "auth.login"
MFA = "auth.mfa"
TOKEN_ISSUED = "auth.token_issued"  # noqa: S105 - an action name: token grant for API clients
LOCKOUT = "auth.lockout"  # an account was locked after repeated failures
REFRESH_REUSE = "auth.refresh_token_reuse"  # a rotated refresh token was presented again

# Staff access (helio.staff)
ROLES_CHANGE = "staff.roles.change"  # details: {"added": [...], "removed": [...]}
GRANT_USE = "grants.use"  # break-glass: an engineer used a just-in-time grant
GRANT_APPROVE = "grants.approve"

# The audit trail itself
AUDIT_SEARCH = "audit.search"
AUDIT_EXPORT = "audit.export"
AUDIT_VERIFY = "audit.verify"  # failure when the chain does not verify
ALERT_SINKS_UPDATE = "alerts.sinks.update"

LOGIN_ACTIONS = frozenset({LOGIN, MFA, TOKEN_ISSUED})
