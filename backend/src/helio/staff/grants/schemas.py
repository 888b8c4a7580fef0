"""Input and output of the just-in-time grant routes."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from helio.authz.rules import MAX_GRANT_MINUTES, MIN_GRANT_MINUTES
from helio.staff.pagination import CURSOR_PATTERN, DEFAULT_LIMIT, MAX_LIMIT
from helio.staff.schemas import INPUT, ObjectId, Reason, UtcTime


class GrantState(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    EXPIRED = "expired"
    DENIED = "denied"
    REVOKED = "revoked"


class GrantCreate(BaseModel):
    """POST /staff/grants: which customer, why, for how long; nothing else is accepted."""

    model_config = INPUT

    customer_id: ObjectId
    reason: Reason
    minutes: int = Field(ge=MIN_GRANT_MINUTES, le=MAX_GRANT_MINUTES)


class GrantQuery(BaseModel):
    """GET /staff/grants parameters."""

    model_config = ConfigDict(extra="forbid")

    state: GrantState | None = None
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, pattern=CURSOR_PATTERN)


GrantQueryDep = Annotated[GrantQuery, Query()]


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


class GrantPage(BaseModel):
    """A page of grants, newest first."""

    items: list[GrantRead]
    next_cursor: str | None
