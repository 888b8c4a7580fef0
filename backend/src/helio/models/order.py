"""Orders placed from a quote, and their timeline (who moved which step, when, why)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helio.kit.text import NOTE_CHARS, PERSON_NAME_CHARS, PHONE_CHARS
from helio.models.base import Base, SealedText, UtcDateTime, created_column, id_column


class Order(Base):
    """An order: its figures are copied from the quote it was placed from, never sent in."""

    __tablename__ = "orders"
    # One order per idempotency key of a customer: a double submit is one order.
    __table_args__ = (  # type: ignore[assignment]  # constraints, then the options
        UniqueConstraint("customer_id", "idempotency_key"),
        Base.__table_args__,
    )

    id: Mapped[str] = id_column()
    customer_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    # A quote is ordered once (unique); the quote row keeps the figures' provenance.
    quote_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("quotes.id", ondelete="RESTRICT"), unique=True, nullable=False
    )
    site_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("sites.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(24), nullable=False, index=True)
    # Bumped by every change; a client may send the version it saw (a stale one is a 409).
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    idempotency_key: Mapped[str] = mapped_column(String(64), nullable=False)
    request_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    net_price: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    system_kwp: Mapped[Decimal] = mapped_column(Numeric(8, 3), nullable=False)
    payment_status: Mapped[str] = mapped_column(String(24), nullable=False, default="none")
    # The on-site contact (may differ from the account holder), encrypted under the
    # customer's data key.
    contact_name_ct: Mapped[bytes | None] = mapped_column(SealedText(PERSON_NAME_CHARS))
    contact_phone_ct: Mapped[bytes | None] = mapped_column(SealedText(PHONE_CHARS))
    survey_starts_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    survey_ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    install_starts_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    install_ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OrderEvent(Base):
    """One line of an order's timeline: a step, a reschedule, a correction or a payment."""

    __tablename__ = "order_events"
    __table_args__ = (  # type: ignore[assignment]  # constraints, then the options
        UniqueConstraint("order_id", "seq"),
        Base.__table_args__,
    )

    id: Mapped[str] = id_column()
    order_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("orders.id", ondelete="CASCADE"), nullable=False
    )
    # The order's customer: the data key its note is sealed with, and whose export it joins.
    customer_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24), nullable=False)
    actor_id: Mapped[str | None] = mapped_column(String(32))
    actor_role: Mapped[str] = mapped_column(String(16), nullable=False)
    # Free text written by a person: it may name people, so it is stored encrypted.
    note_ct: Mapped[bytes | None] = mapped_column(SealedText(NOTE_CHARS))
    created_at: Mapped[datetime] = created_column()
