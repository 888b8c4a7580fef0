"""Inputs and outputs of the audit search and export."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from helio.kit.pagination import CURSOR_PATTERN, Page
from helio.kit.schemas import Instant, StrictQuery, UtcTime

_ACTOR = r"^[A-Za-z0-9_-]{1,64}$"
_ACTION = r"^[a-z0-9_.:-]{1,64}\*?$"
_RESOURCE = r"^(?:[a-z0-9_]{1,32}:)?[A-Za-z0-9_.-]{1,64}$"


def _as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class AuditFilterQuery(StrictQuery):
    """Filters shared by search and export; unknown parameters are refused."""

    actor: str | None = Field(default=None, pattern=_ACTOR, description="actor account id")
    action: str | None = Field(
        default=None, pattern=_ACTION, description="exact action, or a prefix ending in *"
    )
    resource: str | None = Field(
        default=None, pattern=_RESOURCE, description="resource id, or type:id"
    )
    since: Instant | None = Field(default=None, description="inclusive; ISO 8601 with offset")
    until: Instant | None = Field(default=None, description="exclusive; ISO 8601 with offset")


class AuditQuery(AuditFilterQuery):
    """GET /admin/audit parameters."""

    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, pattern=CURSOR_PATTERN)


class ExportQuery(AuditFilterQuery):
    """GET /admin/audit/export parameters."""

    limit: int = Field(default=100_000, ge=1, le=1_000_000)


class AuditEventRead(BaseModel):
    """One audit event with its chain links (so an export can be verified offline)."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    id: str
    occurred_at: UtcTime
    actor_id: str | None
    actor_roles: str | None
    session_id: str | None
    action: str
    resource_type: str | None
    resource_id: str | None
    outcome: str
    reason: str | None
    client_ip: str | None
    user_agent: str | None
    request_id: str | None
    details: dict[str, Any] | None
    prev_hash: str
    hash: str

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class AuditPage(Page[AuditEventRead]):
    """A page of events, newest first."""
