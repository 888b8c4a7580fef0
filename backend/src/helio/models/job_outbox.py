"""The transactional outbox: jobs written in the transaction that causes them.

A row is inserted with the business change, so it exists only if that
transaction commits; the worker's relay moves committed rows into the job
queue and deletes them. The key is the job's idempotency key: relaying a row
twice (a relay stopped between enqueueing and deleting) enqueues one job.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from helio.models.base import Base, created_column


class JobOutbox(Base):
    """One job waiting for the relay: its function, arguments and key."""

    __tablename__ = "job_outbox"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    job_key: Mapped[str] = mapped_column(String(128), unique=True, nullable=False)
    function: Mapped[str] = mapped_column(String(64), nullable=False)
    kwargs: Mapped[dict[str, object]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = created_column()
