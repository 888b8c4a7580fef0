"""Input and output of the just-in-time grant routes."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from helio.authz.rules import MAX_GRANT_MINUTES, MIN_GRANT_MINUTES
from helio.kit.pagination import CURSOR_PATTERN, Page
from helio.kit.schemas import StrictInput, StrictQuery, WholeNumber
from helio.staff.fields import DEFAULT_LIMIT, MAX_LIMIT, ObjectId, Reason, UtcTime


class GrantState(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    EXPIRED = "expired"
    DENIED = "denied"
    REVOKED = "revoked"


class GrantCreate(StrictInput):
    """POST /staff/grants: which customer, why, for how long; nothing else is accepted."""

    customer_id: ObjectId
    reason: Reason
    minutes: WholeNumber = Field(ge=MIN_GRANT_MINUTES, le=MAX_GRANT_MINUTES)


class GrantQuery(StrictQuery):
    """GET /staff/grants parameters."""

    state: GrantState | None = None
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, pattern=CURSOR_PATTERN)


class GrantRead(BaseModel):
    """A grant as its requester and the admins see it (ids, no customer PII)."""

    id: str
    requester_id: str
    customer_id: str
    reason: str
    minutes: int
    state: GrantState
    decided_by: str | None
    decided_at: UtcTime | None
    expires_at: UtcTime | None
    revoked_at: UtcTime | None
    created_at: UtcTime


class GrantPage(Page[GrantRead]):
    """A page of grants, newest first."""
