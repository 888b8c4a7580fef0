"""Inputs and outputs of /leads (the public form) and /staff/leads (sales)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from helio.kit.ids import ID_PATTERN
from helio.kit.pagination import CURSOR_PATTERN, Page
from helio.kit.schemas import StrictInput, StrictQuery, UtcTime, at_least_one
from helio.leads.fields import Currency, Email, Message, Name, Phone, Postcode


class LeadStatus(StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    QUALIFIED = "qualified"
    CONVERTED = "converted"
    LOST = "lost"


class LeadCreate(StrictInput):
    """POST /leads: who to call back (a phone number or an email, or both), where, and why."""

    model_config = ConfigDict(json_schema_extra=at_least_one("phone", "email"))

    name: Name
    phone: Phone | None = None
    email: Email | None = None
    postcode: Postcode
    message: Message | None = None

    @model_validator(mode="after")
    def _reachable(self) -> LeadCreate:
        if self.phone is None and self.email is None:
            raise ValueError("give a phone number or an email address")
        return self


class LeadEntryCreate(LeadCreate):
    """POST /staff/leads: a lead taken by phone or at a fair; assigned to the salesperson."""


class LeadUpdate(StrictInput):
    """PATCH /staff/leads/{id}: claim or hand over, move the status, estimate the value."""

    # At least one field; the estimated value and its currency together (or neither).
    model_config = ConfigDict(
        json_schema_extra={
            "minProperties": 1,
            "if": {"properties": {"estimated_value": {"type": "null"}}},
            "then": {"properties": {"currency": {"type": "null"}}},
            "else": {"required": ["currency"], "properties": {"currency": {"type": "string"}}},
        }
    )

    assignee_id: Annotated[str, StringConstraints(pattern=ID_PATTERN)] | None = None
    # Matched by value; the amount is a number or a decimal string, as the schema says.
    status: LeadStatus | None = Field(default=None, strict=False)
    estimated_value: Decimal | None = Field(
        default=None, ge=0, le=10_000_000, decimal_places=2, strict=False
    )
    currency: Currency | None = None

    @model_validator(mode="after")
    def _value_with_currency(self) -> LeadUpdate:
        if (self.estimated_value is None) != (self.currency is None):
            raise ValueError("an estimated value comes with its currency")
        if not self.model_fields_set:
            raise ValueError("change at least one field")
        return self


class LeadQuery(StrictQuery):
    """GET /staff/leads: filter by status; newest first."""

    status: LeadStatus | None = None
    limit: int = Field(default=20, ge=1, le=100)
    cursor: Annotated[str, StringConstraints(pattern=CURSOR_PATTERN)] | None = None


class LeadReceiptRead(BaseModel):
    """The public form's answer: the request was taken (nothing about it is echoed)."""

    received: bool


class LeadRead(BaseModel):
    """A lead in the console: plaintext for its salesperson, masked for anyone else."""

    id: str
    status: LeadStatus
    source: str
    assignee_id: str | None
    customer_id: str | None
    masked: bool
    name: str | None
    phone: str | None
    email: str | None
    postcode: str | None
    message: str | None = Field(description="plain text written by the lead; render as text")
    estimated_value: Decimal | None
    currency: str | None
    created_at: UtcTime
    converted_at: UtcTime | None


class LeadPage(Page[LeadRead]):
    """One page of leads, newest first (masked)."""
