"""Who is calling: the principal resolved from a cookie session or a bearer token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from helio.authz.matrix import STAFF_ROLES, Role

SessionKind = Literal["cookie", "token"]


@dataclass(frozen=True)
class Principal:
    """An authenticated account acting through one session."""

    user_id: str
    roles: frozenset[Role]
    session_id: str
    session_kind: SessionKind
    mfa_verified: bool
    has_mfa: bool
    step_up_at: datetime | None
    email_verified: bool

    @property
    def is_staff(self) -> bool:
        """True when the account holds any staff role."""
        return bool(self.roles & STAFF_ROLES)
