"""Stored self-audit reports: one row per run, the findings as JSON (no personal data)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from helio.kit.clock import utcnow
from helio.models.base import Base, UtcDateTime, id_column


class SelfAuditReport(Base):
    __tablename__ = "self_audit_reports"

    id: Mapped[str] = id_column()
    worst_severity: Mapped[str] = mapped_column(String(16), nullable=False)
    passed: Mapped[int] = mapped_column(Integer, nullable=False)
    failed: Mapped[int] = mapped_column(Integer, nullable=False)
    warned: Mapped[int] = mapped_column(Integer, nullable=False)
    manual: Mapped[int] = mapped_column(Integer, nullable=False)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utcnow, nullable=False, index=True
    )
