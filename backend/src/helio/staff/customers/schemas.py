"""Input and output of the staff customer routes: masked by default, revealed per field."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, field_validator

from helio.kit.pagination import Page
from helio.kit.schemas import StrictInput
from helio.staff.fields import Reason, UtcTime


class SearchQuery(StrictInput):
    """GET /staff/customers: an exact email or phone number, or a name prefix (3+ letters)."""

    query: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]
    limit: int = Field(default=20, ge=1, le=50)


class CustomerMaskedRead(BaseModel):
    """What staff see of a customer without revealing: masked PII, account state."""

    id: str
    status: str
    email: str | None
    full_name: str | None
    phone: str | None
    address: dict[str, str] | None
    has_notes: bool
    email_verified: bool
    created_at: UtcTime
    last_login_at: UtcTime | None


class CustomerPage(Page[CustomerMaskedRead]):
    """Search results (exact matches or one name prefix; never more than one page)."""


class RevealField(StrEnum):
    EMAIL = "email"
    FULL_NAME = "full_name"
    PHONE = "phone"
    ADDRESS = "address"
    NOTES = "notes"


class RevealCreate(StrictInput):
    """POST /staff/customers/{id}/reveal: which fields, and why (recorded in the audit trail)."""

    fields: list[RevealField] = Field(min_length=1, max_length=len(RevealField))
    reason: Reason

    @field_validator("fields")
    @classmethod
    def _distinct(cls, value: list[RevealField]) -> list[RevealField]:
        return list(dict.fromkeys(value))


class RevealRead(BaseModel):
    """The plaintext of exactly the requested fields."""

    id: str
    fields: dict[str, Any]
