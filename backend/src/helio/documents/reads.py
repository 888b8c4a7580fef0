"""A document on its way out: its bytes and a safe download name."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentFile:
    """A document's bytes on their way to a download."""

    id: str
    media_type: str
    data: bytes

    @property
    def download_name(self) -> str:
        """A safe name for Content-Disposition (never the uploaded name)."""
        suffix = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
        return f"document-{self.id}.{suffix.get(self.media_type, 'bin')}"
