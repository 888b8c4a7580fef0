"""Inputs and outputs of /orders and /staff/orders: no input ever carries a price or a status
the workflow did not choose; figures come from the stored quote."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from helio.kit.ids import ID_PATTERN
from helio.kit.pagination import CURSOR_PATTERN, Page
from helio.kit.schemas import StrictInput, StrictQuery, at_least_one, whole_number
from helio.orders.fields import (
    MAX_WINDOW,
    MIN_WINDOW,
    AwareTime,
    ContactName,
    ContactPhone,
    Note,
    Reason,
    UtcTime,
)
from helio.orders.workflow import Status

QuoteId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]


class AppointmentWindowCreate(StrictInput):
    """An appointment: start and end with their UTC offset, 30 minutes to 12 hours long."""

    starts_at: AwareTime
    ends_at: AwareTime

    @model_validator(mode="after")
    def _ordered(self) -> AppointmentWindowCreate:
        if not MIN_WINDOW <= self.ends_at - self.starts_at <= MAX_WINDOW:
            raise ValueError("a window ends 30 minutes to 12 hours after it starts")
        return self


class ContactCreate(StrictInput):
    """Who the installers call on site (may differ from the account holder); stored encrypted."""

    name: ContactName
    phone: ContactPhone


class OrderCreate(StrictInput):
    """POST /orders: which quote, and optionally the on-site contact. Never a price."""

    quote_id: QuoteId
    contact: ContactCreate | None = None


class OrderCancelCreate(StrictInput):
    """POST /orders/{id}/cancel: an optional note for the timeline."""

    note: Note | None = None


class OrderTransitionCreate(StrictInput):
    """POST /staff/orders/{id}/transition: the next step, its window when it schedules one."""

    # A JSON string naming a status (an enum is matched by value, never by position).
    to: Status = Field(strict=False)
    note: Note | None = None
    window: AppointmentWindowCreate | None = None
    version: Annotated[int, Field(ge=1), BeforeValidator(whole_number)] | None = Field(
        default=None, description="the version you saw; a newer order answers 409"
    )


class OrderUpdate(StrictInput):
    """PATCH /staff/orders/{id}: move the current appointment or correct the on-site contact."""

    model_config = ConfigDict(
        json_schema_extra=at_least_one(
            "survey_window", "install_window", "contact", null_counts=True
        )
    )

    survey_window: AppointmentWindowCreate | None = None
    install_window: AppointmentWindowCreate | None = None
    contact: ContactCreate | None = None
    reason: Reason
    version: Annotated[int, Field(ge=1), BeforeValidator(whole_number)] | None = None

    @model_validator(mode="after")
    def _something(self) -> OrderUpdate:
        if not self.model_fields_set & {"survey_window", "install_window", "contact"}:
            raise ValueError("give a window to move or a contact to correct")
        return self


class StaffOrderQuery(StrictQuery):
    """GET /staff/orders: filter by status, newest first."""

    status: Status | None = None
    limit: int = Field(default=20, ge=1, le=100)
    cursor: Annotated[str, StringConstraints(pattern=CURSOR_PATTERN)] | None = None


class AppointmentWindowRead(BaseModel):
    """An appointment window in UTC."""

    starts_at: UtcTime
    ends_at: UtcTime


class ContactRead(BaseModel):
    """The on-site contact (masked in the staff view)."""

    name: str | None
    phone: str | None


class TimelineEntryRead(BaseModel):
    """One step, reschedule, correction or payment: who (role, id), when, from, to, note.

    The note is text written by a person: clients render it as text, never as markup.
    """

    seq: int
    kind: str
    from_status: str | None
    to_status: str
    actor_role: str
    actor_id: str | None = Field(description="staff view only; null for the customer")
    note: str | None
    at: UtcTime


class OrderSummaryRead(BaseModel):
    """An order's headline: status, figures, appointments."""

    id: str
    customer_id: str
    quote_id: str
    site_id: str | None
    status: Status
    version: int
    net_price: Decimal = Field(description="decimal string, two places; from the quote")
    currency: str
    system_kwp: Decimal
    payment_status: str
    survey_window: AppointmentWindowRead | None
    install_window: AppointmentWindowRead | None
    created_at: UtcTime
    updated_at: UtcTime | None


class OrderRead(OrderSummaryRead):
    """An order in full, with its on-site contact and its timeline (oldest first)."""

    contact: ContactRead | None
    timeline: list[TimelineEntryRead]


class OrderPage(Page[OrderSummaryRead]):
    """One page of orders, newest first."""
