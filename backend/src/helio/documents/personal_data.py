"""Documents hold the customer's files and the names they uploaded them under."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from helio.documents import repository
from helio.models import Document
from helio.platform.personal_data import PersonalData
from helio.security.vault import FieldVault

TABLE, NAME_COLUMN = "documents", "name_ct"
DOWNLOAD = "/api/v1/documents/{id}"


async def export_documents(
    session: AsyncSession, vault: FieldVault, owner_id: str
) -> list[dict[str, Any]]:
    """Return every document's facts, its uploaded name and where to download the file."""
    return [
        {
            "id": d.id,
            "kind": d.kind,
            "media_type": d.media_type,
            "size": d.size,
            "sha256": d.sha256.hex(),
            "site_id": d.site_id,
            "order_id": d.order_id,
            "scan": d.scan,
            "created_at": d.created_at,
            "file_name": await vault.open(
                session, owner_id, d.name_ct, table=TABLE, column=NAME_COLUMN, row_id=d.id
            ),
            "download": DOWNLOAD.format(id=d.id),
        }
        for d in await repository.of_owner(session, owner_id)
    ]


async def purge_files(session: AsyncSession, app: Any, owner_id: str) -> None:
    """Delete every stored file of the customer from the document store."""
    for document in await repository.of_owner(session, owner_id):
        await anyio.to_thread.run_sync(app.documents.delete, document.storage_key)


DOCUMENTS = PersonalData(
    owner=Document.owner_id,
    export_as="documents",
    export=export_documents,
    erase=repository.delete_of_owner,
    purge=purge_files,
)
