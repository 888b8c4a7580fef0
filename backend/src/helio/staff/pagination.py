"""Opaque keyset cursors for the staff lists (newest first)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from helio.errors import ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,120}={0,2}$"


def encode(created_at: datetime, row_id: str) -> str:
    """Return the cursor that continues after the row (created_at, id)."""
    raw = f"{created_at.isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii")


def decode(cursor: str | None) -> tuple[datetime, str] | None:
    """Return the (created_at, id) a cursor continues after, or None for the first page.

    Raises:
        ValidationFailed: the cursor was not made by `encode`.
    """
    if cursor is None:
        return None
    try:
        stamp, _, row_id = base64.urlsafe_b64decode(cursor).decode().partition("|")
        return datetime.fromisoformat(stamp), row_id
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValidationFailed(fields={"cursor": "Not a cursor from this list."}) from exc
