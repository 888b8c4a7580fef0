"""Describe a caller from the permission matrix, so clients shape their UI.

The server still enforces every permission on every route; this only lets a
client hide what the matrix denies instead of offering it and failing.
"""

from __future__ import annotations

from helio.auth.whoami.schemas import ReachName, WhoAmIRead
from helio.authz.access import best_reach, held_roles
from helio.authz.matrix import STEP_UP, Perm, Reach
from helio.authz.principal import Principal

_REACH_NAMES: dict[Reach, ReachName] = {
    Reach.OWN: "own",
    Reach.ASSIGNED: "assigned",
    Reach.GRANTED: "granted",
    Reach.ALL: "all",
}


def describe(principal: Principal) -> WhoAmIRead:
    """The caller's kind, roles, and each permission it holds with its reach."""
    reaches = {perm: best_reach(principal, perm) for perm in Perm}
    allowed = {perm: reach for perm, reach in reaches.items() if reach != Reach.NONE}
    return WhoAmIRead(
        user_id=principal.user_id,
        kind="staff" if principal.is_staff else "customer",
        roles=held_roles(principal),
        permissions={perm: _REACH_NAMES[reach] for perm, reach in allowed.items()},
        step_up_permissions=sorted(perm for perm in STEP_UP if perm in allowed),
        mfa_verified=principal.mfa_verified,
        email_verified=principal.email_verified,
    )
