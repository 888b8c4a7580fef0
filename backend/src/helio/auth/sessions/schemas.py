"""Response bodies of the session routes."""

from __future__ import annotations

from pydantic import BaseModel

from helio.kit.pagination import Page
from helio.kit.schemas import UtcTime


class SessionRead(BaseModel):
    id: str
    kind: str
    device: str | None
    network: str | None
    created_at: UtcTime
    last_seen_at: UtcTime
    expires_at: UtcTime
    current: bool


class SessionPage(Page[SessionRead]):
    """The caller's signed-in sessions and devices (one page, newest first)."""
