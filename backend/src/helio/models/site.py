"""A customer's property; the address is encrypted, the roof geometry is not PII."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Double, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from helio.kit.text import ADDRESS_CHARS, SITE_LABEL_CHARS
from helio.models.base import Base, SealedJson, UtcDateTime, created_column, id_column


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[str] = id_column()
    owner_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    label: Mapped[str | None] = mapped_column(String(SITE_LABEL_CHARS))
    address_ct: Mapped[bytes | None] = mapped_column(SealedJson(ADDRESS_CHARS))
    latitude: Mapped[float] = mapped_column(Double, nullable=False)
    longitude: Mapped[float] = mapped_column(Double, nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)
    roof_planes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    tariff_price_per_kwh: Mapped[Decimal] = mapped_column(Numeric(10, 5), nullable=False)
    tariff_currency: Mapped[str] = mapped_column(String(3), nullable=False)
    tariff_escalation_pct: Mapped[Decimal] = mapped_column(Numeric(6, 3), nullable=False)
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class EnergyUsage(Base):
    """Twelve monthly kWh (and an hourly profile when a Green Button file gave one)."""

    __tablename__ = "energy_usage"

    site_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(16), nullable=False)  # manual | green_button
    monthly_kwh: Mapped[list[float]] = mapped_column(JSON, nullable=False)
    hourly_profile: Mapped[list[float] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = created_column()
