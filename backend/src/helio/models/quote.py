"""An immutable, reproducible quote owned by a customer or a lead."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from helio.models.base import Base, UtcDateTime, created_column, id_column


class Quote(Base):
    __tablename__ = "quotes"

    id: Mapped[str] = id_column()
    # Exactly one owner: a customer account or a lead worked by sales.
    owner_type: Mapped[str] = mapped_column(String(16), nullable=False)  # customer | lead
    owner_id: Mapped[str] = mapped_column(String(32), index=True, nullable=False)
    created_by: Mapped[str] = mapped_column(String(32), nullable=False)
    site_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("sites.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="offered", nullable=False)
    model_version: Mapped[str] = mapped_column(String(32), nullable=False)
    inputs_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    system_kwp: Mapped[Decimal] = mapped_column(Numeric(8, 3), nullable=False)
    net_price: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    created_at: Mapped[datetime] = created_column()
    valid_until: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
