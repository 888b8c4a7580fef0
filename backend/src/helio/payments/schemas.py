"""The deposit a customer asks to pay, and the provider's event as the webhook receives it."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from helio.kit.ids import ID_PATTERN
from helio.kit.schemas import StrictInput


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


UtcTime = Annotated[datetime, AfterValidator(_as_utc)]
EventType = Literal["payment.succeeded", "payment.failed", "payment.refunded"]
# Money travels as a decimal string with two places, never a float.
Money = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,10}\.[0-9]{2}$")]


class PaymentEventDataCreate(StrictInput):
    """What the event is about: our order, the provider's payment, the sum."""

    order_id: Annotated[str, StringConstraints(pattern=ID_PATTERN)]
    payment_ref: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{8,64}$")]
    amount: Money
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class PaymentEventCreate(StrictInput):
    """POST /webhooks/payments: one provider event (signed; see `Helio-Signature`)."""

    id: Annotated[str, StringConstraints(pattern=r"^evt_[A-Za-z0-9]{8,60}$")]
    type: EventType
    created: int = Field(ge=0, description="when the provider made the event (UNIX seconds)")
    data: PaymentEventDataCreate

    @property
    def amount(self) -> Decimal:
        """The event's amount as a Decimal."""
        return Decimal(self.data.amount)


class PaymentRequestRead(BaseModel):
    """A payment asked of the customer for an order."""

    id: str
    order_id: str
    kind: str
    amount: Decimal = Field(description="decimal string, two places")
    currency: str
    status: str
    checkout_url: str | None = Field(description="where the customer pays (open requests only)")
    created_at: UtcTime
    paid_at: UtcTime | None


class PaymentWebhookRead(BaseModel):
    """The webhook's answer: the event was taken, and what it did."""

    received: bool
    effect: Literal["applied", "stale", "ignored"]


def event_body_schema() -> dict[str, Any]:
    """Return the JSON schema of a provider event with its definitions inlined.

    The webhook reads its body raw (the signature covers the exact bytes), so the OpenAPI
    document declares it from this schema; inlined, it needs no `$defs` of its own.
    """
    schema = PaymentEventCreate.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(value) for value in node]
        return node

    inlined: dict[str, Any] = inline(schema)
    return inlined
