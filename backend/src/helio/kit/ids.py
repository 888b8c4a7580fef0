"""Opaque ids and secret tokens: how they are made and what a valid id looks like."""

from __future__ import annotations

import secrets
import uuid

# Every object id in a URL or body: 32 lowercase hex digits (a UUID4 without dashes).
ID_PATTERN = r"^[0-9a-f]{32}$"


def new_id() -> str:
    """Return an opaque, random id for URLs (UUID4 hex)."""
    return uuid.uuid4().hex


def new_token() -> str:
    """Return a 256-bit URL-safe secret token."""
    return secrets.token_urlsafe(32)
