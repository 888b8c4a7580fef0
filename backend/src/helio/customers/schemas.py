"""Input and output of the customer's own routes (/me)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from helio.kit.schemas import StrictInput, UtcTime, sent_not_null
from helio.kit.text import (
    AddressLine,
    City,
    OptionalAddressLine,
    PersonName,
    PhoneText,
    PostalCode,
    Region,
)
from helio.security.blind_index import normalise_phone


class AddressUpdate(StrictInput):
    """A postal address (stored encrypted)."""

    line1: AddressLine
    line2: OptionalAddressLine | None = None
    city: City
    postal_code: PostalCode
    region: Region | None = None
    country: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z]{2}$")]


class ProfileUpdate(StrictInput):
    """PATCH /me: only these fields; role, status, email, verification and ids are refused."""

    full_name: PersonName | None = Field(default=None, json_schema_extra=sent_not_null)
    phone: PhoneText | None = None
    address: AddressUpdate | None = None
    marketing_consent: bool | None = Field(default=None, json_schema_extra=sent_not_null)

    @field_validator("phone")
    @classmethod
    def _international_phone(cls, value: str | None) -> str | None:
        if value is not None:
            # The blind index needs a number it can normalise: + or 00 and the country code.
            normalise_phone(value)
        return value

    @model_validator(mode="after")
    def _no_null_for_required(self) -> ProfileUpdate:
        for name in ("full_name", "marketing_consent"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        """Return the fields the client sent, addresses as plain dicts."""
        return {
            name: (
                value.model_dump(exclude_none=True) if isinstance(value, AddressUpdate) else value
            )
            for name, value in ((n, getattr(self, n)) for n in sorted(self.model_fields_set))
        }


class ProfileRead(BaseModel):
    """The caller's own profile, decrypted."""

    id: str
    email: str
    full_name: str | None
    phone: str | None
    address: dict[str, Any] | None
    marketing_consent: bool
    email_verified: bool


class DeletionRead(BaseModel):
    """What DELETE /me did: the account is closed now; its data is shredded at `shred_after`."""

    status: str
    deleted_at: UtcTime
    shred_after: UtcTime | None
    shredded: bool


class AccountExportRead(BaseModel):
    """Every record of the caller, for GET /me/export."""

    model_config = ConfigDict(json_schema_extra={"description": "All of the caller's own data."})

    exported_at: UtcTime
    profile: ProfileRead
    sites: list[dict[str, Any]] = Field(default_factory=list)
    quotes: list[dict[str, Any]] = Field(default_factory=list)
    orders: list[dict[str, Any]] = Field(default_factory=list)
    payments: list[dict[str, Any]] = Field(default_factory=list)
    leads: list[dict[str, Any]] = Field(default_factory=list)
    documents: list[dict[str, Any]] = Field(default_factory=list)
    sessions: list[dict[str, Any]] = Field(default_factory=list)
    consent_history: list[dict[str, Any]] = Field(default_factory=list)
