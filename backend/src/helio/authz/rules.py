"""Authorization rules that are not role × reach; each is called from one service.

Pure functions over facts the service has loaded (under a lock where a race
matters); they raise the error the client sees.
"""

from __future__ import annotations

from collections.abc import Collection

from helio.authz.matrix import Perm, Reach, Role, reach
from helio.errors import Conflict, Forbidden, ValidationFailed

MAX_GRANT_MINUTES = 240
MIN_GRANT_MINUTES = 5


class OwnGrant(Forbidden):
    code, message = "own_grant", "A grant is decided by an admin other than the requester."


class OwnRoles(Forbidden):
    code, message = "own_account", "Nobody changes their own roles or deactivates themselves."


class LastAdmin(Conflict):
    code, message = "last_admin", "The last active admin cannot lose the admin role."


class NotLeadWorker(ValidationFailed):
    code, message = "assignee_not_sales", "Leads are assigned to an active salesperson."


def works_leads(roles: Collection[Role], *, active: bool) -> None:
    """Refuse to assign a lead to an account that may not work leads.

    Raises:
        NotLeadWorker: the account is inactive or none of its roles holds `leads:write`.
    """
    if not active or all(reach(Perm.LEADS_WRITE, role) == Reach.NONE for role in roles):
        raise NotLeadWorker


def not_own_grant(decider_id: str, requester_id: str) -> None:
    """Refuse an admin deciding (approving or denying) a grant they requested.

    Raises:
        OwnGrant: the decider is the requester.
    """
    if decider_id == requester_id:
        raise OwnGrant


def not_own_account(actor_id: str, target_id: str) -> None:
    """Refuse anyone changing their own roles or status.

    Raises:
        OwnRoles: the actor is the target.
    """
    if actor_id == target_id:
        raise OwnRoles


def holds_admin(roles: Collection[Role | str]) -> bool:
    """True when the roles include admin (the last-admin rule and the access review count them)."""
    return Role.ADMIN in {Role(role) for role in roles}


def admin_remains(
    active_admin_ids: Collection[str],
    target_id: str,
    *,
    roles_after: Collection[Role],
    active_after: bool,
) -> None:
    """Refuse a change that would leave no active admin.

    Args:
        active_admin_ids: the active admins, read under a lock by the caller.
        target_id: the account being changed.
        roles_after: the target's roles after the change.
        active_after: whether the target is active after the change.

    Raises:
        LastAdmin: the target is the only active admin and would stop being one.
    """
    keeps_admin = active_after and holds_admin(roles_after)
    others = set(active_admin_ids) - {target_id}
    if not keeps_admin and target_id in active_admin_ids and not others:
        raise LastAdmin


def grant_minutes(minutes: int) -> None:
    """Refuse a grant shorter than 5 minutes or longer than 4 hours.

    Raises:
        ValidationFailed: outside the allowed duration.
    """
    if not MIN_GRANT_MINUTES <= minutes <= MAX_GRANT_MINUTES:
        raise ValidationFailed(
            f"A grant lasts {MIN_GRANT_MINUTES} to {MAX_GRANT_MINUTES} minutes.",
            fields={"minutes": f"Between {MIN_GRANT_MINUTES} and {MAX_GRANT_MINUTES}."},
        )


def staff_roles_only(roles: Collection[Role]) -> None:
    """Refuse giving a staff account the customer role.

    Raises:
        ValidationFailed: `customer` is among the roles.
    """
    if Role.CUSTOMER in roles:
        raise ValidationFailed(fields={"roles": "Staff accounts hold staff roles only."})
