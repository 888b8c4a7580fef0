"""Input and output of the staff customer routes: masked by default, revealed per field."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from helio.customers.schemas import AddressUpdate
from helio.kit.pagination import Page
from helio.kit.schemas import StrictInput, StrictQuery, at_least_one, sent_not_null
from helio.kit.text import PersonName, PhoneText, chars
from helio.security.blind_index import normalise_phone
from helio.staff.fields import Reason, UtcTime


class SearchQuery(StrictQuery):
    """GET /staff/customers: an exact email or phone number, or a name prefix (3+ letters)."""

    # Only looked for (an exact email or phone, a name prefix), never kept or shown: a
    # character no customer's data holds simply finds nothing.
    query: Annotated[str, chars(254, 3, any_character=True)]
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

    # Matched by value (JSON has no enums), as for a lead's status.
    fields: list[Annotated[RevealField, Field(strict=False)]] = Field(
        min_length=1, max_length=len(RevealField)
    )
    reason: Reason

    @field_validator("fields")
    @classmethod
    def _distinct(cls, value: list[RevealField]) -> list[RevealField]:
        return list(dict.fromkeys(value))


class RevealRead(BaseModel):
    """The plaintext of exactly the requested fields."""

    id: str
    fields: dict[str, Any]


CONTACT_FIELDS = ("full_name", "phone", "address")


class CustomerContactUpdate(StrictInput):
    """PATCH /staff/customers/{id}: correct name, phone or address; why (audited).

    The email is not here: it is how the account signs in and recovers, so only its
    holder changes it.
    """

    model_config = ConfigDict(json_schema_extra=at_least_one(*CONTACT_FIELDS, null_counts=True))

    full_name: PersonName | None = Field(default=None, json_schema_extra=sent_not_null)
    phone: PhoneText | None = None
    address: AddressUpdate | None = None
    reason: Reason

    @field_validator("phone")
    @classmethod
    def _international_phone(cls, value: str | None) -> str | None:
        if value is not None:
            normalise_phone(value)
        return value

    @model_validator(mode="after")
    def _something(self) -> CustomerContactUpdate:
        fields = self.model_fields_set & set(CONTACT_FIELDS)
        if not fields:
            raise ValueError("give a name, phone or address to correct")
        if self.full_name is None and "full_name" in fields:
            raise ValueError("full_name cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        """Return the contact fields sent, the address as a plain dict (null clears)."""
        return {
            name: (
                value.model_dump(exclude_none=True) if isinstance(value, AddressUpdate) else value
            )
            for name in CONTACT_FIELDS
            if name in self.model_fields_set
            for value in (getattr(self, name),)
        }
