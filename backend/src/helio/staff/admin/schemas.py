"""Input and output of staff administration, invitations and the access review."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

from helio.staff.pagination import CURSOR_PATTERN, DEFAULT_LIMIT, MAX_LIMIT
from helio.staff.schemas import INPUT, UtcTime

# The customer role is never given through staff administration.
StaffRole = Literal["support", "sales", "engineer", "admin"]
MfaMethod = Literal["totp", "webauthn"]


def _distinct(roles: list[StaffRole]) -> list[StaffRole]:
    return sorted(set(roles))


Roles = Annotated[list[StaffRole], Field(min_length=1, max_length=4), AfterValidator(_distinct)]


class StaffInvite(BaseModel):
    """POST /admin/staff: who to invite and with which staff roles."""

    model_config = INPUT

    email: Annotated[EmailStr, StringConstraints(max_length=254)]
    full_name: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    roles: Roles


class StaffUpdate(BaseModel):
    """PATCH /admin/staff/{id}: new roles, and/or `active: false` to deactivate."""

    model_config = INPUT

    roles: Roles | None = None
    active: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> StaffUpdate:
        if self.roles is None and self.active is None:
            raise ValueError("send roles, active, or both")
        return self


class StaffQuery(BaseModel):
    """GET /admin/staff parameters."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, pattern=CURSOR_PATTERN)


StaffQueryDep = Annotated[StaffQuery, Query()]


class StaffRead(BaseModel):
    """A staff account as admins see it."""

    id: str
    email: str
    full_name: str | None
    roles: list[str]
    status: str
    mfa_methods: list[MfaMethod]
    last_login_at: UtcTime | None
    created_at: UtcTime


class StaffPage(BaseModel):
    """A page of staff accounts, newest first."""

    items: list[StaffRead]
    next_cursor: str | None


class InvitationAccept(BaseModel):
    """POST /auth/invitations/accept: the emailed token and the new password."""

    model_config = INPUT

    token: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


ReviewFlag = Literal["no_mfa", "dormant", "invitation_pending"]


class ReviewEntry(BaseModel):
    """One staff account in the access review."""

    id: str
    email: str
    full_name: str | None
    roles: list[str]
    status: str
    mfa_methods: list[MfaMethod]
    last_login_at: UtcTime | None
    last_used_at: UtcTime | None
    days_since_last_use: int
    open_grants: int
    flags: list[ReviewFlag]


class ReviewSummary(BaseModel):
    """The figures an attesting admin checks first."""

    staff: int
    active: int
    admin_count: int
    no_mfa: int
    dormant: int
    dormant_after_days: int


class Attestation(BaseModel):
    """A recorded attestation of the access review."""

    id: str
    attested_by: str
    note: str | None
    created_at: UtcTime


class AccessReview(BaseModel):
    """GET /admin/access-review: every staff account and the summary."""

    generated_at: UtcTime
    summary: ReviewSummary
    staff: list[ReviewEntry]
    last_attestation: Attestation | None


class AttestRequest(BaseModel):
    """POST /admin/access-review/attest: an optional note; who and when are recorded."""

    model_config = INPUT

    note: Annotated[str, StringConstraints(max_length=1000)] | None = None


def snapshot_of(review: AccessReview) -> dict[str, Any]:
    """Return the attested state without PII (ids, roles, MFA, use, flags)."""
    return {
        "generated_at": review.generated_at.isoformat(),
        "summary": review.summary.model_dump(),
        "staff": [
            entry.model_dump(
                mode="json", exclude={"email", "full_name", "last_login_at", "last_used_at"}
            )
            for entry in review.staff
        ],
    }
