"""One session model for browser cookies and mobile tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from helio.models.base import Base, Digest, UtcDateTime, created_column, id_column


class AuthSession(Base):
    __tablename__ = "auth_sessions"

    id: Mapped[str] = id_column()
    user_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    kind: Mapped[str] = mapped_column(String(8), nullable=False)  # cookie | token
    # SHA-256 of the cookie's secret; the secret itself is never stored.
    secret_hash: Mapped[bytes | None] = mapped_column(Digest(), unique=True)
    mfa_verified: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    step_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    device: Mapped[str | None] = mapped_column(String(160))
    ip_prefix: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_column()
    last_seen_at: Mapped[datetime] = created_column()
    idle_expires_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    absolute_expires_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(32))


class RefreshToken(Base):
    """A single-use refresh token; its family is its session."""

    __tablename__ = "refresh_tokens"

    id: Mapped[str] = id_column()
    session_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True, nullable=False
    )
    token_hash: Mapped[bytes] = mapped_column(Digest(), unique=True, nullable=False)
    created_at: Mapped[datetime] = created_column()
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OneTimeToken(Base):
    """Email verification, password reset, staff invitation and MFA-pending tokens."""

    __tablename__ = "one_time_tokens"

    id: Mapped[str] = id_column()
    purpose: Mapped[str] = mapped_column(String(24), nullable=False)
    token_hash: Mapped[bytes] = mapped_column(Digest(), unique=True, nullable=False)
    user_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    created_at: Mapped[datetime] = created_column()
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
