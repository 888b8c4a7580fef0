"""Response bodies of the session routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from helio.kit.pagination import Page


class SessionRead(BaseModel):
    id: str
    kind: str
    device: str | None
    network: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    current: bool


class SessionPage(Page[SessionRead]):
    """The caller's signed-in sessions and devices (one page, newest first)."""
