"""Accounts: customers and staff. Every PII column is AEAD ciphertext."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from helio.kit.text import ADDRESS_CHARS, EMAIL_CHARS, PERSON_NAME_CHARS, PHONE_CHARS
from helio.models.base import (
    Base,
    BlindIndex,
    Ciphertext,
    LongCiphertext,
    SealedJson,
    SealedText,
    UtcDateTime,
    created_column,
    id_column,
)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = id_column()
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # customer | staff
    status: Mapped[str] = mapped_column(String(16), default="active", nullable=False)
    email_ct: Mapped[bytes] = mapped_column(SealedText(EMAIL_CHARS), nullable=False)
    email_bidx: Mapped[bytes] = mapped_column(BlindIndex(), nullable=False, unique=True)
    full_name_ct: Mapped[bytes | None] = mapped_column(SealedText(PERSON_NAME_CHARS))
    name_prefix_bidx: Mapped[bytes | None] = mapped_column(BlindIndex(), index=True)
    phone_ct: Mapped[bytes | None] = mapped_column(SealedText(PHONE_CHARS))
    phone_bidx: Mapped[bytes | None] = mapped_column(BlindIndex(), index=True)
    address_ct: Mapped[bytes | None] = mapped_column(SealedJson(ADDRESS_CHARS))
    notes_ct: Mapped[bytes | None] = mapped_column(LongCiphertext)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    email_verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    totp_secret_ct: Mapped[bytes | None] = mapped_column(Ciphertext(256))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    data_key_generation: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    shred_after: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    granted_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = created_column()


class ConsentEvent(Base):
    """History of marketing consent given or withdrawn (exported with the account)."""

    __tablename__ = "consent_events"

    id: Mapped[str] = id_column()
    user_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    purpose: Mapped[str] = mapped_column(String(32), nullable=False)
    granted: Mapped[bool] = mapped_column(Boolean, nullable=False)
    created_at: Mapped[datetime] = created_column()
