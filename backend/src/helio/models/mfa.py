"""Second factors besides TOTP (whose secret lives encrypted on the user row)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import VARBINARY, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from helio.kit.text import PASSKEY_NAME_CHARS
from helio.models.base import Base, UtcDateTime, created_column, id_column


class RecoveryCode(Base):
    __tablename__ = "recovery_codes"

    id: Mapped[str] = id_column()
    user_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    code_hash: Mapped[str] = mapped_column(String(128), nullable=False)
    created_at: Mapped[datetime] = created_column()
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class WebAuthnCredential(Base):
    __tablename__ = "webauthn_credentials"

    id: Mapped[str] = id_column()
    user_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    credential_id: Mapped[bytes] = mapped_column(VARBINARY(255), unique=True, nullable=False)
    public_key: Mapped[bytes] = mapped_column(VARBINARY(1024), nullable=False)
    sign_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    transports: Mapped[str | None] = mapped_column(String(128))
    name: Mapped[str | None] = mapped_column(String(PASSKEY_NAME_CHARS))
    created_at: Mapped[datetime] = created_column()
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
