"""Just-in-time access grants, access-review attestations and alert sinks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from helio.kit.text import NOTE_CHARS, REASON_CHARS, SINK_TARGET_CHARS
from helio.models.base import Base, UtcDateTime, created_column, id_column


class AccessGrant(Base):
    __tablename__ = "access_grants"

    id: Mapped[str] = id_column()
    requester_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    customer_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    reason: Mapped[str] = mapped_column(String(REASON_CHARS), nullable=False)
    minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), default="pending", nullable=False)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = created_column()


class AccessAttestation(Base):
    __tablename__ = "access_attestations"

    id: Mapped[str] = id_column()
    attested_by: Mapped[str] = mapped_column(String(32), nullable=False)
    note: Mapped[str | None] = mapped_column(String(NOTE_CHARS))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = created_column()


class AlertSink(Base):
    __tablename__ = "alert_sinks"

    id: Mapped[str] = id_column()
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # mail | webhook
    target: Mapped[str] = mapped_column(String(SINK_TARGET_CHARS), nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    created_at: Mapped[datetime] = created_column()
