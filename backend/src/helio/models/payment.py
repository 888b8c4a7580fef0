"""Payment requests on orders (deposits) and the provider events already processed."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from helio.models.base import Base, UtcDateTime, created_column, id_column


class PaymentRequest(Base):
    """A sum asked of a customer for an order; amounts and ids only, no personal data."""

    __tablename__ = "payment_requests"

    id: Mapped[str] = id_column()
    order_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("orders.id", ondelete="CASCADE"), index=True, nullable=False
    )
    customer_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # deposit
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    provider: Mapped[str] = mapped_column(String(32), nullable=False)
    provider_ref: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    # The provider time of the newest event applied: an older event arriving late is stale.
    last_event_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PaymentEvent(Base):
    """A provider event, stored once: its id is the key, so a replay cannot apply twice."""

    __tablename__ = "payment_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(32), nullable=False)
    payment_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("payment_requests.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)  # applied | stale
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    received_at: Mapped[datetime] = created_column()
