"""/api/v1/auth/whoami: the caller's kind, roles and permissions, so clients shape their UI.

The server still enforces every permission on every route; this only lets a
client hide what the matrix denies instead of offering it and failing.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from helio.auth.deps import SessionSelf
from helio.authz.access import best_reach
from helio.authz.matrix import ROLE_ORDER, STEP_UP, Perm, Reach, Role

router = APIRouter(prefix="/auth", tags=["auth"])


class WhoAmI(BaseModel):
    """Who the session belongs to and what the matrix lets it do."""

    user_id: str
    kind: Literal["customer", "staff"]
    roles: list[Role]
    permissions: dict[Perm, Literal["own", "assigned", "granted", "all"]]
    step_up_permissions: list[Perm]
    mfa_verified: bool
    email_verified: bool


@router.get("/whoami")
async def whoami(access: SessionSelf) -> WhoAmI:
    """Describe the caller: kind, roles, and each permission with its reach."""
    principal = access.principal
    reaches = {perm: best_reach(principal, perm) for perm in Perm}
    allowed = {perm: r for perm, r in reaches.items() if r != Reach.NONE}
    return WhoAmI(
        user_id=principal.user_id,
        kind="staff" if principal.is_staff else "customer",
        roles=[role for role in ROLE_ORDER if role in principal.roles],
        permissions={perm: _REACH_NAMES[r] for perm, r in allowed.items()},
        step_up_permissions=sorted(perm for perm in STEP_UP if perm in allowed),
        mfa_verified=principal.mfa_verified,
        email_verified=principal.email_verified,
    )


_REACH_NAMES: dict[Reach, Literal["own", "assigned", "granted", "all"]] = {
    Reach.OWN: "own",
    Reach.ASSIGNED: "assigned",
    Reach.GRANTED: "granted",
    Reach.ALL: "all",
}
