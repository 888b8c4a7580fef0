"""Per-owner data keys, stored only wrapped by a key-encryption key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from helio.models.base import Base, Ciphertext, UtcDateTime, created_column


class DataKey(Base):
    __tablename__ = "data_keys"

    owner_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, primary_key=True)
    kek_id: Mapped[str] = mapped_column(String(128), nullable=False, index=True)
    wrapped_key: Mapped[bytes | None] = mapped_column(Ciphertext(1024))
    created_at: Mapped[datetime] = created_column()
    rewrapped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    destroyed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
