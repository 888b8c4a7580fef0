"""Call-me-back requests worked by sales; every personal field is ciphertext."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from helio.kit.text import (
    EMAIL_CHARS,
    LEAD_MESSAGE_CHARS,
    PERSON_NAME_CHARS,
    PHONE_CHARS,
    POSTAL_CODE_CHARS,
)
from helio.models.base import (
    Base,
    BlindIndex,
    SealedText,
    UtcDateTime,
    created_column,
    id_column,
)


class Lead(Base):
    """A lead: sealed under its own data key (it has no account), indexed by email and phone."""

    __tablename__ = "leads"

    id: Mapped[str] = id_column()
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    source: Mapped[str] = mapped_column(String(16), nullable=False)  # web | sales
    assignee_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The customer account the lead became (or already had): its export and erasure cover it.
    customer_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    name_ct: Mapped[bytes] = mapped_column(SealedText(PERSON_NAME_CHARS), nullable=False)
    email_ct: Mapped[bytes | None] = mapped_column(SealedText(EMAIL_CHARS))
    email_bidx: Mapped[bytes | None] = mapped_column(BlindIndex(), index=True)
    phone_ct: Mapped[bytes | None] = mapped_column(SealedText(PHONE_CHARS))
    phone_bidx: Mapped[bytes | None] = mapped_column(BlindIndex(), index=True)
    postcode_ct: Mapped[bytes] = mapped_column(SealedText(POSTAL_CODE_CHARS), nullable=False)
    message_ct: Mapped[bytes | None] = mapped_column(SealedText(LEAD_MESSAGE_CHARS))
    estimated_value: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    converted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
