"""Audit action names of the staff console.

The alert rules read grant approvals, grant uses and role changes under the
names in `helio.audit.actions`, so those are taken from there.
"""

from __future__ import annotations

from helio.audit.actions import GRANT_APPROVE, GRANT_USE, ROLES_CHANGE

CUSTOMER_VIEWED = "customer.viewed"  # details: {"via": "search" | "view"}
CUSTOMER_REVEALED = "customer.revealed"  # details: {"fields": [...]}; reason: the stated reason
CUSTOMER_UNLOCKED = "customer.unlocked"
CUSTOMER_RESET_FORCED = "customer.password_reset_forced"
CUSTOMER_VERIFICATION_RESENT = "customer.verification_resent"

GRANT_REQUESTED = "grant.requested"
GRANT_APPROVED = GRANT_APPROVE
GRANT_DENIED = "grant.denied"
GRANT_REVOKED = "grant.revoked"
GRANT_USED = GRANT_USE  # resource: the grant; details: {"customer_id", "use"}

STAFF_INVITED = "staff.invited"
STAFF_INVITATION_ACCEPTED = "staff.invitation_accepted"
STAFF_ROLES_CHANGED = ROLES_CHANGE  # details: {"added": [...], "removed": [...]}
STAFF_DEACTIVATED = "staff.deactivated"  # details: {"sessions_ended": n}
STAFF_REACTIVATED = "staff.reactivated"
ACCESS_REVIEW_ATTESTED = "access_review.attested"
