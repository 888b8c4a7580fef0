"""Input and output of staff administration, invitations and the access review."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

from helio.kit.pagination import CURSOR_PATTERN, Page
from helio.kit.schemas import StrictInput, StrictQuery, at_least_one
from helio.kit.text import EMAIL_CHARS, NOTE_CHARS, PersonName, chars
from helio.staff.fields import DEFAULT_LIMIT, MAX_LIMIT, UtcTime

# The customer role is never given through staff administration.
StaffRole = Literal["support", "sales", "engineer", "admin"]
MfaMethod = Literal["totp", "webauthn"]


def _distinct(roles: list[StaffRole]) -> list[StaffRole]:
    return sorted(set(roles))


Roles = Annotated[list[StaffRole], Field(min_length=1, max_length=4), AfterValidator(_distinct)]


class StaffCreate(StrictInput):
    """POST /admin/staff: who to invite and with which staff roles."""

    email: Annotated[EmailStr, StringConstraints(strip_whitespace=True, max_length=EMAIL_CHARS)]
    full_name: PersonName
    roles: Roles


class StaffUpdate(StrictInput):
    """PATCH /admin/staff/{id}: new roles, and/or `active: false` to deactivate."""

    model_config = ConfigDict(json_schema_extra=at_least_one("roles", "active"))

    roles: Roles | None = None
    active: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> StaffUpdate:
        if self.roles is None and self.active is None:
            raise ValueError("send roles, active, or both")
        return self


class StaffQuery(StrictQuery):
    """GET /admin/staff parameters."""

    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, pattern=CURSOR_PATTERN)


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


class StaffPage(Page[StaffRead]):
    """A page of staff accounts, newest first."""


class InvitationAcceptCreate(StrictInput):
    """POST /auth/invitations/accept: the emailed token and the new password."""

    token: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
    # Stripped as it always was here (unlike sign-in, which keeps every character).
    password: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1024)
    ]


ReviewFlag = Literal["no_mfa", "dormant", "invitation_pending"]


class ReviewEntryRead(BaseModel):
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


class ReviewSummaryRead(BaseModel):
    """The figures an attesting admin checks first."""

    staff: int
    active: int
    admin_count: int
    no_mfa: int
    dormant: int
    dormant_after_days: int


class AttestationRead(BaseModel):
    """A recorded attestation of the access review."""

    id: str
    attested_by: str
    note: str | None
    created_at: UtcTime


class AccessReviewRead(BaseModel):
    """GET /admin/access-review: every staff account and the summary."""

    generated_at: UtcTime
    summary: ReviewSummaryRead
    staff: list[ReviewEntryRead]
    last_attestation: AttestationRead | None


class AttestationCreate(StrictInput):
    """POST /admin/access-review/attest: an optional note; who and when are recorded."""

    note: Annotated[str, chars(NOTE_CHARS, None, lines=True)] | None = None


def snapshot_of(review: AccessReviewRead) -> dict[str, Any]:
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
