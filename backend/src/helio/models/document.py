"""Documents a customer attached to a site or an order: roof photos and bills."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from helio.kit.text import DOCUMENT_NAME_CHARS
from helio.models.base import Base, Digest, SealedText, created_column, id_column


class Document(Base):
    """One stored file: its kind and type come from its content, its name is sealed."""

    __tablename__ = "documents"

    id: Mapped[str] = id_column()
    owner_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    site_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("sites.id", ondelete="SET NULL"), index=True
    )
    order_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("orders.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # photo | bill
    media_type: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[bytes] = mapped_column(Digest(), nullable=False)
    # The antivirus verdict when it was kept: "clean", or "not_scanned" (no scanner set up).
    scan: Mapped[str] = mapped_column(String(16), nullable=False)
    # A random name in the store, never derived from the upload.
    storage_key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    # The file name the customer uploaded, sealed under their data key.
    name_ct: Mapped[bytes | None] = mapped_column(SealedText(DOCUMENT_NAME_CHARS))
    created_at: Mapped[datetime] = created_column()
