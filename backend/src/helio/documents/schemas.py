"""Read models of /documents (uploads are multipart forms, not JSON)."""

from __future__ import annotations

from pydantic import BaseModel

from helio.kit.pagination import Page
from helio.kit.schemas import UtcTime


class DocumentRead(BaseModel):
    """One stored document: what its content turned out to be, never the stored name."""

    id: str
    kind: str  # photo | bill
    media_type: str
    size: int
    site_id: str | None
    order_id: str | None
    file_name: str | None  # as uploaded (sealed at rest)
    scan: str  # clean | not_scanned (no antivirus configured)
    created_at: UtcTime


class DocumentPage(Page[DocumentRead]):
    """One page of documents, newest first."""
