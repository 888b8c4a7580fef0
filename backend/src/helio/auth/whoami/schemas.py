"""The answer of GET /api/v1/auth/whoami."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from helio.authz.matrix import Perm, Role

ReachName = Literal["own", "assigned", "granted", "all"]


class WhoAmIRead(BaseModel):
    """Who the session belongs to and what the matrix lets it do."""

    user_id: str
    kind: Literal["customer", "staff"]
    roles: list[Role]
    permissions: dict[Perm, ReachName]
    step_up_permissions: list[Perm]
    mfa_verified: bool
    email_verified: bool
